// The drift statistics' public API in one import, for the drift processor and the CLI.
export { ks2samp, ksPValue, type KsResult } from './ks.js';
export { psi, psiFromCounts } from './psi.js';
export { chiSquare } from './chisquare.js';
export { wasserstein, wassersteinNormed } from './wasserstein.js';
export { jensenShannon, jensenShannonNumeric } from './jensen_shannon.js';
export { zTestProportions } from './ztest.js';
export { adjustPValues } from './multiple_testing.js';
export { STAT_TESTS, autoStatTest } from './stattests.js';
export { computeDatasetDrift, computeDatasetDriftFromSummaries, type Column, type Columns } from './dataset_drift.js';
export {
  NumericSummary, CategoricalSummary, numericBinSpec, summaryFromJSON,
  type FeatureSummary, type FeatureSummaryJSON, type NumericBinSpec,
} from './feature_summary.js';
export { binnedKs, binnedWasserstein, binnedWassersteinNormed } from './summary_tests.js';
export type * from './drift_types.js';
