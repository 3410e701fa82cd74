// kill -9 mid-stream and restart: the final /metrics quality series, the history API and the
// concept-drift check equal those of an agent that ran the same stream uninterrupted. Labels of
// predictions sent before the crash arrive after it, so the pending predictions must come back from the
// agent's database.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { eventually, type AgentHandle } from '../../helpers/agent.js';
import { emitPrediction, otelClient } from '../../helpers/otel-client.js';
import { parsePromText, type Sample } from '../../helpers/prom-text.js';
import { history, qualityConfig, runConceptDrift, startQualityAgent } from './agent.js';

const CLASSES = ['a', 'b', 'c'];
const agents: AgentHandle[] = [];
after(async () => {
  for (const a of agents) await a.kill9();
});

/** Phase k: 150 predictions (a third labelled inline), and feedback spans for the previous phase's others. */
function phases(count: number) {
  let seed = 99;
  const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const out: { id: string; cls: string; actual: string; inline: boolean }[][] = [];
  for (let k = 0; k < count; k++) {
    // Accuracy falls phase by phase, so the detectors and the check have something to say.
    out.push(Array.from({ length: 150 }, (_, i) => {
      const cls = CLASSES[Math.floor(rand() * 3)];
      const actual = rand() < 0.95 - 0.25 * k ? cls : CLASSES[Math.floor(rand() * 3)];
      return { id: `p${k}-${i}`, cls, actual, inline: i % 3 === 0 };
    }));
  }
  return out;
}

async function sendPhase(agent: AgentHandle, all: ReturnType<typeof phases>, k: number): Promise<void> {
  const client = otelClient('grpc', agent.ports);
  for (const p of all[k]) emitPrediction(client.tracer, { model: 'churn', version: '3', cls: p.cls, id: p.id, ...(p.inline ? { groundTruth: p.actual } : {}) });
  await client.flush();
  if (k > 0) {
    for (const p of all[k - 1]) if (!p.inline) client.tracer.startSpan('label', { attributes: { 'ml.prediction.id': p.id, 'ml.ground_truth.class': p.actual } }).end();
  }
  await client.shutdown();
}

function labelsSent(all: ReturnType<typeof phases>, upTo: number): number {
  let n = 0;
  for (let k = 0; k <= upTo; k++) n += all[k].filter((p) => p.inline).length + (k > 0 ? all[k - 1].filter((p) => !p.inline).length : 0);
  return n;
}

async function waitForLabels(agent: AgentHandle, n: number): Promise<Sample[]> {
  return eventually(async () => {
    const s = parsePromText(await agent.metricsText());
    const total = s.filter((x) => x.name === 'model_labeled_predictions_total').reduce((a, x) => a + x.value, 0);
    return total === n ? s : undefined;
  }, `${n} labels joined`, 20_000);
}

const quality = (s: Sample[]) =>
  s
    .filter((x) => x.name.startsWith('model_') && !x.name.includes('duration') && x.name !== 'model_predictions_total')
    .map((x) => `${x.name}${JSON.stringify(Object.entries(x.labels).sort())} ${x.value}`)
    .sort();

test('kill -9 mid-stream, restart, go on: the same final state as an uninterrupted run', async () => {
  const all = phases(4);
  const config = (ports: Parameters<typeof qualityConfig>[0], dir: string) =>
    qualityConfig(ports, dir, {
      processors: '  window: { size: 200, min_samples: 50 }\n  concept_drift: { baseline_samples: 150, min_samples: 50, window: 200, change_hold: 1h }',
      checkpoint: '5s',
    });
  const steady = await startQualityAgent({ config });
  agents.push(steady);
  let crashy = await startQualityAgent({ config });
  agents.push(crashy);

  for (let k = 0; k < all.length; k++) {
    await sendPhase(steady, all, k);
    await sendPhase(crashy, all, k);
    await waitForLabels(steady, labelsSent(all, k));
    if (k === 1) {
      // Acknowledged, partly processed, not yet checkpointed: kill without warning and start again.
      await crashy.kill9();
      crashy = await startQualityAgent({ config, dir: crashy.dir, ports: crashy.ports });
      agents.push(crashy);
    }
  }
  const total = labelsSent(all, all.length - 1);
  const a = quality(await waitForLabels(steady, total));
  const b = quality(await waitForLabels(crashy, total));
  assert.ok(a.some((l) => l.startsWith('model_accuracy[')), 'quality gauges exported');
  assert.ok(a.some((l) => l.startsWith('model_error_rate_change_detected[') && l.endsWith(' 1')), 'the falling accuracy was detected');
  assert.deepEqual(b, a);
  assert.deepEqual(await history(crashy, 'churn'), await history(steady, 'churn'));
  const [ra, rb] = [await runConceptDrift(steady, 'churn'), await runConceptDrift(crashy, 'churn')];
  assert.deepEqual(rb.body.results, ra.body.results);
  assert.equal(ra.body.results[0].concept_drift_detected, true);
  assert.deepEqual(quality(parsePromText(await crashy.metricsText())), quality(parsePromText(await steady.metricsText())));
  assert.equal(await steady.stop(), 0);
  assert.equal(await crashy.stop(), 0);
});
