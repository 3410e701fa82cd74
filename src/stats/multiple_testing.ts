// Multiple-testing corrections of p-values (adjusted p-values, compared with the same threshold).
import type { Correction } from './drift_types.js';

export function adjustPValues(pvalues: readonly number[], method: Correction): number[] {
  const m = pvalues.length;
  if (method === 'none' || m === 0) return [...pvalues];
  if (method === 'bonferroni') return pvalues.map((p) => Math.min(1, p * m));
  // Benjamini–Hochberg step-up: adj(i) = min over j >= rank(i) of p(j)·m/j, capped at 1.
  const order = pvalues.map((p, i) => [p, i] as const).sort((a, b) => a[0] - b[0]);
  const adjusted = new Array<number>(m);
  let running = 1;
  for (let r = m - 1; r >= 0; r--) {
    const [p, i] = order[r];
    running = Math.min(running, (p * m) / (r + 1));
    adjusted[i] = running;
  }
  return adjusted;
}
