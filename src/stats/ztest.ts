// Two-proportion Z-test (pooled variance, two-sided) for a binary column, as Evidently's "z" test:
// z = (p_ref - p_cur) / sqrt(P(1-P)(1/n_ref + 1/n_cur)), P the pooled share; p = 2·P(Z >= |z|).
// When the pooled share is 0 or 1 (one category in both samples) there is no evidence: z = 0, p = 1.
import { normalSf } from './special.js';
import type { TestResult } from './chisquare.js';

/** `refHits` of `refTotal` reference rows (and the same for current) are in the chosen category. */
export function zTestProportions(refHits: number, refTotal: number, curHits: number, curTotal: number): TestResult {
  if (refTotal <= 0 || curTotal <= 0) throw new RangeError('zTestProportions: empty sample');
  const p1 = refHits / refTotal;
  const p2 = curHits / curTotal;
  const pooled = (refHits + curHits) / (refTotal + curTotal);
  const variance = pooled * (1 - pooled) * (1 / refTotal + 1 / curTotal);
  if (!(variance > 0)) return { statistic: 0, pvalue: 1 };
  const z = (p1 - p2) / Math.sqrt(variance);
  return { statistic: z, pvalue: Math.min(1, 2 * normalSf(Math.abs(z))) };
}
