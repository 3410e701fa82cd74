// The concept-drift check of one model version, as a pure function of its state and the day it runs:
// the drop of the current accuracy against the baseline, the verdict, the weekly trend and the streak of
// declining days. NaN parts are reported as null (and their gauges removed).
import { accuracyTrend, conceptDrift, decliningDays } from '../../stats/trend.js';
import type { ConceptDriftConfig } from './config.js';
import type { VersionState } from './version_state.js';

export interface CheckResult {
  model_name: string;
  model_version: string;
  samples: number;
  /** Accuracy of the last `window` labels; null below min_samples. */
  accuracy: number | null;
  baseline: number | null;
  /** Labels still needed before the baseline is learnt (0 when known). */
  baseline_missing: number;
  drop_percent: number | null;
  concept_drift_detected: boolean | null;
  drop_exceeded: boolean | null;
  below_floor: boolean | null;
  /** Count-weighted accuracy of the last trend_days days minus the trend_days before; null without both. */
  trend: number | null;
  trend_current: number | null;
  trend_previous: number | null;
  declining_days: number;
  error_rate_estimate: number;
  /** A rise of the error rate was detected since the last check (or within change_hold). */
  error_rate_change_detected: boolean;
}

const num = (v: number | undefined): number | null => (v !== undefined && Number.isFinite(v) ? v : null);

export function checkVersion(v: VersionState, config: ConceptDriftConfig, asOfDay: string): CheckResult {
  const accuracy = v.samples >= config.min_samples ? v.accuracy : NaN;
  const baseline = v.baseline;
  const verdict =
    baseline !== undefined && Number.isFinite(accuracy)
      ? conceptDrift(baseline, accuracy, { dropThresholdPercent: config.drop_threshold_percent, floor: config.accuracy_floor })
      : undefined;
  const days = v.daily();
  const trend = accuracyTrend(days, { days: config.trend_days, asOf: asOfDay });
  return {
    model_name: v.modelName,
    model_version: v.modelVersion,
    samples: v.samples,
    accuracy: num(accuracy),
    baseline: num(baseline),
    baseline_missing: baseline !== undefined ? 0 : (v.learner?.labels ?? 0) - (v.learner?.seen ?? 0),
    drop_percent: num(verdict?.dropPercent),
    concept_drift_detected: verdict ? verdict.detected : null,
    drop_exceeded: verdict ? verdict.dropExceeded : null,
    below_floor: verdict ? verdict.belowFloor : null,
    trend: num(trend.trend),
    trend_current: num(trend.current),
    trend_previous: num(trend.previous),
    declining_days: decliningDays(days, { basis: config.declining_basis, days: config.trend_days }),
    error_rate_estimate: v.detector.estimate,
    error_rate_change_detected: v.changeAtMs !== null,
  };
}
