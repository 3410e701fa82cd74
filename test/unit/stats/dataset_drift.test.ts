import { test } from 'node:test';
import assert from 'node:assert/strict';
import { computeDatasetDrift, type Columns } from '../../../src/stats/dataset_drift.js';
import { adjustPValues } from '../../../src/stats/multiple_testing.js';
import { autoStatTest } from '../../../src/stats/stattests.js';
import { ks2samp } from '../../../src/stats/ks.js';
import { normals, choices } from './seeded.js';

function dataset(seed: number, n: number, shift: { a?: number; cat?: boolean } = {}): Columns {
  return {
    a: { type: 'num', values: normals(seed, n, shift.a ?? 0) },
    b: { type: 'num', values: normals(seed + 1, n, 5, 2) },
    c: { type: 'cat', values: choices(seed + 2, n, ['red', 'green', 'blue'], shift.cat ? [1, 1, 4] : [3, 2, 1]) },
    flag: { type: 'cat', values: choices(seed + 3, n, ['yes', 'no'], [1, 3]) },
    small: { type: 'num', values: Float64Array.from(choices(seed + 4, n, ['1', '2', '3', '4'], [1, 1, 1, 1]), Number) },
  };
}

test('auto choice follows Evidently: size and distinct values decide the test', () => {
  assert.equal(autoStatTest('num', 1000, 100), 'ks');
  assert.equal(autoStatTest('num', 1001, 100), 'wasserstein');
  assert.equal(autoStatTest('num', 500, 4), 'chisquare');
  assert.equal(autoStatTest('num', 500, 2), 'ztest');
  assert.equal(autoStatTest('num', 5000, 4), 'jensenshannon');
  assert.equal(autoStatTest('cat', 500, 2), 'ztest');
  assert.equal(autoStatTest('cat', 500, 7), 'chisquare');
  assert.equal(autoStatTest('cat', 5000, 2), 'jensenshannon');
});

test('small reference: shifted columns drift, others do not; tests picked per column', () => {
  // Unshifted columns come from the same distribution, so each has a 5% chance of a false alarm at
  // p <= 0.05; the seeds are fixed, and these ones give none (seed 100 gives two, by chance).
  const r = computeDatasetDrift(dataset(110, 800), dataset(210, 900, { a: 0.5, cat: true }));
  const c = r.columns;
  assert.deepEqual([c.a.stattest, c.b.stattest, c.c.stattest, c.flag.stattest, c.small.stattest], ['ks', 'ks', 'chisquare', 'ztest', 'chisquare']);
  assert.deepEqual(Object.keys(c).filter((k) => c[k].drift_detected).sort(), ['a', 'c']);
  assert.equal(r.number_drifted_columns, 2);
  assert.equal(r.share_drifted_columns, 2 / 5);
  assert.equal(r.dataset_drift, false);
  assert.equal(c.a.score, ks2samp((dataset(110, 800).a.values as Float64Array), (dataset(210, 900, { a: 0.5 }).a.values as Float64Array)).pvalue);
  assert.equal(computeDatasetDrift(dataset(110, 800), dataset(210, 900, { a: 0.5, cat: true }), { driftShare: 0.4 }).dataset_drift, true);
});

test('large reference uses distances; overrides per column win', () => {
  const r = computeDatasetDrift(dataset(300, 3000), dataset(400, 2000, { a: 0.5 }), {
    perColumn: { b: { stattest: 'psi', threshold: 0.2 }, c: { threshold: 0.5 } },
  });
  assert.equal(r.columns.a.stattest, 'wasserstein');
  assert.equal(r.columns.a.drift_detected, true);
  assert.equal(r.columns.b.stattest, 'psi');
  assert.equal(r.columns.b.threshold, 0.2);
  assert.equal(r.columns.c.stattest, 'jensenshannon');
  assert.equal(r.columns.c.threshold, 0.5);
  assert.equal(r.columns.small.stattest, 'jensenshannon');
});

test('missing and non-finite values are counted, not tested; absent columns are reported', () => {
  const ref: Columns = { x: { type: 'num', values: [1, 2, 3, 4, 5, 6, 7, 8] }, y: { type: 'cat', values: ['a', 'b', 'a', 'b'] } };
  const cur: Columns = { x: { type: 'num', values: [1, 2, NaN, Infinity, -Infinity, null, 7, 8] } };
  const r = computeDatasetDrift(ref, cur, { stattest: 'ks' });
  assert.equal(r.columns.x.missing_share, 4 / 8);
  assert.equal(r.columns.x.n_current, 4);
  assert.equal(r.columns.x.score, ks2samp([1, 2, 3, 4, 5, 6, 7, 8], [1, 2, 7, 8]).pvalue);
  assert.deepEqual(r.absent_in_current, ['y']);
  assert.equal(r.number_of_columns, 1);
  assert.throws(() => computeDatasetDrift(ref, cur, { stattest: 'wasserstein', columns: ['y'] }), /absent|not/);
});

test('multiple-testing corrections: Bonferroni and Benjamini–Hochberg', () => {
  assert.deepEqual(adjustPValues([0.01, 0.04, 0.03], 'bonferroni'), [0.03, 0.12, 0.09]);
  // BH by hand: sorted 0.01, 0.03, 0.04 → 0.03, 0.045, 0.04 → monotone from the top: 0.03, 0.04, 0.04
  const bh = adjustPValues([0.01, 0.04, 0.03], 'benjamini-hochberg');
  [0.03, 0.04, 0.04].forEach((v, i) => assert.ok(Math.abs(bh[i] - v) < 1e-15));
  const ref = dataset(500, 600);
  const cur = dataset(600, 600, { a: 0.15 });
  const plain = computeDatasetDrift(ref, cur, { columns: ['a', 'b', 'c', 'flag', 'small'] });
  const bonf = computeDatasetDrift(ref, cur, { correction: 'bonferroni' });
  for (const k of Object.keys(plain.columns)) {
    assert.equal(bonf.columns[k].p_value_adjusted, Math.min(1, plain.columns[k].score * 5));
    assert.equal(bonf.columns[k].drift_detected, bonf.columns[k].p_value_adjusted! <= 0.05);
  }
});
