// The label-join settings every quality processor accepts (window, concept_drift), with their defaults.
import { z } from 'zod';
import { duration } from '../../config/units.js';
import type { LabelJoinOptions } from './join.js';

export const labelJoinConfig = z
  .strictObject({
    /** Predictions kept waiting for their label, at most (the oldest is dropped first). */
    max_pending_predictions: z.number().int().positive().default(200_000),
    /** How long a prediction waits for its label. */
    prediction_ttl: duration.prefault('7d'),
    /** Labels that came before their prediction, kept at most this many... */
    max_pending_labels: z.number().int().positive().default(10_000),
    /** ... and this long; then they count in model_feedback_unmatched_total. */
    label_ttl: duration.prefault('1h'),
    /** Joined ids remembered, so a label delivered twice is ignored rather than counted unmatched. */
    remember_joined: z.number().int().nonnegative().default(10_000),
  })
  .prefault({});

export type LabelJoinConfig = z.output<typeof labelJoinConfig>;

export function joinOptions(c: LabelJoinConfig): LabelJoinOptions {
  return {
    maxPendingPredictions: c.max_pending_predictions,
    predictionTtlMs: c.prediction_ttl,
    maxPendingLabels: c.max_pending_labels,
    labelTtlMs: c.label_ttl,
    rememberJoined: c.remember_joined,
  };
}
