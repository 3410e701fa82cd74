// `modelwatch validate` as an SRE runs it: every problem with file, line and path; what would fail at start.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { allocatePorts, cliArgs } from '../../helpers/agent.js';
import { freePort } from '../../helpers/ports.js';
import { startPostgres } from '../../helpers/postgres.js';
import { REPO_ROOT } from '../../helpers/paths.js';

const ROOT = REPO_ROOT;
const dir = mkdtempSync(join(tmpdir(), 'modelwatch-validate-'));

async function portEnv(): Promise<Record<string, string>> {
  const p = await allocatePorts();
  return {
    MODELWATCH_OTLP_GRPC_ENDPOINT: `127.0.0.1:${p.grpc}`,
    MODELWATCH_OTLP_HTTP_ENDPOINT: `127.0.0.1:${p.http}`,
    MODELWATCH_PROMETHEUS_ENDPOINT: `127.0.0.1:${p.prometheus}`,
    MODELWATCH_ADMIN_ENDPOINT: `127.0.0.1:${p.admin}`,
    MODELWATCH_FEEDBACK_ENDPOINT: `127.0.0.1:${await freePort()}`,
    MODELWATCH_DATA_DIR: join(dir, 'data'),
    MODELWATCH_TOKEN: 'sender-token-0123456789',
    MODELWATCH_ADMIN_TOKEN: 'admin-token-0123456789',
  };
}

function validate(files: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [...cliArgs(), 'validate', ...files.flatMap((f) => ['--config', f])], { cwd: ROOT, env: { ...process.env, ...env }, encoding: 'utf8' });
  return { code: r.status, out: r.stdout + r.stderr };
}

describe('modelwatch validate', () => {
  for (const shipped of ['config/modelwatch.yaml', 'pipelines/sidecar.yaml']) {
    test(`${shipped} is valid`, async () => {
      const r = validate([shipped], await portEnv());
      assert.equal(r.code, 0, r.out);
      assert.match(r.out, /valid/);
    });
  }

  test('pipelines/gateway.yaml is valid with a reachable PostgreSQL, and says so when it is not', async () => {
    const pg = await startPostgres();
    try {
      const ok = validate(['pipelines/gateway.yaml'], { ...(await portEnv()), MODELWATCH_PG_URL: pg.url });
      assert.equal(ok.code, 0, ok.out);
      const unset = validate(['pipelines/gateway.yaml'], await portEnv());
      assert.equal(unset.code, 1);
      assert.match(unset.out, /pipelines\/gateway.yaml:\d+:\d+: exporters::prediction_log\/pg::url: environment variable MODELWATCH_PG_URL is not set/);
      const noToken = validate(['pipelines/gateway.yaml'], { ...(await portEnv()), MODELWATCH_PG_URL: pg.url, MODELWATCH_TOKEN: '' });
      assert.equal(noToken.code, 1);
      assert.match(noToken.out, /receivers::otlp::auth: environment variable MODELWATCH_TOKEN \(bearer token\) is not set/);
      const downPort = await freePort();
      const down = validate(['pipelines/gateway.yaml'], { ...(await portEnv()), MODELWATCH_PG_URL: `postgres://u:secret@127.0.0.1:${downPort}/db` });
      assert.equal(down.code, 1, down.out);
      assert.match(down.out, /exporters::prediction_log\/pg/);
      assert.ok(!down.out.includes('secret'), 'the password never appears');
    } finally {
      await pg.stop();
    }
  });

  test('reports every problem with file:line:column and path, and exits 1', () => {
    const f = join(dir, 'bad.yaml');
    const text = `receivers:
  otlp:
    protocols:
      grpc: { endpoint: 127.0.0.1:99999 }
processors:
  stages: { bukets: [1] }
exporters:
  prometheus: {}
  prediction_log/sampled: { path: ${join(dir, 'sampled.db')}, sample_ratio: 0 }
service:
  pipelines:
    p: { receivers: [otlp], exporters: [prometheus, prometheus/two, prediction_log/sampled] }
`;
    writeFileSync(f, text);
    const at = (line: number, token: string) => `${f}:${line}:${text.split('\n')[line - 1].indexOf(token) + 1}: `;
    const r = validate([f]);
    assert.equal(r.code, 1);
    const lines = r.out.trim().split('\n');
    assert.ok(lines.includes(`${at(4, '127.0.0.1:99999')}receivers::otlp::protocols::grpc::endpoint: expected host:port, e.g. 127.0.0.1:4317`), r.out);
    assert.ok(lines.includes(`${at(6, 'bukets')}processors::stages::bukets: unknown key "bukets"`), r.out);
    assert.ok(lines.includes(`${at(12, 'prometheus/two')}service::pipelines::p::exporters::1: exporter "prometheus/two" is not defined under exporters`), r.out);
    assert.ok(lines.includes(`${at(9, '0 }')}exporters::prediction_log/sampled::sample_ratio: above 0 (leave the exporter out of the pipeline to store nothing)`), r.out);
    assert.equal(lines[lines.length - 1], '4 problems found');
  });

  test('checks what would fail at start: a port in use, a storage path that cannot be created', async () => {
    const busy = createServer();
    await new Promise<void>((r) => busy.listen(0, '127.0.0.1', () => r()));
    const busyPort = (busy.address() as { port: number }).port;
    const notADir = join(dir, 'plain-file');
    writeFileSync(notADir, 'x');
    const env = { ...(await portEnv()), MODELWATCH_OTLP_GRPC_ENDPOINT: `127.0.0.1:${busyPort}`, MODELWATCH_DATA_DIR: join(notADir, 'data') };
    const r = validate(['config/modelwatch.yaml'], env);
    busy.close();
    assert.equal(r.code, 1, r.out);
    assert.match(r.out, new RegExp(`config/modelwatch.yaml:8:\\d+: receivers::otlp::protocols::grpc::endpoint: port ${busyPort} on 127.0.0.1 is already in use`));
    assert.match(r.out, /config\/modelwatch.yaml:\d+:\d+: storage::path: cannot create .*plain-file is not a directory/);
  });

  test('a missing config file is a clear error', () => {
    const r = validate([join(dir, 'nope.yaml')]);
    assert.equal(r.code, 1);
    assert.match(r.out, /cannot read config file .*nope\.yaml/);
  });
});
