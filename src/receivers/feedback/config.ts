import { z } from 'zod';
import { duration } from '../../config/units.js';

export const feedbackReceiverConfig = z.strictObject({
  /** Where labels are pulled from. Only PostgreSQL for now. */
  driver: z.literal('postgres').default('postgres'),
  /** postgres://user:password@host:port/database */
  url: z.string().min(1),
  /**
   * Takes the cursor as $1 and returns the labels after it, oldest first, e.g.
   * SELECT prediction_id, label, labelled_at FROM labels WHERE labelled_at > $1 ORDER BY labelled_at LIMIT 10000
   */
  query: z.string().refine((q) => q.includes('$1'), 'the query must use the cursor as $1'),
  /** Column names in the query's result. */
  columns: z
    .strictObject({
      prediction_id: z.string().default('prediction_id'),
      label: z.string().default('label'),
      cursor: z.string().default('labelled_at'),
      model_name: z.string().optional(),
      model_version: z.string().optional(),
    })
    .prefault({}),
  /** $1 of the very first poll (timestamps: -infinity; numbers: 0). Later polls use the last row's cursor. */
  initial_cursor: z.string().default('-infinity'),
  interval: duration.prefault('15m'),
  /** Queries per poll at most (each one page of the query's LIMIT); the rest waits for the next poll. */
  max_pages_per_poll: z.number().int().positive().default(100),
  /** Connection and statement timeout. */
  timeout: duration.prefault('30s'),
});

export type FeedbackReceiverConfig = z.output<typeof feedbackReceiverConfig>;
