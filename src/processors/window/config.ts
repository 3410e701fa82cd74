import { z } from 'zod';
import { duration } from '../../config/units.js';
import { labelJoinConfig } from '../../pipeline/labels/config.js';
import { AVERAGES } from '../../stats/classification_metrics.js';

export const windowConfig = z.strictObject({
  /** The last N labelled predictions per model version ("last" = by label arrival). */
  size: z.number().int().min(1).max(1_000_000).default(1000),
  /** Below this many labels a window exports no quality gauges (rather than a misleading number). */
  min_samples: z.number().int().min(1).default(100),
  /** Gauges follow each label; this re-publishes them all on a timer besides. */
  update_interval: duration.prefault('15m'),
  /** Days of daily quality kept for /api/v1/models/{name}/history. */
  history: duration.prefault('90d'),
  /**
   * Binary scoring: the positive class, for every model (a string) or per model name (a map; models not
   * listed are scored as multiclass).
   */
  positive_class: z.union([z.string(), z.record(z.string(), z.string())]).optional(),
  /** Multiclass average of precision, recall and F1 (sklearn semantics). */
  average: z.enum(AVERAGES as [string, ...string[]]).default('macro'),
  /** Per-class precision, recall and F1 as model_class_* gauges. */
  per_class: z.boolean().default(true),
  /** Export model_feedback_unmatched_total (turn off if another quality processor exports it). */
  unmatched_metric: z.boolean().default(true),
  labels: labelJoinConfig,
});

export type WindowConfig = z.output<typeof windowConfig>;
