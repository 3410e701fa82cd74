// Which test runs on a column, its default threshold and the direction of its verdict.
// Automatic choice, following Evidently's get_default_stattest (n = non-missing reference values,
// k = distinct non-missing values over reference ∪ current):
//   n <= 1000: num → k <= 2: ztest, k <= 5: chisquare, else ks;   cat → k <= 2: ztest, else chisquare
//   n >  1000: num → k <= 5: jensenshannon, else wasserstein;     cat → jensenshannon
// Where we differ from Evidently: every p-value test flags drift when p <= threshold (Evidently's
// z-test uses p < threshold); PSI is not chosen automatically (same as Evidently) but available.
import type { ColumnType, StatTestName } from './drift_types.js';

export interface StatTestInfo {
  name: StatTestName;
  /** 'pvalue': drift when score <= threshold; 'distance': drift when score >= threshold. */
  kind: 'pvalue' | 'distance';
  defaultThreshold: number;
  columnTypes: readonly ColumnType[];
}

export const STAT_TESTS: Readonly<Record<StatTestName, StatTestInfo>> = {
  ks: { name: 'ks', kind: 'pvalue', defaultThreshold: 0.05, columnTypes: ['num'] },
  chisquare: { name: 'chisquare', kind: 'pvalue', defaultThreshold: 0.05, columnTypes: ['num', 'cat'] },
  ztest: { name: 'ztest', kind: 'pvalue', defaultThreshold: 0.05, columnTypes: ['num', 'cat'] },
  psi: { name: 'psi', kind: 'distance', defaultThreshold: 0.1, columnTypes: ['num', 'cat'] },
  wasserstein: { name: 'wasserstein', kind: 'distance', defaultThreshold: 0.1, columnTypes: ['num'] },
  jensenshannon: { name: 'jensenshannon', kind: 'distance', defaultThreshold: 0.1, columnTypes: ['num', 'cat'] },
};

export const STAT_TEST_NAMES = Object.keys(STAT_TESTS) as StatTestName[];

export const AUTO_SMALL_REFERENCE = 1000;

export function isStatTestName(s: string): s is StatTestName {
  return Object.hasOwn(STAT_TESTS, s);
}

export function autoStatTest(type: ColumnType, nReference: number, distinctValues: number): StatTestName {
  if (nReference <= AUTO_SMALL_REFERENCE) {
    if (distinctValues <= 2) return 'ztest';
    if (type === 'cat' || distinctValues <= 5) return 'chisquare';
    return 'ks';
  }
  if (type === 'cat' || distinctValues <= 5) return 'jensenshannon';
  return 'wasserstein';
}

export function isDrift(test: StatTestName, score: number, threshold: number): boolean {
  return STAT_TESTS[test].kind === 'pvalue' ? score <= threshold : score >= threshold;
}
