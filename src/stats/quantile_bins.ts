// Reference-quantile binning shared by PSI, Jensen–Shannon on numerical columns and the streaming
// summaries. Definition (mirrored by scripts/gen_drift_vectors.py):
//   - quantile q of a sorted sample s (n values) is numpy's default 'linear' rule: position (n-1)·q,
//     s[lo] + (s[lo+1] - s[lo]) · frac; the position is computed as ((n-1)·j)/B so that the edges for
//     B bins are exactly a subset of the edges for any multiple of B bins;
//   - edges are the interior quantiles j/B, j = 1..B-1, with duplicates dropped (ties);
//   - bin k holds e[k-1] <= x < e[k]; the first bin is (-inf, e[0]) and the last [e[last], +inf), so
//     every finite value falls in exactly one bin (numpy: searchsorted(edges, x, side='right')).
import { selectRanks } from './select.js';

export function quantileSorted(sorted: ArrayLike<number>, j: number, bins: number): number {
  const n = sorted.length;
  const pos = ((n - 1) * j) / bins;
  const lo = Math.floor(pos);
  const frac = pos - lo;
  if (lo + 1 >= n) return sorted[n - 1];
  return sorted[lo] + (sorted[lo + 1] - sorted[lo]) * frac;
}

/** Strictly increasing interior quantile edges of an ascending, finite, non-empty sample. */
export function quantileEdges(sorted: ArrayLike<number>, bins: number): number[] {
  if (sorted.length === 0) throw new RangeError('quantileEdges: empty sample');
  if (!Number.isInteger(bins) || bins < 1) throw new RangeError(`quantileEdges: bins must be a positive integer, got ${bins}`);
  const edges: number[] = [];
  for (let j = 1; j < bins; j++) {
    const e = quantileSorted(sorted, j, bins);
    if (edges.length === 0 || e > edges[edges.length - 1]) edges.push(e);
  }
  return edges;
}

/**
 * The same edges from an unsorted sample (finite, non-empty; not changed): only the order statistics
 * the quantiles read are selected (select.ts), and fed to the same formula.
 */
export function quantileEdgesUnsorted(values: Float64Array, bins: number): number[] {
  if (values.length === 0) throw new RangeError('quantileEdges: empty sample');
  if (!Number.isInteger(bins) || bins < 1) throw new RangeError(`quantileEdges: bins must be a positive integer, got ${bins}`);
  const n = values.length;
  const ranks = [n - 1];
  for (let j = 1; j < bins; j++) {
    const lo = Math.floor(((n - 1) * j) / bins);
    ranks.push(lo);
    if (lo + 1 < n) ranks.push(lo + 1);
  }
  const picked = selectRanks(values, ranks);
  // an array-like holding just those ranks: quantileSorted reads no other index
  const sparse: Record<number, number> & { length: number } = { length: n };
  ranks.forEach((r, k) => (sparse[r] = picked[k]));
  return quantileEdges(sparse, bins);
}

/** Index of the bin holding x: the number of edges <= x (binary search). */
export function binIndex(edges: ArrayLike<number>, x: number): number {
  let lo = 0;
  let hi = edges.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (edges[mid] <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Counts per bin (edges.length + 1 bins) of the finite values; non-finite values are skipped. */
export function binCounts(values: ArrayLike<number>, edges: ArrayLike<number>): Float64Array {
  const counts = new Float64Array(edges.length + 1);
  for (let i = 0; i < values.length; i++) {
    const x = values[i];
    if (Number.isFinite(x)) counts[binIndex(edges, x)]++;
  }
  return counts;
}

/**
 * binCounts for values known to be finite and at most 16 edges (PSI and Jensen–Shannon bins): the
 * bin is the number of edges <= x, summed without branches, which beats a binary search whose
 * branches cannot be predicted.
 */
export function binCountsFinite(values: ArrayLike<number>, edges: ArrayLike<number>): Float64Array {
  const m = edges.length;
  if (m > 16) return binCounts(values, edges);
  const e = new Float64Array(16).fill(Infinity);
  for (let k = 0; k < m; k++) e[k] = edges[k];
  const [e0, e1, e2, e3, e4, e5, e6, e7, e8, e9, e10, e11, e12, e13, e14, e15] = e;
  const counts = new Float64Array(m + 1);
  for (let i = 0; i < values.length; i++) {
    const x = values[i];
    const b =
      +(x >= e0) + +(x >= e1) + +(x >= e2) + +(x >= e3) + +(x >= e4) + +(x >= e5) + +(x >= e6) + +(x >= e7) +
      +(x >= e8) + +(x >= e9) + +(x >= e10) + +(x >= e11) + +(x >= e12) + +(x >= e13) + +(x >= e14) + +(x >= e15);
    counts[b]++;
  }
  return counts;
}

/** Counts per bin of an ascending sample, in one linear pass. */
export function binCountsSorted(sorted: ArrayLike<number>, edges: ArrayLike<number>): Float64Array {
  const counts = new Float64Array(edges.length + 1);
  let b = 0;
  for (let i = 0; i < sorted.length; i++) {
    const x = sorted[i];
    while (b < edges.length && edges[b] <= x) b++;
    counts[b]++;
  }
  return counts;
}
