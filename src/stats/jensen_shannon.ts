// Jensen–Shannon distance (natural log, like scipy.spatial.distance.jensenshannon's default):
// sqrt((KL(p‖m) + KL(q‖m)) / 2), m = (p + q) / 2. Ranges over [0, sqrt(ln 2) ≈ 0.833]. No zero
// filling is needed: 0·ln 0 = 0. Numerical columns are binned like PSI (reference quantiles).
import { binCounts, binCountsSorted, quantileEdges } from './quantile_bins.js';
import { sortedFinite } from './ks.js';
import { total } from './counts.js';

export const JS_DEFAULT_BINS = 10;

export function jensenShannon(refCounts: ArrayLike<number>, curCounts: ArrayLike<number>): number {
  if (refCounts.length !== curCounts.length) throw new RangeError('jensenShannon: count vectors differ in length');
  const nr = total(refCounts);
  const nc = total(curCounts);
  if (nr === 0 || nc === 0) throw new RangeError('jensenShannon: empty sample');
  let s = 0;
  for (let i = 0; i < refCounts.length; i++) {
    const p = refCounts[i] / nr;
    const q = curCounts[i] / nc;
    const m = (p + q) / 2;
    if (p > 0) s += p * Math.log(p / m);
    if (q > 0) s += q * Math.log(q / m);
  }
  return Math.sqrt(Math.max(0, s / 2));
}

export function jensenShannonNumeric(reference: ArrayLike<number>, current: ArrayLike<number>, bins = JS_DEFAULT_BINS): number {
  const ref = sortedFinite(reference);
  const edges = quantileEdges(ref, bins);
  return jensenShannon(binCountsSorted(ref, edges), binCounts(current, edges));
}
