// Two-sample Kolmogorov–Smirnov test, two-sided, matching scipy.stats.ks_2samp(method='auto'):
//   - statistic D = sup |F_ref - F_cur| over all observed values (ties handled by evaluating the
//     right-continuous empirical CDFs after each distinct value);
//   - p-value exact when max(n1, n2) <= 10000 (probability that a uniformly random interleaving of
//     the two samples reaches D, by dynamic programming over the lattice path band), otherwise
//     asymptotic: P(D_N >= d) of the one-sample Kolmogorov distribution with N = round(n1·n2/(n1+n2)).
// Like scipy, the exact p-value assumes no ties (it is then conservative with ties).
// Agreement with scipy 1.10 (test/unit/stats/ks.test.ts): D to 1e-12 absolute; p-value to
// 1e-9 absolute + 1e-6 relative.
import { kolmogorovSf } from './kolmogorov.js';
import { sortFloat64InPlace } from './sort.js';

export interface KsResult {
  statistic: number;
  pvalue: number;
  method: 'exact' | 'asymptotic';
}

export const KS_MAX_EXACT_N = 10000;

/** Sorted copy with non-finite values removed (callers count those as missing before testing). */
export function sortedFinite(values: ArrayLike<number>): Float64Array {
  let n = 0;
  for (let i = 0; i < values.length; i++) if (Number.isFinite(values[i])) n++;
  const out = new Float64Array(n);
  let k = 0;
  for (let i = 0; i < values.length; i++) if (Number.isFinite(values[i])) out[k++] = values[i];
  return sortFloat64InPlace(out);
}

/** D for two ascending samples. */
export function ksStatisticSorted(a: Float64Array, b: Float64Array): number {
  const n1 = a.length;
  const n2 = b.length;
  let i = 0;
  let j = 0;
  let d = 0;
  while (i < n1 && j < n2) {
    const v = Math.min(a[i], b[j]);
    while (i < n1 && a[i] === v) i++;
    while (j < n2 && b[j] === v) j++;
    const diff = Math.abs(i / n1 - j / n2);
    if (diff > d) d = diff;
  }
  return d;
}

export function ks2samp(a: ArrayLike<number>, b: ArrayLike<number>): KsResult {
  return ks2sampSorted(sortedFinite(a), sortedFinite(b));
}

export function ks2sampSorted(a: Float64Array, b: Float64Array): KsResult {
  if (a.length === 0 || b.length === 0) throw new RangeError('ks2samp: both samples need at least one finite value');
  const d = ksStatisticSorted(a, b);
  return { statistic: d, ...ksPValue(d, a.length, b.length) };
}

/** Two-sided p-value of an observed D for sample sizes n1, n2 (scipy's 'auto' method). */
export function ksPValue(d: number, n1: number, n2: number): { pvalue: number; method: 'exact' | 'asymptotic' } {
  if (Math.max(n1, n2) <= KS_MAX_EXACT_N) return { pvalue: ksExactPValue(d, n1, n2), method: 'exact' };
  const en = (n1 * n2) / (n1 + n2);
  return { pvalue: kolmogorovSf(Math.round(en), d), method: 'asymptotic' };
}

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}

/**
 * P(D >= d) when all C(m+n, m) interleavings are equally likely. In units of 1/lcm(m, n) a lattice
 * point (i, j) has |i/m - j/n| = |i·n' - j·m'| with n' = n/g, m' = m/g; the path stays "inside" while
 * that is < h = round(d·lcm). We push probability mass along the path (step in i with probability
 * (m-i)/(remaining), like drawing without replacement) and add up the mass that first leaves the band:
 * a sum of positive terms, so tiny p-values keep their relative precision.
 */
export function ksExactPValue(d: number, m: number, n: number): number {
  const g = gcd(m, n);
  const mp = m / g;
  const np = n / g;
  const lcm = mp * n;
  const h = Math.round(d * lcm);
  if (h <= 0) return 1;
  // Inside cells of row i: j with |i·np - j·mp| < h, i.e. j in (i·np - h)/mp < j < (i·np + h)/mp.
  const lo = (i: number) => Math.max(0, Math.floor((i * np - h) / mp) + 1);
  const hi = (i: number) => Math.min(n, Math.ceil((i * np + h) / mp) - 1);
  const mass = new Float64Array(n + 1);
  let outside = 0;
  let loPrev = 0;
  let hiPrev = -1;
  for (let i = 0; i <= m; i++) {
    const l = lo(i);
    const u = hi(i);
    // Mass coming down from row i-1 into cells left of the band leaves it.
    for (let j = loPrev; j <= Math.min(hiPrev, l - 1); j++) {
      outside += (mass[j] * (m - i + 1)) / (m + n - (i - 1) - j);
      mass[j] = 0;
    }
    for (let j = l; j <= u; j++) {
      let v = 0;
      if (i === 0 && j === 0) v = 1;
      if (i > 0 && j >= loPrev && j <= hiPrev) v += (mass[j] * (m - i + 1)) / (m + n - (i - 1) - j);
      if (j > l) v += (mass[j - 1] * (n - j + 1)) / (m + n - i - (j - 1));
      mass[j] = v;
    }
    if (u < n && u >= l) outside += (mass[u] * (n - u)) / (m + n - i - u);
    loPrev = l;
    hiPrev = u;
  }
  return Math.min(1, Math.max(0, outside));
}
