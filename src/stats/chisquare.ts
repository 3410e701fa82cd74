// Pearson's chi-square goodness of fit of the current counts against the reference proportions, as
// Evidently does it: expected_i = ref_i · (n_cur / n_ref) over the union of categories, dof = k - 1
// (scipy.stats.chisquare(f_obs=current, f_exp=expected)). A category unseen in the reference but seen
// in current makes the statistic infinite (p = 0): a brand-new category is drift. One category: p = 1.
import { chiSquareSf } from './special.js';
import { total } from './counts.js';

export interface TestResult {
  statistic: number;
  pvalue: number;
}

export function chiSquare(refCounts: ArrayLike<number>, curCounts: ArrayLike<number>): TestResult {
  if (refCounts.length !== curCounts.length) throw new RangeError('chiSquare: count vectors differ in length');
  const nr = total(refCounts);
  const nc = total(curCounts);
  if (nr === 0 || nc === 0) throw new RangeError('chiSquare: empty sample');
  let k = 0;
  let stat = 0;
  for (let i = 0; i < refCounts.length; i++) {
    const obs = curCounts[i];
    const exp = refCounts[i] * (nc / nr);
    if (exp === 0 && obs === 0) continue;
    k++;
    stat += exp === 0 ? Infinity : ((obs - exp) * (obs - exp)) / exp;
  }
  if (k <= 1) return { statistic: 0, pvalue: 1 };
  return { statistic: stat, pvalue: Number.isFinite(stat) ? chiSquareSf(stat, k - 1) : 0 };
}
