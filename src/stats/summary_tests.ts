// Drift statistics computed from binned NumericSummary pairs (same bin spec), and their error bounds.
//
// Binned KS: D_b = max over bin edges e of |F_ref(e-) - F_cur(e-)|. Inside a bin both empirical CDFs
// move by at most that bin's mass, so D_b <= D_exact <= D_b + max_k max(p_k, q_k) (p, q: the bin
// masses of reference and current). With 200 reference-quantile bins the reference's masses are
// ~0.005; the current's are as small when there is no drift and large only when there is (when the
// verdict is not in doubt). The p-value uses D_b with the true sample sizes, so it is never smaller
// than the exact one: binned KS can only miss drift by at most the bound, never invent it.
//
// Binned Wasserstein: both CDFs are taken as linear inside each bin (bins bounded by the edges and the
// overall min/max), and ∫|F - G| is integrated exactly for those piecewise-linear CDFs. In bin k of
// width w_k each interpolated CDF is off by at most its bin mass, so |W_b - W| <= Σ_k w_k (p_k + q_k).
//
// PSI and Jensen–Shannon use the coarse bins, which are exactly the bins of the exact computation, so
// they are equal to the exact values (up to rounding). Chi-square and the z-test use exact counts.
import type { NumericSummary } from './feature_summary.js';
import { ksPValue } from './ks.js';
import { WASSERSTEIN_MIN_NORM } from './wasserstein.js';

export interface BinnedResult {
  statistic: number;
  pvalue?: number;
  /** Upper bound on |statistic - exact statistic|. */
  errorBound: number;
}

function checkPair(ref: NumericSummary, cur: NumericSummary): void {
  if (ref.counts.length !== cur.counts.length) throw new Error('summaries have different bins');
  if (ref.n === 0 || cur.n === 0) throw new RangeError('summary has no finite value');
}

export function binnedKs(ref: NumericSummary, cur: NumericSummary): BinnedResult {
  checkPair(ref, cur);
  const nr = ref.n;
  const nc = cur.n;
  let cr = 0;
  let cc = 0;
  let d = 0;
  let maxMass = 0;
  for (let k = 0; k < ref.counts.length; k++) {
    maxMass = Math.max(maxMass, ref.counts[k] / nr, cur.counts[k] / nc);
    cr += ref.counts[k];
    cc += cur.counts[k];
    d = Math.max(d, Math.abs(cr / nr - cc / nc));
  }
  return { statistic: d, pvalue: ksPValue(d, nr, nc).pvalue, errorBound: maxMass };
}

/** Bin boundaries [lo_k, hi_k] with the outer bins closed by the overall min and max. */
function binBounds(ref: NumericSummary, cur: NumericSummary): Float64Array {
  const edges = ref.spec.edges;
  const lo = Math.min(ref.min, cur.min);
  const hi = Math.max(ref.max, cur.max);
  const b = new Float64Array(edges.length + 2);
  b[0] = Math.min(lo, edges.length ? edges[0] : lo);
  for (let i = 0; i < edges.length; i++) b[i + 1] = edges[i];
  b[edges.length + 1] = Math.max(hi, edges.length ? edges[edges.length - 1] : hi);
  return b;
}

export function binnedWasserstein(ref: NumericSummary, cur: NumericSummary): BinnedResult {
  checkPair(ref, cur);
  const nr = ref.n;
  const nc = cur.n;
  const bounds = binBounds(ref, cur);
  let f = 0;
  let g = 0;
  let dist = 0;
  let bound = 0;
  for (let k = 0; k < ref.counts.length; k++) {
    const w = bounds[k + 1] - bounds[k];
    const p = ref.counts[k] / nr;
    const q = cur.counts[k] / nc;
    const d0 = f - g;
    f += p;
    g += q;
    const d1 = f - g;
    // ∫ over the bin of |linear from d0 to d1|
    const a0 = Math.abs(d0);
    const a1 = Math.abs(d1);
    dist += w * (d0 * d1 >= 0 ? (a0 + a1) / 2 : (d0 * d0 + d1 * d1) / (2 * (a0 + a1)));
    bound += w * (p + q);
  }
  return { statistic: dist, errorBound: bound };
}

export function binnedWassersteinNormed(ref: NumericSummary, cur: NumericSummary): BinnedResult {
  const r = binnedWasserstein(ref, cur);
  const norm = Math.max(ref.std, WASSERSTEIN_MIN_NORM);
  return { statistic: r.statistic / norm, errorBound: r.errorBound / norm };
}
