// Population Stability Index over aligned bins: Σ (c_i - r_i) · ln(c_i / r_i), with r, c the shares
// of reference and current in bin i. Empty bins would make the log infinite: their share is replaced
// by 0.0001 (no renormalisation), the common convention. Numerical columns use reference-quantile bins
// (10 by default, see quantile_bins.ts); categorical columns use the union of categories.
import { binCounts, binCountsSorted, quantileEdges } from './quantile_bins.js';
import { sortedFinite } from './ks.js';
import { total } from './counts.js';

export const PSI_EMPTY_SHARE = 0.0001;
export const PSI_DEFAULT_BINS = 10;

export function psiFromCounts(refCounts: ArrayLike<number>, curCounts: ArrayLike<number>): number {
  if (refCounts.length !== curCounts.length) throw new RangeError('psi: count vectors differ in length');
  const nr = total(refCounts);
  const nc = total(curCounts);
  if (nr === 0 || nc === 0) throw new RangeError('psi: empty sample');
  let s = 0;
  for (let i = 0; i < refCounts.length; i++) {
    const r = refCounts[i] / nr || PSI_EMPTY_SHARE;
    const c = curCounts[i] / nc || PSI_EMPTY_SHARE;
    s += (c - r) * Math.log(c / r);
  }
  return s;
}

export interface PsiOptions {
  /** Number of reference-quantile bins (fewer when the reference has ties). Default 10. */
  bins?: number;
}

/** PSI of two numerical samples; non-finite values are ignored. */
export function psi(reference: ArrayLike<number>, current: ArrayLike<number>, opts: PsiOptions = {}): number {
  const ref = sortedFinite(reference);
  const edges = quantileEdges(ref, opts.bins ?? PSI_DEFAULT_BINS);
  return psiFromCounts(binCountsSorted(ref, edges), binCounts(current, edges));
}
