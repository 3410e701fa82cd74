// Every drift statistic against scipy/numpy values from scripts/gen_drift_vectors.py.
// Tolerances (also stated in the modules' doc comments):
//   KS statistic 1e-12 absolute; KS p-value and kstwo.sf 1e-9 absolute + 1e-6 relative;
//   chi-square, Z-test: statistic 1e-9 relative, p-value 1e-9 absolute + 1e-6 relative;
//   Wasserstein, Jensen–Shannon, PSI: 1e-9 relative (+1e-12 absolute).
import { join } from 'node:path';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { ks2samp } from '../../../src/stats/ks.js';
import { kolmogorovSf } from '../../../src/stats/kolmogorov.js';
import { chiSquare } from '../../../src/stats/chisquare.js';
import { wasserstein, wassersteinNormed } from '../../../src/stats/wasserstein.js';
import { jensenShannon, jensenShannonNumeric } from '../../../src/stats/jensen_shannon.js';
import { psi } from '../../../src/stats/psi.js';
import { quantileEdges } from '../../../src/stats/quantile_bins.js';
import { sortedFinite } from '../../../src/stats/ks.js';
import { zTestProportions } from '../../../src/stats/ztest.js';
import { FIXTURES_DIR } from '../../helpers/paths.js';

const vectors = JSON.parse(readFileSync(join(FIXTURES_DIR, 'drift', 'vectors.json'), 'utf8'));

function close(actual: number, expected: number, abs: number, rel: number, what: string): void {
  const ok = actual === expected || Math.abs(actual - expected) <= abs + rel * Math.abs(expected);
  assert.ok(ok, `${what}: got ${actual}, scipy ${expected} (diff ${Math.abs(actual - expected)})`);
}

test('ks2samp matches scipy ks_2samp (exact and asymptotic, ties)', () => {
  assert.ok(vectors.ks_2samp.length >= 8);
  for (const c of vectors.ks_2samp) {
    const r = ks2samp(c.a, c.b);
    close(r.statistic, c.statistic, 1e-12, 0, `${c.name} D`);
    close(r.pvalue, c.pvalue, 1e-9, 1e-6, `${c.name} p`);
    assert.equal(r.method, Math.max(c.a.length, c.b.length) <= 10000 ? 'exact' : 'asymptotic');
  }
});

test('kolmogorovSf matches scipy kstwo.sf across its regimes', () => {
  for (const c of vectors.kstwo_sf) close(kolmogorovSf(c.n, c.x), c.sf, 1e-9, 1e-6, `kstwo.sf(${c.x}, ${c.n})`);
});

test('chiSquare matches scipy chisquare with Evidently-style expected counts', () => {
  for (const c of vectors.chisquare) {
    const r = chiSquare(c.ref, c.cur);
    close(r.statistic, c.statistic, 0, 1e-9, `${c.name} statistic`);
    close(r.pvalue, c.pvalue, 1e-9, 1e-6, `${c.name} p`);
  }
});

test('wasserstein and normed wasserstein match scipy', () => {
  for (const c of vectors.wasserstein) {
    close(wasserstein(c.a, c.b), c.distance, 1e-12, 1e-9, `${c.name} distance`);
    close(wassersteinNormed(c.a, c.b), c.normed, 1e-12, 1e-9, `${c.name} normed`);
  }
});

test('jensenShannon matches scipy jensenshannon (counts and reference-quantile bins)', () => {
  for (const c of vectors.jensenshannon_counts) close(jensenShannon(c.ref, c.cur), c.distance, 1e-12, 1e-9, c.name);
  for (const c of vectors.jensenshannon_numeric)
    close(jensenShannonNumeric(c.a, c.b, c.bins), c.distance, 1e-12, 1e-9, c.name);
});

test('psi and its bin edges match the numpy implementation of the documented binning', () => {
  for (const c of vectors.psi) {
    assert.deepEqual(quantileEdges(sortedFinite(c.a), c.bins), c.edges, `${c.name} edges`);
    close(psi(c.a, c.b, { bins: c.bins }), c.psi, 1e-12, 1e-9, c.name);
  }
});

test('zTestProportions matches the pooled two-proportion z-test (scipy norm.sf)', () => {
  for (const c of vectors.ztest) {
    const r = zTestProportions(c.refHits, c.refTotal, c.curHits, c.curTotal);
    close(r.statistic, c.statistic, 1e-12, 1e-9, `${c.name} z`);
    close(r.pvalue, c.pvalue, 1e-9, 1e-6, `${c.name} p`);
  }
});

test('edge cases: constant samples, missing values ignored, empty rejected', () => {
  assert.deepEqual(ks2samp([1, 1, 1], [1, 1]).statistic, 0);
  assert.equal(ks2samp([1, 1, 1], [1, 1]).pvalue, 1);
  assert.equal(ks2samp([1, NaN, 2, Infinity], [1, 2]).statistic, 0);
  assert.throws(() => ks2samp([NaN], [1]), RangeError);
  assert.deepEqual(chiSquare([5], [9]), { statistic: 0, pvalue: 1 });
  assert.equal(chiSquare([5, 0], [5, 1]).pvalue, 0);
  assert.equal(zTestProportions(10, 10, 5, 5).pvalue, 1);
  assert.equal(jensenShannon([1, 2], [1, 2]), 0);
});
