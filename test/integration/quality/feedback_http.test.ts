// Ground truth posted as JSON to the feedback/http receiver, joined to predictions sent by the real OTel
// SDK: the window's accuracy equals a recomputation; bad labels are refused one by one with reasons.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { eventually, type AgentHandle } from '../../helpers/agent.js';
import { freePort } from '../../helpers/ports.js';
import { emitPrediction, otelClient } from '../../helpers/otel-client.js';
import { parsePromText, sampleValue } from '../../helpers/prom-text.js';
import { qualityConfig, startQualityAgent } from './agent.js';

let agent: AgentHandle;
let feedbackPort: number;

before(async () => {
  feedbackPort = await freePort();
  agent = await startQualityAgent({
    config: (ports, dir) =>
      qualityConfig(ports, dir, {
        receivers: `  feedback/http:\n    endpoint: 127.0.0.1:${feedbackPort}\n    max_items: 100`,
        pipelineReceivers: ['feedback/http'],
        processors: '  window: { size: 50, min_samples: 10 }\n  concept_drift: { baseline_samples: 50, min_samples: 10, window: 40 }',
      }),
  });
});
after(async () => {
  assert.equal(await agent?.stop(), 0);
});

const post = (body: string, type = 'application/json') =>
  fetch(`http://127.0.0.1:${feedbackPort}/v1/feedback`, { method: 'POST', headers: { 'content-type': type }, body });

test('labels over HTTP JSON and JSON Lines join their predictions', async () => {
  const client = otelClient('grpc', agent.ports);
  const classes = ['cat', 'dog'];
  const preds = Array.from({ length: 40 }, (_, i) => ({ id: `pet-${i}`, cls: classes[i % 2], actual: i % 5 === 0 ? classes[(i + 1) % 2] : classes[i % 2] }));
  for (const p of preds) emitPrediction(client.tracer, { model: 'pets', version: '1', cls: p.cls, id: p.id });
  await client.shutdown();

  // The first 20 as one JSON array, with one bad label among them; the rest as JSON Lines.
  const first = preds.slice(0, 20).map((p) => ({ prediction_id: p.id, label: p.actual }));
  const res1 = await post(JSON.stringify([...first, { prediction_id: '', label: 'x' }, { prediction_id: 'pet-x' }]));
  assert.equal(res1.status, 200);
  const body1 = (await res1.json()) as { accepted: number; rejected: number; errors: { index: number; reason: string }[] };
  assert.equal(body1.accepted, 20);
  assert.equal(body1.rejected, 2);
  assert.deepEqual(body1.errors.map((e) => e.index), [20, 21]);
  assert.match(body1.errors[0].reason, /prediction_id/);
  assert.match(body1.errors[1].reason, /needs "label"/);
  const lines = preds.slice(20).map((p) => JSON.stringify({ prediction_id: p.id, label: p.actual, model_name: 'pets' })).join('\n');
  assert.equal((await post(lines, 'application/x-ndjson')).status, 200);

  // Independent recomputation: 40 labels, every fifth prediction is wrong.
  const correct = preds.filter((p) => p.cls === p.actual).length;
  const samples = await eventually(async () => {
    const s = parsePromText(await agent.metricsText());
    return sampleValue(s, 'model_quality_window_samples', { model_name: 'pets', model_version: '1' }) === 40 ? s : undefined;
  }, 'all 40 labels in the window');
  assert.equal(sampleValue(samples, 'model_accuracy', { model_name: 'pets', model_version: '1' }), correct / 40);
  assert.equal(sampleValue(samples, 'modelwatch_receiver_accepted_spans_total', { protocol: 'http/feedback' }), 40);
  assert.equal(sampleValue(samples, 'modelwatch_receiver_refused_spans_total', { protocol: 'http/feedback', reason: 'malformed' }), 2);
});

test('bad requests are refused precisely and the receiver keeps serving', async () => {
  assert.equal((await post('{"prediction_id": ')).status, 400);
  assert.equal((await post('x', 'text/plain')).status, 415);
  assert.equal((await fetch(`http://127.0.0.1:${feedbackPort}/v1/feedback`)).status, 405);
  assert.equal((await fetch(`http://127.0.0.1:${feedbackPort}/v1/other`, { method: 'POST' })).status, 404);
  const tooMany = JSON.stringify(Array.from({ length: 101 }, (_, i) => ({ prediction_id: `p${i}`, label: 'a' })));
  assert.equal((await post(tooMany)).status, 413);
  const allBad = await post(JSON.stringify([{ prediction_id: 'a', label: { nested: true } }]));
  assert.equal(allBad.status, 400);
  assert.match(JSON.stringify(await allBad.json()), /label must be/);
  assert.equal((await post(JSON.stringify({ prediction_id: 'late-1', label: 'cat' }))).status, 200, 'still serving');
});
