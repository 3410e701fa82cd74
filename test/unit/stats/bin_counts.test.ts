// The branch-free bin counter must count exactly like the binary search (edges <= x), whatever the
// number of edges, values on the edges, ties and signed zeros.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { binCounts, binCountsFinite } from '../../../src/stats/quantile_bins.js';
import { normals, rng } from './seeded.js';

test('binCountsFinite equals binCounts for 0 to 20 edges', () => {
  const u = rng(3);
  const values = Float64Array.from([...normals(4, 5000), 0, -0, 1, 1, -1]);
  for (let m = 0; m <= 20; m++) {
    const raw = Array.from({ length: m }, (_, k) => (k % 3 === 0 ? values[Math.floor(u() * values.length)] : normals(m * 7 + k, 1)[0]));
    const edges = [...new Set(raw)].sort((a, b) => a - b);
    const got = binCountsFinite(values, edges);
    assert.deepEqual(got, binCounts(values, edges), `${edges.length} edges`);
    assert.equal(got.reduce((a, b) => a + b, 0), values.length);
  }
});
