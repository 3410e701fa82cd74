// The real agent, fed by the real OpenTelemetry JS SDK over each OTLP transport: exact counts and
// histogram buckets on /metrics, stage children joined to predictions across Export calls.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { context, trace } from '@opentelemetry/api';
import { startAgent, eventually, type AgentHandle } from '../helpers/agent.js';
import { emitPrediction, otelClient, PROTOCOLS, type Client } from '../helpers/otel-client.js';
import { parsePromText, sampleValue } from '../helpers/prom-text.js';
import { cpuSeconds, rssMiB } from '../helpers/proc-stats.js';

const IRIS = { model_name: 'iris', model_version: '2' };

async function sendKnownSet(client: Client): Promise<number> {
  const { tracer } = client;
  let spans = 0;
  for (let i = 0; i < 5; i++) {
    emitPrediction(tracer, { model: 'iris', version: '2', cls: 'setosa', confidence: 0.9, stages: { preprocess: 0.004, inference: 0.03, postprocess: 0.002 }, overhead: 0.001 });
    spans += 4;
  }
  for (let i = 0; i < 3; i++) {
    emitPrediction(tracer, { model: 'iris', version: '2', cls: 'virginica', confidence: 0.6, stages: { preprocess: 0.02, inference: 0.3, postprocess: 0.005 } });
    spans += 4;
  }
  for (let i = 0; i < 2; i++) {
    emitPrediction(tracer, { model: 'iris', version: '2', error: 'TimeoutError', stages: { inference: 6 } });
    spans += 2;
  }
  for (let i = 0; i < 4; i++) {
    emitPrediction(tracer, { model: 'fraud', version: '1', cls: '1', features: { amount: 12.5 } });
    spans += 1;
  }
  // A span of the app that is no prediction: accepted, ignored.
  tracer.startSpan('GET /health').end();
  spans += 1;
  await client.flush();

  // Children exported one Export call before their prediction (the SDK does this under load) ...
  const t0 = Date.now() - 30_000;
  const root = tracer.startSpan('predict', { startTime: t0, attributes: { 'ml.model.name': 'iris', 'ml.model.version': '2', 'ml.prediction.class': 'setosa' } });
  const ctx = trace.setSpan(context.active(), root);
  tracer.startSpan('inference', { startTime: t0 }, ctx).end(t0 + 1500);
  await client.flush();
  root.end(t0 + 1600);
  await client.flush();
  // ... and a child exported after its prediction.
  const root2 = tracer.startSpan('predict', { startTime: t0, attributes: { 'ml.model.name': 'iris', 'ml.model.version': '2', 'ml.prediction.class': 'setosa' } });
  const late = tracer.startSpan('postprocess', { startTime: t0 }, trace.setSpan(context.active(), root2));
  root2.end(t0 + 200);
  await client.flush();
  late.end(t0 + 150);
  await client.flush();
  spans += 4;
  return spans;
}

for (const protocol of PROTOCOLS) {
  describe(`OTLP ${protocol} into the agent`, () => {
    let agent: AgentHandle;
    let client: Client;
    before(async () => {
      agent = await startAgent();
      client = otelClient(protocol, agent.ports);
    });
    after(async () => {
      await client?.shutdown();
      const code = await agent?.stop();
      assert.equal(code, 0, `agent exit code; logs:\n${agent?.logs()}`);
    });

    test('counts, errors and stage histograms are exact', async () => {
      const spans = await sendKnownSet(client);
      const samples = await eventually(async () => {
        const s = parsePromText(await agent.metricsText());
        return sampleValue(s, 'model_predictions_total', { ...IRIS, predicted_class: 'setosa' }) === 7 &&
          sampleValue(s, 'model_postprocessing_duration_seconds_count', IRIS) === 9
          ? s
          : undefined;
      }, 'all predictions on /metrics');

      assert.equal(sampleValue(samples, 'model_predictions_total', { ...IRIS, predicted_class: 'virginica' }), 3);
      assert.equal(sampleValue(samples, 'model_predictions_total', { model_name: 'fraud', model_version: '1', predicted_class: '1' }), 4);
      assert.equal(sampleValue(samples, 'model_prediction_errors_total', { ...IRIS, error_type: 'TimeoutError' }), 2);
      // errored predictions are not counted as predictions with a class
      assert.equal(samples.filter((s) => s.name === 'model_predictions_total' && s.labels.model_name === 'iris').reduce((n, s) => n + s.value, 0), 10);

      // Inference: 5 x 0.03 s, 3 x 0.3 s, 2 x 6 s, 1 x 1.5 s (child exported before its root).
      const inf = (le: string) => sampleValue(samples, 'model_inference_duration_seconds_bucket', { ...IRIS, le });
      assert.equal(inf('0.025'), 0);
      assert.equal(inf('0.05'), 5);
      assert.equal(inf('0.2'), 5);
      assert.equal(inf('0.5'), 8);
      assert.equal(inf('1'), 8);
      assert.equal(inf('2'), 9);
      assert.equal(inf('5'), 9);
      assert.equal(inf('10'), 11);
      assert.equal(inf('+Inf'), 11);
      assert.equal(sampleValue(samples, 'model_inference_duration_seconds_count', IRIS), 11);
      const infSum = sampleValue(samples, 'model_inference_duration_seconds_sum', IRIS)!;
      assert.ok(Math.abs(infSum - (5 * 0.03 + 3 * 0.3 + 2 * 6 + 1.5)) < 1e-6, `inference sum ${infSum}`);

      // Preprocess: 5 x 0.004 (le 0.01), 3 x 0.02 (le 0.025).
      assert.equal(sampleValue(samples, 'model_preprocessing_duration_seconds_bucket', { ...IRIS, le: '0.01' }), 5);
      assert.equal(sampleValue(samples, 'model_preprocessing_duration_seconds_bucket', { ...IRIS, le: '0.025' }), 8);
      // Postprocess: 5 x 0.002, 3 x 0.005, and the late child 0.15 (le 0.2).
      assert.equal(sampleValue(samples, 'model_postprocessing_duration_seconds_bucket', { ...IRIS, le: '0.01' }), 8);
      assert.equal(sampleValue(samples, 'model_postprocessing_duration_seconds_bucket', { ...IRIS, le: '0.2' }), 9);

      // End to end, from the root spans: 5 x 0.037, 3 x 0.325, 2 x 6 (errors count too), 1.6, 0.2.
      const total = (le: string) => sampleValue(samples, 'model_prediction_duration_seconds_bucket', { ...IRIS, le });
      assert.equal(total('0.025'), 0);
      assert.equal(total('0.05'), 5);
      assert.equal(total('0.2'), 6);
      assert.equal(total('0.5'), 9);
      assert.equal(total('2'), 10);
      assert.equal(total('10'), 12);
      assert.equal(sampleValue(samples, 'model_prediction_duration_seconds_count', { model_name: 'fraud', model_version: '1' }), 4);

      // The agent's own intake.
      const metricsProtocol = protocol === 'grpc' ? 'grpc' : protocol;
      assert.equal(sampleValue(samples, 'modelwatch_receiver_accepted_spans_total', { protocol: metricsProtocol }), spans);
      assert.equal(samples.filter((s) => s.name === 'modelwatch_receiver_refused_spans_total').length, 0);
      assert.ok(sampleValue(samples, 'modelwatch_queue_capacity_bytes') === 1024 ** 3);
      assert.ok(sampleValue(samples, 'modelwatch_queue_rows') !== undefined);

      // The agent process's own load, against what the kernel says of the same process.
      const vmRss = rssMiB(agent.proc.pid!) * 2 ** 20;
      const rss = sampleValue(samples, 'modelwatch_process_resident_memory_bytes')!;
      assert.ok(Math.abs(rss - vmRss) / vmRss < 0.3, `rss ${rss} against /proc ${vmRss}`);
      const cpu = sampleValue(samples, 'modelwatch_process_cpu_seconds_total')!;
      const kernelCpu = cpuSeconds(agent.proc.pid!); // read after the scrape
      assert.ok(cpu > 0.1 && cpu <= kernelCpu + 0.05, `cpu ${cpu} s against /proc ${kernelCpu} s`);
      const busy = sampleValue(samples, 'modelwatch_event_loop_busy_seconds_total', { thread: 'main' })!;
      assert.ok(busy > 0 && busy <= cpu, `event loop busy ${busy} s of ${cpu} s CPU`);
      // The thread that copies the storage WAL reports its own busy time beside the event loop's.
      const walBusy = sampleValue(samples, 'modelwatch_event_loop_busy_seconds_total', { thread: 'storage/wal_checkpoint' });
      assert.ok(walBusy !== undefined && walBusy >= 0 && walBusy < busy, `WAL checkpoint thread busy ${walBusy} s`);
      assert.ok(sampleValue(samples, 'modelwatch_event_loop_delay_seconds_count')! > 0);
      assert.equal(sampleValue(samples, 'modelwatch_memory_limit_bytes'), 0);
      // The processor chain checkpoints once it has delivered (at most a second later): each one's hold of
      // the event loop is a sample, under its consumer's name.
      const checkpoints = await eventually(async () => {
        const s = parsePromText(await agent.metricsText());
        const n = sampleValue(s, 'modelwatch_consumer_checkpoint_duration_seconds_count', { consumer: 'pipeline/predictions/processors' });
        return n !== undefined && n > 0 ? s : undefined;
      }, 'a checkpoint of the processor chain on /metrics');
      const cpSeconds = sampleValue(checkpoints, 'modelwatch_consumer_checkpoint_duration_seconds_sum', { consumer: 'pipeline/predictions/processors' })!;
      assert.ok(cpSeconds > 0 && cpSeconds < 5, `checkpoint seconds ${cpSeconds}`);
      assert.ok(sampleValue(checkpoints, 'modelwatch_consumer_checkpoint_duration_seconds_bucket', { consumer: 'pipeline/predictions/processors', le: '0.02' }) !== undefined);
    });
  });
}
