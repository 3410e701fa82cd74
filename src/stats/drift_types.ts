// The drift result contract (the JSON the `drift` command prints and other tools read) and the options.

export type ColumnType = 'num' | 'cat';
export type StatTestName = 'ks' | 'psi' | 'chisquare' | 'wasserstein' | 'jensenshannon' | 'ztest';
export type Correction = 'none' | 'bonferroni' | 'benjamini-hochberg';

export interface ColumnDriftResult {
  column_type: ColumnType;
  stattest: StatTestName;
  /** p-value for ks, chisquare, ztest; the value itself for psi, wasserstein, jensenshannon. */
  score: number;
  threshold: number;
  drift_detected: boolean;
  /** Non-missing values tested. */
  n_reference: number;
  n_current: number;
  /** Test statistic of p-value tests (KS D, chi-square, z). */
  statistic?: number;
  /** Share of current rows that were missing or non-finite (never fed to a test). */
  missing_share?: number;
  missing_share_reference?: number;
  /** p-value after the multiple-testing correction; drift_detected compares this one when present. */
  p_value_adjusted?: number;
  /** Summaries only: upper bound on |approximate - exact| of the statistic (see summary_tests.ts). */
  error_bound?: number;
}

export interface DriftResult {
  dataset_drift: boolean;
  drift_share: number;
  share_drifted_columns: number;
  number_drifted_columns: number;
  /** Number of columns tested (the denominator of share_drifted_columns). */
  number_of_columns: number;
  columns: Record<string, ColumnDriftResult>;
  /** Reference columns absent from current: reported, not counted as drift. */
  absent_in_current?: string[];
  correction?: Correction;
}

export interface ColumnOptions {
  stattest?: StatTestName | 'auto';
  threshold?: number;
  type?: ColumnType;
}

export interface DriftOptions {
  /** Test for every column ('auto' picks per column like Evidently). */
  stattest?: StatTestName | 'auto';
  /** Threshold for every column (default: the chosen test's default). */
  threshold?: number;
  /** Per-column overrides, winning over the global ones. */
  perColumn?: Record<string, ColumnOptions>;
  /** dataset_drift when share_drifted_columns >= driftShare. Default 0.5. */
  driftShare?: number;
  /** Multiple-testing correction over the p-value tests. Default 'none'. */
  correction?: Correction;
  /** Reference-quantile bins for PSI and Jensen–Shannon on numerical columns. Default 10. */
  bins?: number;
  /** Only these columns (default: every reference column). */
  columns?: string[];
}
