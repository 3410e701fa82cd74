// `modelwatch print-config`: the effective config with defaults filled in, and no secret in it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { cliArgs } from '../../helpers/agent.js';
import { REPO_ROOT } from '../../helpers/paths.js';

test('print-config merges, expands, fills defaults and masks secrets', () => {
  const dir = mkdtempSync(join(tmpdir(), 'modelwatch-print-'));
  const extra = join(dir, 'pg.yaml');
  writeFileSync(extra, `exporters:
  prediction_log/pg: { driver: postgres, url: "\${env:PG_URL}" }
  otlp_http: { endpoint: http://collector:4318, headers: { authorization: "Bearer \${env:PUSH_TOKEN}" } }
service:
  pipelines:
    predictions:
      receivers: [otlp]
      processors: [stages]
      exporters: [prometheus, prediction_log/pg, otlp_http]
`);
  const r = spawnSync(process.execPath, [...cliArgs(), 'print-config', '--config', 'config/modelwatch.yaml', '--config', extra], {
    cwd: REPO_ROOT,
    env: { ...process.env, PG_URL: 'postgres://modelwatch:hunter2-secret@db:5432/ml', PUSH_TOKEN: 'push-token-very-secret' },
    encoding: 'utf8',
  });
  assert.equal(r.status, 0, r.stderr);
  assert.ok(!r.stdout.includes('hunter2-secret'), 'the database password is masked');
  assert.ok(!r.stdout.includes('push-token-very-secret'), 'the header token is masked');
  const cfg = parse(r.stdout);
  assert.equal(cfg.exporters['prediction_log/pg'].url, 'postgres://modelwatch:[redacted]@db:5432/ml');
  assert.equal(cfg.exporters.otlp_http.headers.authorization, '[redacted]');
  assert.equal(cfg.storage.max_bytes, 1024 ** 3, 'defaults are filled in');
  assert.deepEqual(cfg.service.pipelines.predictions.processors, ['stages'], 'later files win');
  assert.equal(cfg.receivers.otlp.protocols.grpc.endpoint, '127.0.0.1:4317');
});
