// PostgreSQL stops while the agent is receiving, then comes back: the agent keeps acknowledging (the
// queue holds the records), logs the outage once when it starts and once when it ends, and every
// acknowledged prediction lands in the log exactly once.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { allocatePorts, eventually, startAgent, type AgentHandle, type AgentPorts, pipelineConfig } from '../../helpers/agent.js';
import { startPostgres, type PostgresHandle } from '../../helpers/postgres.js';
import { agentEnv } from '../../unit/exporters/agent-env.js';
import { AckingSender } from './acking-sender.js';

const dir = mkdtempSync(join(tmpdir(), 'modelwatch-plog-pg-'));
let agent: AgentHandle | undefined;
let server: PostgresHandle | undefined;
after(async () => {
  await agent?.kill9();
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const config = (ports: AgentPorts, d: string) =>
  pipelineConfig(ports, {
    exporters: { 'prediction_log/pg': '{ driver: postgres, url: "${env:PG_URL}", table: preds, connect_timeout: 1s }' },
    storage: `{ path: ${join(d, 'modelwatch.db')}, sync: normal, checkpoint_interval: 100ms }`,
  });

async function loggedIds(url: string): Promise<string[]> {
  const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1000 });
  c.on('error', () => undefined);
  try {
    await c.connect();
    return (await c.query('SELECT prediction_id FROM preds')).rows.map((r) => r.prediction_id);
  } finally {
    await c.end().catch(() => undefined);
  }
}

test('PostgreSQL outage while receiving: every acknowledged prediction lands exactly once', async () => {
  server = await startPostgres();
  const pgServer = server;
  const ports = await allocatePorts();
  agent = await startAgent({ dir, ports, config, env: { ...agentEnv(), PG_URL: pgServer.url } });
  const sender = new AckingSender(ports);

  for (let i = 0; i < 10; i++) assert.ok(await sender.sendBatch(50));
  await eventually(async () => ((await loggedIds(pgServer.url)).length === 500 ? true : undefined), 'first rows in PostgreSQL');

  await pgServer.pause();
  // The agent keeps taking predictions while its log database is down.
  for (let i = 0; i < 10; i++) assert.ok(await sender.sendBatch(50), 'acknowledged during the outage');
  await eventually(async () => (/prediction log store failing/.test(agent!.logs()) ? true : undefined), 'the outage noticed');
  const ready = await fetch(`http://127.0.0.1:${ports.admin}/readyz`);
  assert.notEqual(ready.status, 200, 'not ready while the log cannot be written');
  await pgServer.resume();
  for (let i = 0; i < 10; i++) assert.ok(await sender.sendBatch(50));

  const ids = await eventually(async () => {
    const ids = await loggedIds(pgServer.url);
    return ids.length >= sender.acked.size ? ids : undefined;
  }, 'every acknowledged prediction in PostgreSQL', 25_000);
  assert.equal(ids.length, 1500);
  assert.deepEqual(new Set(ids), sender.acked);
  const logs = agent.logs();
  assert.equal(logs.match(/prediction log store failing/g)?.length, 1, logs);
  assert.equal(logs.match(/prediction log store is writable again/g)?.length, 1, logs);
  assert.ok(!logs.includes(pgServer.password), 'the password never reaches the log');
  assert.equal(await agent.stop(), 0, agent.logs());
});
