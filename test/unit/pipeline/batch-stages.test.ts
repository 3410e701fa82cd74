// Stage children joined to their prediction within one Export call, before the queue: what they add up
// to must be what the assembler alone makes of the same calls (it stays for children of other calls).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { attachBatchStages } from '../../../src/pipeline/batch-stages.js';
import { Assembler } from '../../../src/pipeline/assembler.js';
import { STAGE_NAMES, type ConsumerRecord, type PredictionRecord, type StageName, type StageRecord, type WireRecord } from '../../../src/pipeline/records.js';
import { mulberry32 } from '../../helpers/random.js';

const T1 = 'a'.repeat(32);
const T2 = 'b'.repeat(32);
const prediction = (traceId: string, spanId: string): PredictionRecord => ({
  kind: 'prediction', id: traceId + spanId, traceId, spanId, startMs: 0, endMs: 1, modelName: 'm', modelVersion: '1', predictedClass: 'a', features: {},
});
const child = (traceId: string, parentSpanId: string, stage: StageName, seconds: number): StageRecord => ({
  kind: 'stage', traceId, parentSpanId, spanId: 'c'.repeat(16), stage, seconds, endMs: 1,
});

test('children before and after their prediction in the same call are added to it and leave the batch', () => {
  const root = prediction(T1, '1'.repeat(16));
  const other = child(T1, '9'.repeat(16), 'inference', 0.5); // its prediction is in another call
  const otherTrace = child(T2, '1'.repeat(16), 'inference', 0.5); // same parent span id, another trace
  const feedback: WireRecord = { kind: 'feedback', predictionId: 'x', groundTruthClass: 'a', timeMs: 1 };
  const out = attachBatchStages([
    child(T1, '1'.repeat(16), 'preprocess', 0.25),
    other,
    child(T1, '1'.repeat(16), 'inference', 1.5),
    root,
    feedback,
    child(T1, '1'.repeat(16), 'postprocess', 0.125),
    child(T1, '1'.repeat(16), 'inference', 0.5), // a second child of one stage adds up, as in the assembler
    otherTrace,
  ]);
  assert.deepEqual(out, [other, root, feedback, otherTrace]);
  assert.deepEqual(root.stages, { preprocess: 0.25, inference: 2, postprocess: 0.125 });
});

test('a batch without children is handed on as it is; children without their prediction stay', () => {
  const plain: WireRecord[] = [prediction(T1, '1'.repeat(16)), prediction(T1, '2'.repeat(16))];
  assert.equal(attachBatchStages(plain), plain);
  assert.equal((plain[0] as PredictionRecord).stages, undefined);
  const orphans: WireRecord[] = [child(T1, '1'.repeat(16), 'inference', 1)];
  assert.equal(attachBatchStages(orphans), orphans);
});

/** Seconds per prediction id and stage: on the predictions handed on, plus late stages. */
function totals(out: readonly ConsumerRecord[]): Map<string, number> {
  const sum = new Map<string, number>();
  const add = (id: string, stage: string, s: number) => sum.set(`${id} ${stage}`, (sum.get(`${id} ${stage}`) ?? 0) + s);
  for (const r of out) {
    if (r.kind === 'prediction') for (const [stage, s] of Object.entries(r.stages ?? {})) add(r.id, stage, s);
    else if (r.kind === 'late_stage') add(r.predictionId, r.stage, r.seconds);
  }
  return sum;
}

test('joined at intake or by the assembler alone, every prediction gets the same stage seconds and the same children are orphaned', () => {
  const u = mulberry32(7);
  const span = (i: number) => i.toString(16).padStart(16, '0');
  for (let run = 0; run < 20; run++) {
    const calls: WireRecord[][] = [];
    // Predictions 0..199 over 30 calls; each child lands in its prediction's call (mostly), an
    // earlier or a later one, or never has a prediction; some predictions are sent twice.
    for (let c = 0; c < 30; c++) calls.push([]);
    for (let i = 0; i < 200; i++) {
      const at = Math.floor(u() * 30);
      const p = prediction(u() < 0.5 ? T1 : T2, span(i));
      calls[at].push(p);
      if (u() < 0.05) calls[Math.min(29, at + Math.floor(u() * 2))].push({ ...p });
      for (const stage of STAGE_NAMES) {
        const n = u() < 0.1 ? 2 : 1;
        for (let k = 0; k < n; k++) {
          const r = u();
          const where = r < 0.8 ? at : r < 0.9 ? Math.max(0, at - 1) : Math.min(29, at + 1);
          calls[where].push(child(p.traceId, r < 0.03 ? span(1000 + i) : p.spanId, stage, Math.round(u() * 1000) / 1000));
        }
      }
    }
    for (const call of calls) call.sort(() => u() - 0.5);
    const opts = { ttlMs: 60_000, maxEntries: 10_000 };
    const alone = new Assembler(opts);
    const joined = new Assembler(opts);
    const a: ConsumerRecord[] = [];
    const b: ConsumerRecord[] = [];
    calls.forEach((call, i) => {
      alone.process(structuredClone(call), i, a);
      joined.process(attachBatchStages(structuredClone(call)), i, b);
    });
    const ta = totals(a);
    const tb = totals(b);
    assert.equal(tb.size, ta.size, `run ${run}`);
    for (const [k, v] of ta) assert.ok(Math.abs((tb.get(k) ?? NaN) - v) < 1e-9, `run ${run}: ${k} ${v} vs ${tb.get(k)}`);
    assert.equal(joined.waitingCount, alone.waitingCount, `run ${run}: children still waiting for a prediction`);
    assert.ok(alone.waitingCount > 0, 'the case of children whose prediction never came is exercised');
    assert.equal(b.filter((r) => r.kind === 'prediction').length, a.filter((r) => r.kind === 'prediction').length);
  }
});
