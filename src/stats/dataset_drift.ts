// Dataset drift: one test per column (chosen automatically or forced), an optional multiple-testing
// correction over the p-value tests, and the dataset verdict share_drifted_columns >= drift_share.
import type { ColumnDriftResult, ColumnOptions, ColumnType, DriftOptions, DriftResult, StatTestName } from './drift_types.js';
import { STAT_TESTS, autoStatTest, isDrift } from './stattests.js';
import { adjustPValues } from './multiple_testing.js';
import { PSI_DEFAULT_BINS } from './psi.js';
import {
  categoricalEvidence, distinctValues, numericEvidence, runStatTest, summaryEvidence, type ColumnEvidence,
} from './column_evidence.js';
import type { FeatureSummary } from './feature_summary.js';

export const DEFAULT_DRIFT_SHARE = 0.5;

/** A column of raw values: numbers (NaN / ±Infinity = missing) or categories (null / '' = missing). */
export type Column =
  | { type: 'num'; values: Float64Array | readonly (number | null)[] }
  | { type: 'cat'; values: readonly (string | null)[] };
export type Columns = Record<string, Column>;

export function computeDatasetDrift(reference: Columns, current: Columns, options: DriftOptions = {}): DriftResult {
  const names = options.columns ?? Object.keys(reference);
  const pairs: [string, ColumnEvidence, ColumnEvidence][] = [];
  const absent: string[] = [];
  for (const name of names) {
    const r = reference[name];
    if (!r) throw new Error(`column "${name}" is not in the reference`);
    const c = current[name];
    if (!c) {
      // Asked for by name: an error. Otherwise: reported as absent, not as drift.
      if (options.columns) throw new Error(`column "${name}" is not in the current data`);
      absent.push(name);
      continue;
    }
    const type: ColumnType = options.perColumn?.[name]?.type ?? r.type;
    pairs.push([name, evidence(r, type), evidence(c, type)]);
  }
  return driftFromEvidence(pairs, absent, options);
}

/** The same from streaming summaries (one per feature and side, built with the same bin spec). */
export function computeDatasetDriftFromSummaries(
  reference: Record<string, FeatureSummary>, current: Record<string, FeatureSummary>, options: DriftOptions = {},
): DriftResult {
  const names = options.columns ?? Object.keys(reference);
  const pairs: [string, ColumnEvidence, ColumnEvidence][] = [];
  const absent: string[] = [];
  for (const name of names) {
    const r = reference[name];
    if (!r) throw new Error(`column "${name}" is not in the reference`);
    const c = current[name];
    if (!c && options.columns) throw new Error(`column "${name}" is not in the current data`);
    if (!c) absent.push(name);
    else pairs.push([name, summaryEvidence(r), summaryEvidence(c)]);
  }
  return driftFromEvidence(pairs, absent, options);
}

function evidence(col: Column, type: ColumnType): ColumnEvidence {
  if (type === col.type) {
    return col.type === 'num' ? numericEvidence(col.values) : categoricalEvidence(col.values);
  }
  // Forced type change: numbers as categories, or category strings parsed as numbers.
  if (type === 'cat') return categoricalEvidence(Array.from(col.values as ArrayLike<number | null>, (v) => (v === null || !Number.isFinite(v) ? null : String(v))));
  return numericEvidence((col.values as readonly (string | null)[]).map((v) => (v === null || v.trim() === '' ? NaN : Number(v))));
}

function driftFromEvidence(pairs: [string, ColumnEvidence, ColumnEvidence][], absent: string[], options: DriftOptions): DriftResult {
  const columns: Record<string, ColumnDriftResult> = {};
  for (const [name, ref, cur] of pairs) columns[name] = testColumn(name, ref, cur, options);
  const correction = options.correction ?? 'none';
  if (correction !== 'none') {
    const pnames = Object.keys(columns).filter((n) => STAT_TESTS[columns[n].stattest].kind === 'pvalue');
    const adjusted = adjustPValues(pnames.map((n) => columns[n].score), correction);
    pnames.forEach((n, i) => {
      const c = columns[n];
      c.p_value_adjusted = adjusted[i];
      c.drift_detected = isDrift(c.stattest, adjusted[i], c.threshold);
    });
  }
  const tested = Object.keys(columns).length;
  const drifted = Object.values(columns).filter((c) => c.drift_detected).length;
  const driftShare = options.driftShare ?? DEFAULT_DRIFT_SHARE;
  const share = tested === 0 ? 0 : drifted / tested;
  const result: DriftResult = {
    dataset_drift: tested > 0 && share >= driftShare,
    drift_share: driftShare,
    share_drifted_columns: share,
    number_drifted_columns: drifted,
    number_of_columns: tested,
    columns,
  };
  if (absent.length) result.absent_in_current = absent;
  if (correction !== 'none') result.correction = correction;
  return result;
}

function testColumn(name: string, ref: ColumnEvidence, cur: ColumnEvidence, options: DriftOptions): ColumnDriftResult {
  const per: ColumnOptions = options.perColumn?.[name] ?? {};
  const requested = per.stattest ?? options.stattest ?? 'auto';
  const missingShare = (e: ColumnEvidence) => (e.n + e.missing === 0 ? 0 : e.missing / (e.n + e.missing));
  if (ref.n === 0 || cur.n === 0) {
    throw new Error(`column "${name}": no non-missing value in the ${ref.n === 0 ? 'reference' : 'current'} data`);
  }
  const test: StatTestName = requested === 'auto' ? autoStatTest(ref.type, ref.n, distinctValues(ref, cur)) : requested;
  if (!STAT_TESTS[test].columnTypes.includes(ref.type)) throw new Error(`column "${name}": ${test} does not apply to a ${ref.type} column`);
  const threshold = per.threshold ?? options.threshold ?? STAT_TESTS[test].defaultThreshold;
  let outcome;
  try {
    outcome = runStatTest(test, ref, cur, options.bins ?? PSI_DEFAULT_BINS);
  } catch (e) {
    throw new Error(`column "${name}": ${(e as Error).message}`);
  }
  const r: ColumnDriftResult = {
    column_type: ref.type,
    stattest: test,
    score: outcome.score,
    threshold,
    drift_detected: isDrift(test, outcome.score, threshold),
    n_reference: ref.n,
    n_current: cur.n,
    missing_share: missingShare(cur),
    missing_share_reference: missingShare(ref),
  };
  if (outcome.statistic !== undefined) r.statistic = outcome.statistic;
  if (outcome.errorBound !== undefined) r.error_bound = outcome.errorBound;
  return r;
}
