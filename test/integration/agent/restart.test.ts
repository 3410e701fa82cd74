// An acknowledged prediction is never lost and never counted twice, through kill -9 and restart.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { eventually, startAgent } from '../../helpers/agent.js';
import { emitPrediction, otelClient } from '../../helpers/otel-client.js';
import { parsePromText, sampleValue } from '../../helpers/prom-text.js';

const LABELS = { model_name: 'churn', model_version: '3' };

async function send(agent: Awaited<ReturnType<typeof startAgent>>, n: number, cls: string): Promise<void> {
  const client = otelClient('grpc', agent.ports);
  for (let i = 0; i < n; i++) emitPrediction(client.tracer, { model: 'churn', version: '3', cls, stages: { inference: 0.07 } });
  // forceFlush resolves once every Export call was answered: these spans are acknowledged.
  await client.flush();
  await client.shutdown();
}

async function counts(agent: Awaited<ReturnType<typeof startAgent>>) {
  const s = parsePromText(await agent.metricsText());
  return {
    yes: sampleValue(s, 'model_predictions_total', { ...LABELS, predicted_class: 'yes' }) ?? 0,
    no: sampleValue(s, 'model_predictions_total', { ...LABELS, predicted_class: 'no' }) ?? 0,
    inference: sampleValue(s, 'model_inference_duration_seconds_bucket', { ...LABELS, le: '0.1' }) ?? 0,
  };
}

test('kill -9 right after the acks, twice: counts are complete and exact after restart', async () => {
  let agent = await startAgent();
  const { dir, ports } = agent;
  await send(agent, 700, 'yes');
  await agent.kill9();

  agent = await startAgent({ dir, ports });
  await send(agent, 400, 'no');
  // let part of it through the processors, then crash again mid-stream
  await eventually(async () => ((await counts(agent)).no > 0 ? true : undefined), 'some of the second batch processed');
  await agent.kill9();

  agent = await startAgent({ dir, ports });
  const final = await eventually(async () => {
    const c = await counts(agent);
    return c.yes >= 700 && c.no >= 400 && c.inference >= 1100 ? c : undefined;
  }, 'all acknowledged predictions counted', 20_000);
  // a moment more: nothing may be counted twice
  await new Promise((r) => setTimeout(r, 500));
  assert.deepEqual(await counts(agent), final);
  assert.deepEqual(final, { yes: 700, no: 400, inference: 1100 });
  assert.equal(await agent.stop(), 0);

  // A clean stop checkpoints everything: a restart with no new data shows the same totals.
  agent = await startAgent({ dir, ports });
  assert.deepEqual(await counts(agent), final);
  assert.equal(await agent.stop(), 0);
});
