// Raw columns are shared, not copied, until a test needs them sorted: the caller's arrays must never
// change, and every test must see the same values whether or not another sorted them first.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FiniteSample } from '../../../src/stats/finite_sample.js';
import { computeDatasetDrift } from '../../../src/stats/dataset_drift.js';
import { normals } from './seeded.js';

test('FiniteSample drops non-finite values and sorts a copy, never the caller array', () => {
  const a = Float64Array.from([3, -1, 2, 0, -0]);
  const s = FiniteSample.of(a);
  assert.equal(s.n, 5);
  assert.deepEqual(s.sorted(), Float64Array.from([-1, -0, 0, 2, 3]));
  assert.deepEqual(a, Float64Array.from([3, -1, 2, 0, -0]));
  const m = FiniteSample.of([1, null, NaN, Infinity, -2]);
  assert.deepEqual(m.values, Float64Array.from([1, -2]));
});

test('drift on Float64Array columns leaves them unchanged, and every test gives what it gives alone', () => {
  const ref = normals(1, 3000);
  const cur = normals(2, 2500, 0.2);
  const refCopy = ref.slice();
  const curCopy = cur.slice();
  const alone = (stattest: 'ks' | 'psi' | 'wasserstein' | 'jensenshannon') =>
    computeDatasetDrift({ x: { type: 'num', values: ref } }, { x: { type: 'num', values: cur } }, { stattest }).columns.x;
  const results = (['psi', 'ks', 'jensenshannon', 'wasserstein'] as const).map(alone);
  assert.deepEqual(ref, refCopy);
  assert.deepEqual(cur, curCopy);
  // ks sorted copies; psi run again must still match its first result
  assert.deepEqual(alone('psi'), results[0]);
  assert.ok(results[1].score < 1e-6, 'a 0.2 sd shift is found by KS');
});
