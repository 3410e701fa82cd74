import { z } from 'zod';
import { Cron } from 'croner';
import { duration } from '../../config/units.js';
import { labelJoinConfig } from '../../pipeline/labels/config.js';

const cronExpression = z.string().refine((v) => {
  try {
    new Cron(v, { paused: true });
    return true;
  } catch {
    return false;
  }
}, 'not a cron expression (example: "0 3 * * *", daily at 03:00)');

const timezone = z.string().refine((tz) => {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}, 'not an IANA time zone (example: Europe/Berlin)');

export const conceptDriftConfig = z.strictObject({
  /** The accuracy a version is judged against; without it, each version learns its own (baseline_samples). */
  baseline_accuracy: z.number().gt(0).max(1).optional(),
  /** Labels a version's baseline is learnt from (its first ones). */
  baseline_samples: z.number().int().positive().default(1000),
  /** Current accuracy is over the last this many labels of a version... */
  window: z.number().int().positive().max(1_000_000).default(1000),
  /** ... and is not judged below this many. */
  min_samples: z.number().int().positive().default(100),
  drop_threshold_percent: z.number().nonnegative().default(5),
  accuracy_floor: z.number().min(0).max(1).default(0.8),
  /** The moving average of model_accuracy_trend: these days against the ones before. */
  trend_days: z.number().int().positive().default(7),
  /** model_accuracy_declining_days compares each day's own accuracy, or its trailing trend_days average. */
  declining_basis: z.enum(['daily', 'moving_average']).default('daily'),
  /** Daily accuracy kept per version, in days. */
  history: duration.prefault('35d'),
  /** When the check runs (cron); also POST /api/v1/concept-drift/run. */
  schedule: cronExpression.default('0 3 * * *'),
  /** Time zone of `schedule` (default: UTC). */
  timezone: timezone.optional(),
  /** Streaming change detection on the 0/1 error stream. */
  detector: z.enum(['adwin', 'page_hinkley', 'ddm']).default('adwin'),
  /** ADWIN confidence. */
  delta: z.number().gt(0).lt(1).default(0.002),
  page_hinkley: z.strictObject({ delta: z.number().nonnegative().optional(), threshold: z.number().positive().optional(), alpha: z.number().gt(0).max(1).optional(), min_instances: z.number().int().positive().optional() }).prefault({}),
  ddm: z.strictObject({ min_instances: z.number().int().positive().optional(), warning_level: z.number().positive().optional(), drift_level: z.number().positive().optional() }).prefault({}),
  /** model_error_rate_change_detected stays 1 this long after a change; without it, until the next check. */
  change_hold: duration.optional(),
  /** Export model_feedback_unmatched_total (the window processor does by default; one exporter is enough). */
  unmatched_metric: z.boolean().default(false),
  labels: labelJoinConfig,
});

export type ConceptDriftConfig = z.output<typeof conceptDriftConfig>;
