// The real agent with window and concept_drift, fed by the real OTel SDK: ground truth on the prediction
// span, on a later feedback span (gRPC) and in OTLP log records (HTTP/JSON), one label before its
// prediction and one that never meets it. /metrics, the history API and the concept-drift run are
// checked exactly against the metrics recomputed here from the labels in arrival order.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { BatchLogRecordProcessor, LoggerProvider } from '@opentelemetry/sdk-logs';
import { OTLPLogExporter } from '@opentelemetry/exporter-logs-otlp-http';
import { setTimeout as sleep } from 'node:timers/promises';
import { eventually, type AgentHandle } from '../../helpers/agent.js';
import { emitPrediction, otelClient, type Client } from '../../helpers/otel-client.js';
import { parsePromText, sampleValue, type Sample } from '../../helpers/prom-text.js';
import { referenceScores } from '../../unit/processors/reference.js';
import { history, qualityConfig, runConceptDrift, startQualityAgent } from './agent.js';

const IRIS = ['setosa', 'versicolor', 'virginica'];
let agent: AgentHandle;
let spans: Client;
let logs: LoggerProvider;

before(async () => {
  agent = await startQualityAgent({
    config: (ports, dir) =>
      qualityConfig(ports, dir, {
        processors: `  window: { size: 40, min_samples: 10, positive_class: { fraud: "1" }, labels: { label_ttl: 1s } }
  concept_drift: { baseline_samples: 50, min_samples: 10, window: 40 }`,
      }),
  });
  spans = otelClient('grpc', agent.ports);
  logs = new LoggerProvider({ processors: [new BatchLogRecordProcessor({ exporter: new OTLPLogExporter({ url: `http://127.0.0.1:${agent.ports.http}/v1/logs` }), scheduledDelayMillis: 50 })] });
});

after(async () => {
  await spans?.shutdown();
  await logs?.shutdown();
  const code = await agent?.stop();
  assert.equal(code, 0, `agent exit code; logs:\n${agent?.logs()}`);
});

function close(samples: Sample[], name: string, labels: Record<string, string>, expected: number) {
  const got = sampleValue(samples, name, labels);
  assert.ok(got !== undefined && Math.abs(got - expected) < 1e-9, `${name} ${JSON.stringify(labels)}: got ${got}, expected ${expected}`);
}

test('quality from labels on the span, on feedback spans and in log records equals a recomputation', async () => {
  const tracer = spans.tracer;
  const logger = logs.getLogger('labels');
  let seed = 7;
  const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const preds = Array.from({ length: 120 }, (_, i) => {
    const cls = IRIS[Math.floor(rand() * 3)];
    const actual = rand() < 0.7 ? cls : IRIS[Math.floor(rand() * 3)];
    return { id: `iris-${i}`, cls, actual };
  });
  const arrival: [string, string][] = [];
  // 1. Predictions; every third carries its label.
  preds.forEach((p, i) => {
    emitPrediction(tracer, { model: 'iris', version: '2', cls: p.cls, id: p.id, ...(i % 3 === 0 ? { groundTruth: p.actual } : {}) });
    if (i % 3 === 0) arrival.push([p.cls, p.actual]);
  });
  const fraud: [string, string][] = [];
  for (let i = 0; i < 60; i++) {
    const cls = rand() < 0.3 ? '1' : '0';
    const actual = rand() < 0.8 ? cls : cls === '1' ? '0' : '1';
    emitPrediction(tracer, { model: 'fraud', version: '1', cls, groundTruth: actual });
    fraud.push([cls, actual]);
  }
  await spans.flush();
  // 2. Feedback spans for the next third.
  preds.forEach((p, i) => {
    if (i % 3 !== 1) return;
    tracer.startSpan('label', { attributes: { 'ml.prediction.id': p.id, 'ml.ground_truth.class': p.actual } }).end();
    arrival.push([p.cls, p.actual]);
  });
  await spans.flush();
  // 3. Log records for the rest.
  preds.forEach((p, i) => {
    if (i % 3 !== 2) return;
    logger.emit({ body: 'label', attributes: { 'ml.prediction.id': p.id, 'ml.ground_truth.class': p.actual, 'ml.model.name': 'iris' } });
    arrival.push([p.cls, p.actual]);
  });
  await logs.forceFlush();
  // 4. A label before its prediction, and one that never meets its prediction.
  logger.emit({ body: 'label', attributes: { 'ml.prediction.id': 'early', 'ml.ground_truth.class': 'virginica' } });
  logger.emit({ body: 'label', attributes: { 'ml.prediction.id': 'ghost', 'ml.ground_truth.class': 'setosa', 'ml.model.name': 'iris' } });
  await logs.forceFlush();
  await eventually(async () => (sampleValue(parsePromText(await agent.metricsText()), 'model_quality_window_samples', { model_name: 'iris', model_version: '2' }) === 40 ? true : undefined), 'labels joined');
  emitPrediction(tracer, { model: 'iris', version: '2', cls: 'setosa', id: 'early' });
  arrival.push(['setosa', 'virginica']);
  await spans.flush();
  // The ghost label expires (label_ttl 1s) when later traffic moves the queue time past it.
  await sleep(1300);
  emitPrediction(tracer, { model: 'iris', version: '9', cls: 'setosa' });
  await spans.flush();

  const IRIS2 = { model_name: 'iris', model_version: '2' };
  const samples = await eventually(async () => {
    const s = parsePromText(await agent.metricsText());
    return sampleValue(s, 'model_feedback_unmatched_total', { model_name: 'iris', reason: 'expired' }) === 1 &&
      sampleValue(s, 'model_labeled_predictions_total', { ...IRIS2, predicted_class: 'setosa', actual_class: 'virginica' }) === arrival.filter(([p, a]) => p === 'setosa' && a === 'virginica').length
      ? s
      : undefined;
  }, 'every label on /metrics').catch(async (e) => {
    console.log(agent.logs(), (await agent.metricsText()).split('\n').filter((l) => /unmatched|labeled|samples/.test(l)).join('\n'));
    throw e;
  });

  const ref = referenceScores(arrival.slice(-40));
  close(samples, 'model_accuracy', IRIS2, ref.accuracy);
  close(samples, 'model_precision', IRIS2, ref.precision);
  close(samples, 'model_recall', IRIS2, ref.recall);
  close(samples, 'model_f1_score', IRIS2, ref.f1);
  for (const [cls, s] of ref.perClass) {
    close(samples, 'model_class_precision', { ...IRIS2, class: cls }, s.precision);
    close(samples, 'model_class_recall', { ...IRIS2, class: cls }, s.recall);
    close(samples, 'model_class_f1_score', { ...IRIS2, class: cls }, s.f1);
  }
  for (const p of IRIS) {
    for (const a of IRIS) {
      const n = arrival.filter(([x, y]) => x === p && y === a).length;
      assert.equal(sampleValue(samples, 'model_labeled_predictions_total', { ...IRIS2, predicted_class: p, actual_class: a }), n || undefined, `confusion ${p}>${a}`);
    }
  }
  const FRAUD = { model_name: 'fraud', model_version: '1' };
  const fref = referenceScores(fraud.slice(-40), { positive: '1' });
  close(samples, 'model_accuracy', FRAUD, fref.accuracy);
  close(samples, 'model_precision', FRAUD, fref.precision);
  close(samples, 'model_recall', FRAUD, fref.recall);
  close(samples, 'model_f1_score', FRAUD, fref.f1);
  // A version with one unlabelled prediction exports nothing.
  assert.equal(sampleValue(samples, 'model_accuracy', { model_name: 'iris', model_version: '9' }), undefined);

  // History: today's labels, all of them pooled.
  const h = await history(agent, 'iris');
  assert.equal(h.versions['2'].length, 1);
  const day = h.versions['2'][0];
  const all = referenceScores(arrival);
  assert.equal(day.day, new Date().toISOString().slice(0, 10));
  assert.equal(day.count, arrival.length);
  for (const k of ['accuracy', 'precision', 'recall', 'f1'] as const) assert.ok(Math.abs(day[k]! - all[k]) < 1e-12, `history ${k}`);

  // The concept-drift check on demand: baseline from the first 50 labels, current over the last 40.
  const run = await runConceptDrift(agent, 'iris');
  assert.equal(run.status, 200);
  const r = run.body.results.find((x: { model_version: string }) => x.model_version === '2');
  const baseline = arrival.slice(0, 50).filter(([p, a]) => p === a).length / 50;
  const current = ref.accuracy;
  assert.equal(r.baseline, baseline);
  assert.ok(Math.abs(r.accuracy - current) < 1e-12);
  assert.ok(Math.abs(r.drop_percent - ((baseline - current) / baseline) * 100) < 1e-9);
  assert.equal(r.concept_drift_detected, (baseline - current) / baseline > 0.05 || current < 0.8);
  const after = parsePromText(await agent.metricsText());
  close(after, 'model_accuracy_drop_percent', IRIS2, r.drop_percent);
  close(after, 'model_concept_drift_detected', IRIS2, r.concept_drift_detected ? 1 : 0);
  close(after, 'model_accuracy_baseline', IRIS2, baseline);
  assert.equal((await runConceptDrift(agent, 'nope')).status, 404);
});
