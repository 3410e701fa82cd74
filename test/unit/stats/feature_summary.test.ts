// Streaming summaries: merge, JSON round trip, and agreement of the binned statistics with the exact
// ones within the documented bounds (summary_tests.ts): D_b <= D <= D_b + max bin mass;
// |W_b - W| <= Σ w_k (p_k + q_k); PSI and Jensen–Shannon equal to 1e-12.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NumericSummary, CategoricalSummary, numericBinSpec, summaryFromJSON, OTHER_CATEGORY } from '../../../src/stats/feature_summary.js';
import { binnedKs, binnedWassersteinNormed } from '../../../src/stats/summary_tests.js';
import { ks2samp } from '../../../src/stats/ks.js';
import { wassersteinNormed, populationStd } from '../../../src/stats/wasserstein.js';
import { psi } from '../../../src/stats/psi.js';
import { jensenShannonNumeric } from '../../../src/stats/jensen_shannon.js';
import { computeDatasetDrift, computeDatasetDriftFromSummaries } from '../../../src/stats/dataset_drift.js';
import { normals, choices } from './seeded.js';

const ref = normals(1, 5000);
const spec = numericBinSpec(ref);

function summarize(values: Float64Array, maxExact = 0): NumericSummary {
  return new NumericSummary(spec, maxExact).addAll(values);
}

test('binned KS brackets the exact D and its p-value is conservative', () => {
  for (const [shift, seed] of [[0, 2], [0.05, 3], [0.3, 4], [2, 5]]) {
    const cur = normals(seed, 20000, shift);
    const exact = ks2samp(ref, cur);
    const b = binnedKs(summarize(ref), summarize(cur));
    assert.ok(b.statistic <= exact.statistic + 1e-12, `shift ${shift}: D_b ${b.statistic} > D ${exact.statistic}`);
    assert.ok(exact.statistic <= b.statistic + b.errorBound + 1e-12, `shift ${shift}: bound violated`);
    assert.ok(b.pvalue! >= exact.pvalue - 1e-12);
    if (shift < 0.1) assert.ok(b.errorBound < 0.02, `bound ${b.errorBound} should be near 1/200 without drift`);
  }
});

test('binned normed Wasserstein is within its error bound of the exact value', () => {
  for (const [shift, sd, seed] of [[0, 1, 6], [0.2, 1, 7], [0, 2, 8], [3, 1, 9]]) {
    const cur = normals(seed, 8000, shift, sd);
    const exact = wassersteinNormed(ref, cur);
    const b = binnedWassersteinNormed(summarize(ref), summarize(cur));
    assert.ok(Math.abs(b.statistic - exact) <= b.errorBound + 1e-12, `shift ${shift} sd ${sd}: ${b.statistic} vs ${exact} bound ${b.errorBound}`);
    if (shift === 0 && sd === 1) assert.ok(Math.abs(b.statistic - exact) < 0.01);
  }
});

test('PSI and Jensen–Shannon from summaries equal the exact values', () => {
  const cur = normals(10, 3000, 0.4, 1.3);
  const r = computeDatasetDriftFromSummaries({ x: summarize(ref) }, { x: summarize(cur) }, { stattest: 'psi' });
  assert.ok(Math.abs(r.columns.x.score - psi(ref, cur)) < 1e-12);
  const j = computeDatasetDriftFromSummaries({ x: summarize(ref) }, { x: summarize(cur) }, { stattest: 'jensenshannon' });
  assert.ok(Math.abs(j.columns.x.score - jensenShannonNumeric(ref, cur, 10)) < 1e-12);
});

test('hourly summaries merge into the summary of the whole window, through JSON', () => {
  const all = normals(11, 24 * 500, 0.1);
  const whole = summarize(all);
  all[7] = NaN;
  all[8] = Infinity;
  const merged = new NumericSummary(spec);
  for (let h = 0; h < 24; h++) {
    const hour = summarize(all.subarray(h * 500, (h + 1) * 500));
    merged.merge(summaryFromJSON(JSON.parse(JSON.stringify(hour))) as NumericSummary);
  }
  assert.equal(merged.missing, 2);
  assert.equal(merged.n, whole.n - 2);
  assert.ok(Math.abs(merged.std - populationStd(all.filter(Number.isFinite))) < 1e-9);
  assert.equal(merged.min, Math.min(...all.filter(Number.isFinite)));
  const again = summaryFromJSON(JSON.parse(JSON.stringify(merged))) as NumericSummary;
  assert.deepEqual(Array.from(again.counts), Array.from(merged.counts));
  assert.equal(again.std, merged.std);
});

test('exact mode keeps raw values for small windows and gives the exact KS', () => {
  const cur = normals(12, 300, 0.2);
  const r = computeDatasetDriftFromSummaries({ x: summarize(ref, 10000) }, { x: summarize(cur, 1000) }, { stattest: 'ks' });
  const e = ks2samp(ref, cur);
  assert.equal(r.columns.x.statistic, e.statistic);
  assert.equal(r.columns.x.score, e.pvalue);
  assert.equal(r.columns.x.error_bound, undefined);
  const overflow = summarize(cur, 100);
  assert.equal(overflow.exact, null, 'exact values are dropped past maxExact: memory stays bounded');
});

test('categorical summaries: bounded categories with an OTHER bucket, merge and agreement with exact', () => {
  const s = new CategoricalSummary(3).addAll(['a', 'b', 'c', 'd', 'e', null, '']);
  assert.equal(s.counts.size, 3);
  assert.equal(s.other, 2);
  assert.equal(s.missing, 2);
  assert.equal(s.categoryCounts().get(OTHER_CATEGORY), 2);
  const refCats = choices(13, 4000, ['x', 'y', 'z'], [5, 3, 2]);
  const curCats = choices(14, 3000, ['x', 'y', 'z'], [3, 3, 4]);
  const a = new CategoricalSummary().addAll(curCats.slice(0, 1000));
  a.merge(CategoricalSummary.fromJSON(JSON.parse(JSON.stringify(new CategoricalSummary().addAll(curCats.slice(1000))))));
  const fromSummaries = computeDatasetDriftFromSummaries({ c: new CategoricalSummary().addAll(refCats) }, { c: a });
  const exact = computeDatasetDrift({ c: { type: 'cat', values: refCats } }, { c: { type: 'cat', values: curCats } });
  assert.deepEqual(fromSummaries.columns.c, exact.columns.c);
  assert.equal(exact.columns.c.stattest, 'jensenshannon');
  assert.equal(exact.columns.c.drift_detected, true);
});
