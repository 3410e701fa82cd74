// One drift run for one model version: the window merged at `now`, one test per reference column
// against the current summaries, and the dataset verdict. Pure computation (no I/O, no metrics).
import {
  computeDatasetDriftFromSummaries, NumericSummary,
  type ColumnOptions, type Correction, type DriftResult, type FeatureSummary, type StatTestName,
} from '../../stats/drift.js';
import type { Histogram } from '../../report/histograms.js';
import type { ReferenceSet } from './columns.js';
import type { SlidingWindow } from './window.js';
import { summaryHistogram } from './summary-histograms.js';

export interface RunSettings {
  stattest: StatTestName | 'auto';
  threshold?: number;
  features: Record<string, ColumnOptions>;
  driftShare: number;
  correction: Correction;
  minSamples: number;
}

interface RunIdentity {
  model: string;
  version: string;
  /** ISO time of the run. */
  time: string;
}

/** The offline `drift` command's JSON, plus who, when and over what. */
export type DriftRunResult = RunIdentity &
  DriftResult & {
    status: 'ok';
    reference: string;
    window: { start: string; end: string };
    n_current: number;
    /** Share of current predictions without a value, per reference column (1 for absent columns). */
    missing_share: Record<string, number>;
  };

/** No verdict: too few predictions, the reference still being captured, none found, or a failed test. */
export type DriftRunSkipped = RunIdentity & {
  status: 'insufficient_data' | 'capturing_reference' | 'no_reference' | 'error';
  n_current: number;
  message: string;
};

export type DriftRunOutcome = DriftRunResult | DriftRunSkipped;

export interface ComputedRun {
  outcome: DriftRunOutcome;
  /** For the HTML report (verdicts only). */
  histograms: Record<string, Histogram>;
}

export function computeRun(id: RunIdentity, reference: ReferenceSet, window: SlidingWindow, now: number, s: RunSettings): ComputedRun {
  window.expire(now);
  const merged = window.merged(now);
  if (merged.count < s.minSamples) {
    return skipped(id, 'insufficient_data', merged.count, `${merged.count} predictions in the current window, fewer than min_samples (${s.minSamples}): no verdict`);
  }
  const ref: Record<string, FeatureSummary> = {};
  const cur: Record<string, FeatureSummary> = {};
  const missing: Record<string, number> = {};
  const histograms: Record<string, Histogram> = {};
  reference.columns.forEach((col, i) => {
    const c = merged.summaries[i];
    const total = c.n + c.missing;
    missing[col.name] = total === 0 ? 1 : c.missing / total;
    let r = col.summary;
    let k = c;
    // Exact tests need raw values on both sides; otherwise both sides are tested binned.
    if (r.kind === 'num' && k.kind === 'num' && (r.exact === null) !== (k.exact === null)) {
      r = withoutExact(r);
      k = withoutExact(k);
    }
    ref[col.name] = r;
    // A column with no value at all in the window is absent from the stream, not drifted.
    if (c.n > 0) {
      cur[col.name] = k;
      histograms[col.name] = summaryHistogram(r, k);
    }
  });
  const perColumn: Record<string, ColumnOptions> = {};
  for (const [name, o] of Object.entries(s.features)) if (name in ref) perColumn[name] = o;
  let result: DriftResult;
  try {
    result = computeDatasetDriftFromSummaries(ref, cur, {
      stattest: s.stattest, threshold: s.threshold, perColumn, driftShare: s.driftShare, correction: s.correction,
    });
  } catch (e) {
    return skipped(id, 'error', merged.count, (e as Error).message);
  }
  return {
    outcome: {
      ...id,
      status: 'ok',
      reference: reference.source,
      window: { start: new Date(merged.start).toISOString(), end: new Date(Math.min(merged.end, now)).toISOString() },
      n_current: merged.count,
      missing_share: missing,
      ...result,
    },
    histograms,
  };
}

export function skipped(id: RunIdentity, status: DriftRunSkipped['status'], n: number, message: string): ComputedRun {
  return { outcome: { ...id, status, n_current: n, message }, histograms: {} };
}

function withoutExact(s: NumericSummary): NumericSummary {
  if (s.exact === null) return s;
  return NumericSummary.fromJSON({ ...s.toJSON(), exact: null });
}
