// Wasserstein-1 distance between two empirical distributions, ∫ |F_ref - F_cur| dx (what
// scipy.stats.wasserstein_distance computes for unweighted samples), and Evidently's normed variant:
// divided by the reference's population standard deviation, floored at 0.001 so a constant reference
// does not divide by zero. Agreement with scipy: 1e-9 relative (test/unit/stats/vectors.test.ts).
import { sortedFinite } from './ks.js';

export const WASSERSTEIN_MIN_NORM = 0.001;

export function wassersteinSorted(a: Float64Array, b: Float64Array): number {
  const n1 = a.length;
  const n2 = b.length;
  if (n1 === 0 || n2 === 0) throw new RangeError('wasserstein: both samples need at least one finite value');
  let i = 0;
  let j = 0;
  let prev = Math.min(a[0], b[0]);
  let dist = 0;
  while (i < n1 || j < n2) {
    const x = j >= n2 || (i < n1 && a[i] <= b[j]) ? a[i] : b[j];
    dist += Math.abs(i / n1 - j / n2) * (x - prev);
    while (i < n1 && a[i] === x) i++;
    while (j < n2 && b[j] === x) j++;
    prev = x;
  }
  return dist;
}

export function wasserstein(a: ArrayLike<number>, b: ArrayLike<number>): number {
  return wassersteinSorted(sortedFinite(a), sortedFinite(b));
}

/** Population standard deviation (ddof = 0), two-pass for accuracy. */
export function populationStd(values: ArrayLike<number>): number {
  const n = values.length;
  if (n === 0) return NaN;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += values[i];
  mean /= n;
  let ss = 0;
  for (let i = 0; i < n; i++) ss += (values[i] - mean) ** 2;
  return Math.sqrt(ss / n);
}

export function wassersteinNormedSorted(ref: Float64Array, cur: Float64Array): number {
  return wassersteinSorted(ref, cur) / Math.max(populationStd(ref), WASSERSTEIN_MIN_NORM);
}

export function wassersteinNormed(reference: ArrayLike<number>, current: ArrayLike<number>): number {
  return wassersteinNormedSorted(sortedFinite(reference), sortedFinite(current));
}
