// Config reload (SIGHUP and the admin endpoint): a valid new config takes effect with state and queued
// data carried over; an invalid one is refused and the running one stays.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { agentConfig, eventually, startAgent } from '../../helpers/agent.js';
import { emitPrediction, otelClient } from '../../helpers/otel-client.js';
import { parsePromText, sampleValue } from '../../helpers/prom-text.js';

const TOKEN = 'reload-token-0123456789abcdef';

test('SIGHUP and POST /api/v1/reload', async (t) => {
  const withBuckets = (buckets: string) => (ports: Parameters<typeof agentConfig>[0], dir: string) =>
    agentConfig(ports, dir).replace('  stages: {}', `  stages: { buckets: [${buckets}] }`).replace(/admin: \{ endpoint: (\S+) \}/, 'admin:\n  endpoint: $1\n  auth: { bearer_token_env: MW_TOKEN }');
  const agent = await startAgent({ config: withBuckets('0.1, 1'), env: { MW_TOKEN: TOKEN } });
  t.after(() => agent.kill9());
  const admin = `http://127.0.0.1:${agent.ports.admin}`;
  const send = async (n: number, cls: string) => {
    const client = otelClient('http/protobuf', agent.ports);
    for (let i = 0; i < n; i++) emitPrediction(client.tracer, { model: 'reload', version: '1', cls, stages: { inference: 0.3 } });
    await client.shutdown();
  };
  const metrics = async () => parsePromText(await agent.metricsText());

  await send(50, 'a');
  await eventually(async () => (sampleValue(await metrics(), 'model_predictions_total', { model_name: 'reload', predicted_class: 'a' }) === 50 ? true : undefined), 'first batch');
  assert.equal(sampleValue(await metrics(), 'model_inference_duration_seconds_bucket', { model_name: 'reload', le: '1' }), 50);

  // An invalid config is refused over the API, with its problems, and the agent keeps running as it was.
  writeFileSync(agent.configFile, withBuckets('1, 0.1')(agent.ports, agent.dir));
  assert.equal((await fetch(`${admin}/api/v1/reload`, { method: 'POST' })).status, 401, 'reload needs the admin token');
  const refused = await fetch(`${admin}/api/v1/reload`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}` } });
  assert.equal(refused.status, 400);
  const body = (await refused.json()) as { problems: string[] };
  assert.match(body.problems.join('\n'), /processors::stages::buckets: buckets must be strictly ascending/);
  agent.proc.kill('SIGHUP');
  await eventually(async () => (agent.logs().split('reload refused').length === 3 ? true : undefined), 'SIGHUP refusal logged');
  assert.equal(sampleValue(await metrics(), 'model_predictions_total', { model_name: 'reload', predicted_class: 'a' }), 50);

  // A valid one (new buckets) takes effect through SIGHUP; the counts carry over.
  writeFileSync(agent.configFile, withBuckets('0.1, 0.5, 1')(agent.ports, agent.dir));
  agent.proc.kill('SIGHUP');
  await eventually(async () => (agent.logs().includes('configuration reloaded') ? true : undefined), 'reloaded');
  await send(20, 'b');
  const after = await eventually(async () => {
    const s = await metrics();
    return sampleValue(s, 'model_predictions_total', { model_name: 'reload', predicted_class: 'b' }) === 20 ? s : undefined;
  }, 'second batch after reload');
  assert.equal(sampleValue(after, 'model_predictions_total', { model_name: 'reload', predicted_class: 'a' }), 50, 'state carried over the reload');
  // Counts kept under the old buckets cannot be re-bucketed: the histogram starts afresh (a counter reset).
  assert.equal(sampleValue(after, 'model_inference_duration_seconds_bucket', { model_name: 'reload', le: '0.5' }), 20, 'the new bucket counts what came after');
  assert.equal(sampleValue(after, 'model_inference_duration_seconds_count', { model_name: 'reload' }), 20);

  const status = (await (await fetch(`${admin}/api/v1/status`, { headers: { authorization: `Bearer ${TOKEN}` } })).json()) as { pipelines: string[]; queue: { capacity_bytes: number } };
  assert.deepEqual(status.pipelines, ['predictions']);
  assert.equal(status.queue.capacity_bytes, 1024 ** 3);
  assert.equal(await agent.stop(), 0);
});

test('destructive admin endpoints are disabled without admin.auth', async (t) => {
  const agent = await startAgent();
  t.after(() => agent.kill9());
  const res = await fetch(`http://127.0.0.1:${agent.ports.admin}/api/v1/reload`, { method: 'POST' });
  assert.equal(res.status, 403);
  assert.match(((await res.json()) as { error: string }).error, /admin.auth/);
  assert.equal((await fetch(`http://127.0.0.1:${agent.ports.admin}/api/v1/status`)).status, 200, 'read-only endpoints stay open without auth');
  assert.equal(await agent.stop(), 0);
});
