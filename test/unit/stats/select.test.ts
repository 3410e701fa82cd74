// Order statistics and quantile edges without a full sort must equal those read from the sorted array
// (sorted by the built-in TypedArray sort, an independent implementation), bit for bit.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { selectRanks } from '../../../src/stats/select.js';
import { quantileEdges, quantileEdgesUnsorted } from '../../../src/stats/quantile_bins.js';
import { normals, rng } from './seeded.js';

function samples(): [string, Float64Array][] {
  const u = rng(11);
  return [
    ['normal 10k', normals(1, 10_000)],
    ['normal 3', normals(2, 3)],
    ['one value', Float64Array.of(4.5)],
    ['ties: 5 integers', Float64Array.from({ length: 5000 }, () => Math.floor(u() * 5))],
    ['all equal', new Float64Array(2000).fill(7)],
    ['narrow range (one bucket)', Float64Array.from({ length: 3000 }, () => 1000 + u() * 1e-6)],
    ['ascending', Float64Array.from({ length: 3000 }, (_, i) => i)],
    ['descending negatives', Float64Array.from({ length: 3000 }, (_, i) => -i * 0.37)],
    ['signed zeros and ties', Float64Array.from({ length: 999 }, (_, i) => (i % 3 === 0 ? -0 : i % 3 === 1 ? 0 : i % 7))],
    ['wide magnitudes', Float64Array.from({ length: 2000 }, () => (u() - 0.5) * 10 ** Math.floor(u() * 600 - 300))],
  ];
}

test('selectRanks gives the values of the sorted array at those ranks, input unchanged', () => {
  const u = rng(5);
  for (const [name, a] of samples()) {
    const sorted = Float64Array.from(a).sort();
    const ranks = Array.from({ length: 25 }, () => Math.floor(u() * a.length)).concat([0, a.length - 1]);
    const copy = Float64Array.from(a);
    assert.deepEqual(selectRanks(copy, ranks), ranks.map((r) => sorted[r]), name);
    assert.deepEqual(copy, a, `${name}: input unchanged`);
  }
  assert.throws(() => selectRanks(new Float64Array(3), [3]), RangeError);
});

test('quantileEdgesUnsorted equals quantileEdges of the sorted sample', () => {
  for (const [name, a] of samples()) {
    for (const bins of [1, 2, 10, 200]) {
      const expected = quantileEdges(Float64Array.from(a).sort(), bins);
      assert.deepEqual(quantileEdgesUnsorted(Float64Array.from(a), bins), expected, `${name} bins=${bins}`);
    }
  }
});
