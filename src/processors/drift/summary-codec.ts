// Compact, exact JSON for the summaries of a checkpoint. A window holds up to window/sub_window
// summaries per column, so the bin spec (known from the reference) is left out and bin counts are
// written sparsely (most fine bins of an hour are empty). Doubles survive JSON exactly.
import { CategoricalSummary, NumericSummary, type FeatureSummary, type NumericBinSpec } from '../../stats/drift.js';
import type { CategoricalSummaryJSON } from '../../stats/feature_summary.js';

export interface NumericState {
  /** Non-empty bins as index, count, index, count, ... */
  c: number[];
  m: number;
  f: number;
  mu: number;
  m2: number;
  lo: number | null;
  hi: number | null;
  d: [number, number][] | null;
  x: number[] | null;
}
export type SummaryState = NumericState | CategoricalSummaryJSON;

export function encodeSummary(s: FeatureSummary): SummaryState {
  if (s.kind === 'cat') return s.toJSON();
  const c: number[] = [];
  for (let i = 0; i < s.counts.length; i++) if (s.counts[i] !== 0) c.push(i, s.counts[i]);
  const j = s.toJSON();
  return { c, m: j.missing, f: j.finite, mu: j.mean, m2: j.m2, lo: j.min, hi: j.max, d: j.distinct, x: j.exact };
}

/** `spec` is the column's reference bin spec (numerical columns), `maxExact` the exact_max setting. */
export function decodeSummary(state: SummaryState, spec: NumericBinSpec | undefined, maxExact: number): FeatureSummary {
  if ('kind' in state) return CategoricalSummary.fromJSON(state);
  if (!spec) throw new Error('a numerical summary needs its bin spec');
  const counts = new Array<number>(spec.edges.length + 1).fill(0);
  for (let k = 0; k < state.c.length; k += 2) {
    if (state.c[k] >= counts.length) throw new Error('summary bins do not match the reference bin spec');
    counts[state.c[k]] = state.c[k + 1];
  }
  return NumericSummary.fromJSON({
    kind: 'num', spec, counts, missing: state.m, finite: state.f, mean: state.mu, m2: state.m2,
    min: state.lo, max: state.hi, distinct: state.d, exact: state.x, maxExact,
  });
}
