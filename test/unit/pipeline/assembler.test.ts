// The assembler's checkpointed state: predictions already handed on (roots) must survive a restart, so a
// child that arrives after it still finds its prediction, with the right id and model.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { serialize, deserialize } from 'node:v8';
import { Assembler } from '../../../src/pipeline/assembler.js';
import type { PredictionRecord, StageRecord } from '../../../src/pipeline/records.js';

const prediction = (traceId: string, spanId: string, model: string, id = traceId + spanId): PredictionRecord => ({
  kind: 'prediction', id, traceId, spanId, startMs: 0, endMs: 1, modelName: model, modelVersion: '1', predictedClass: 'a', features: {},
});
const child = (traceId: string, parentSpanId: string): StageRecord => ({ kind: 'stage', traceId, parentSpanId, spanId: 'c', stage: 'postprocess', seconds: 0.25, endMs: 2 });

test('roots survive a checkpoint: a late child after restart becomes a late stage of its prediction', () => {
  const a = new Assembler({ ttlMs: 30_000, maxEntries: 1000 });
  const preds = [prediction('t1', 's1', 'fraud'), prediction('t2', 's2', 'churn', 'explicit-id'), prediction('t3', 's3', 'fraud')];
  a.process(preds, 1000);
  const b = new Assembler({ ttlMs: 30_000, maxEntries: 1000 });
  b.restore(deserialize(serialize(a.snapshot())));
  assert.deepEqual(b.snapshot(), a.snapshot());
  const out = b.process([child('t2', 's2'), child('t1', 's1')], 2000);
  assert.deepEqual(out, [
    { kind: 'late_stage', predictionId: 'explicit-id', modelName: 'churn', modelVersion: '1', stage: 'postprocess', seconds: 0.25 },
    { kind: 'late_stage', predictionId: 't1s1', modelName: 'fraud', modelVersion: '1', stage: 'postprocess', seconds: 0.25 },
  ]);
});

test('a checkpoint written before roots were stored in columns is restored too', () => {
  const legacy = { waiting: [], roots: [['t9/s9', { id: 'p9', modelName: 'm', modelVersion: '2', at: 5 }]], expired: 3 };
  const a = new Assembler({ ttlMs: 30_000, maxEntries: 1000 });
  a.restore(legacy);
  assert.deepEqual(a.process([child('t9', 's9')], 6), [{ kind: 'late_stage', predictionId: 'p9', modelName: 'm', modelVersion: '2', stage: 'postprocess', seconds: 0.25 }]);
  assert.equal(a.expired, 3);
});
