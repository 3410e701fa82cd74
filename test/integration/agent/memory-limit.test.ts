// Under a sustained overload of large requests the agent holds calls back and refuses what it cannot
// take (retryably), and its resident memory stays under limits.memory; everything acknowledged is counted.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { agentConfig, eventually, startAgent } from '../../helpers/agent.js';
import { parsePromText, sampleValue } from '../../helpers/prom-text.js';
import { rssMiB } from '../../helpers/proc-stats.js';

const LIMIT_MIB = 180;

/** One OTLP/JSON request of `n` prediction spans with long string features (about 1.5 KiB per span). */
function bigRequest(n: number, offset: number): string {
  const pad = 'x'.repeat(1200);
  const spans = Array.from({ length: n }, (_, i) => ({
    traceId: (offset + i + 1).toString(16).padStart(32, '0'), spanId: (offset + i + 1).toString(16).padStart(16, '0'), name: 'predict',
    startTimeUnixNano: '1700000000000000000', endTimeUnixNano: '1700000000050000000',
    attributes: [
      { key: 'ml.model.name', value: { stringValue: 'heavy' } },
      { key: 'ml.prediction.class', value: { stringValue: 'x' } },
      { key: 'ml.feature.blob', value: { stringValue: pad } },
    ],
  }));
  return JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans }] }] });
}

test(`resident memory stays under limits.memory (${LIMIT_MIB} MiB) through a sustained overload`, async (t) => {
  const agent = await startAgent({
    config: (ports, dir) => agentConfig(ports, dir).replace('  checkpoint_interval: 100ms', `  checkpoint_interval: 100ms\n  backpressure_wait: 500ms\nlimits:\n  memory: ${LIMIT_MIB}MiB`).replace('max_recv_msg_size', 'max_recv_msg_size'),
  });
  t.after(() => agent.kill9());
  const pid = agent.proc.pid!;
  const url = `http://127.0.0.1:${agent.ports.http}/v1/traces`;
  let peak = rssMiB(pid);
  const sampler = setInterval(() => (peak = Math.max(peak, rssMiB(pid))), 20);
  let accepted = 0;
  let refusedForMemory = 0;
  const other: string[] = [];
  const deadline = Date.now() + 8000;
  let offset = 0;
  // 24 senders, each request about 3 MiB of JSON: far more than the limit allows at once.
  await Promise.all(
    Array.from({ length: 24 }, async () => {
      while (Date.now() < deadline) {
        const n = 2000;
        const body = bigRequest(n, (offset += n));
        const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
        const text = await res.text();
        if (res.status === 200) accepted += n;
        else if (res.status === 503 && res.headers.get('retry-after')) refusedForMemory++;
        else other.push(`${res.status} ${res.headers.get('retry-after') ?? '-'} ${text.slice(0, 200)}`);
      }
    }),
  );
  clearInterval(sampler);
  t.diagnostic(`peak RSS ${peak.toFixed(0)} MiB (limit ${LIMIT_MIB}); ${accepted} spans acknowledged; ${refusedForMemory} requests refused with 503 + Retry-After`);
  assert.deepEqual(other, [], 'every answer was 200 or a retryable 503');
  assert.ok(refusedForMemory > 0, 'the limit engaged');
  assert.ok(accepted > 0, 'work still got through');
  assert.ok(peak <= LIMIT_MIB, `peak RSS ${peak.toFixed(0)} MiB over the ${LIMIT_MIB} MiB limit`);
  const s = await eventually(async () => {
    const x = parsePromText(await agent.metricsText());
    return sampleValue(x, 'model_predictions_total', { model_name: 'heavy' }) === accepted ? x : undefined;
  }, 'every acknowledged prediction counted');
  assert.equal(sampleValue(s, 'modelwatch_receiver_refused_spans_total', { protocol: 'http/json', reason: 'memory_limit' }), refusedForMemory);
  // What ModelwatchNearMemoryLimit reads: the limit, and resident memory under it.
  assert.equal(sampleValue(s, 'modelwatch_memory_limit_bytes'), LIMIT_MIB * 2 ** 20);
  const rss = sampleValue(s, 'modelwatch_process_resident_memory_bytes')!;
  assert.ok(rss > 0 && rss <= LIMIT_MIB * 2 ** 20, `resident ${rss} B`);
  assert.equal(await agent.stop(), 0);
});
