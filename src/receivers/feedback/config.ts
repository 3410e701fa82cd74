import { z } from 'zod';
import { byteSize, duration, endpoint } from '../../config/units.js';
import { authConfig, tlsConfig } from '../../security/config.js';

/** Labels pulled from a SQL table (ids like feedback/sql). */
export const sqlFeedbackConfig = z.strictObject({
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

export type SqlFeedbackConfig = z.output<typeof sqlFeedbackConfig>;

/** Labels posted as JSON by whatever knows them (ids like feedback/http). */
export const httpFeedbackConfig = z.strictObject({
  endpoint: endpoint,
  /** Largest request body accepted. */
  max_body: byteSize.default(4 * 1024 * 1024),
  /** Most labels in one request. */
  max_items: z.number().int().positive().default(10_000),
  tls: tlsConfig.optional(),
  auth: authConfig.optional(),
});
export type HttpFeedbackConfig = z.output<typeof httpFeedbackConfig>;

export type FeedbackReceiverConfig = ({ mode: 'sql' } & SqlFeedbackConfig) | ({ mode: 'http' } & HttpFeedbackConfig);

/**
 * One `feedback` receiver type, two sources: `endpoint` makes it an HTTP endpoint, `url` + `query` a SQL
 * poller. Each is validated by its own strict schema, so problems name the keys of the one meant.
 */
export const feedbackReceiverConfig = z.unknown().transform((raw, ctx): FeedbackReceiverConfig => {
  const http = typeof raw === 'object' && raw !== null && 'endpoint' in raw;
  const parsed = http ? httpFeedbackConfig.safeParse(raw) : sqlFeedbackConfig.safeParse(raw);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) ctx.addIssue({ ...issue, code: 'custom', message: issue.code === 'unrecognized_keys' ? `unknown key(s) ${issue.keys.map((k) => `"${k}"`).join(', ')} (a feedback receiver has either endpoint (HTTP) or url + query (SQL))` : issue.message });
    return z.NEVER;
  }
  return http ? { mode: 'http', ...(parsed.data as HttpFeedbackConfig) } : { mode: 'sql', ...(parsed.data as SqlFeedbackConfig) };
});
