// The `drift` processor's configuration: where the reference comes from, the streaming window, when
// runs happen, the tests and the reports. Durations are parsed to milliseconds.
import { Cron } from 'croner';
import { z } from 'zod';
import { duration } from '../../config/units.js';
import { STAT_TEST_NAMES } from '../../stats/stattests.js';

const statTest = z.enum(['auto', ...STAT_TEST_NAMES] as ['auto', ...typeof STAT_TEST_NAMES]);
const columnType = z.enum(['num', 'cat']);

/** Column types forced in the reference (otherwise inferred: all numbers → num, else cat). */
const types = z.record(z.string(), columnType).default({});

/**
 * A reference file. `path` may hold `{model}` and `{version}` placeholders (in file or directory
 * names): every file matching the pattern is the reference of that model (and version). Without
 * placeholders the one file is the reference of every model and version.
 */
const fileReference = z.strictObject({
  path: z.string().min(1),
  /** Default: by extension (.jsonl / .ndjson are JSON Lines, anything else CSV). */
  format: z.enum(['csv', 'jsonl']).optional(),
  types,
});

/** The reference captured from the first N predictions of each model version (kept in the checkpoint). */
const capturedReference = z.strictObject({
  capture: z.strictObject({ first: z.number().int().min(10).max(1_000_000).default(10_000) }),
  types,
});

const cronPattern = z.string().superRefine((v, ctx) => {
  try {
    new Cron(v, { paused: true }).stop();
  } catch (e) {
    ctx.addIssue({ code: 'custom', message: `"${v}" is not a cron pattern: ${(e as Error).message}` });
  }
});

export const driftConfig = z
  .strictObject({
    reference: z.union([fileReference, capturedReference]),
    current: z
      .strictObject({
        /** The current window: the merge of the sub-windows of this last period. */
        window: duration.prefault('7d'),
        /** Tumbling sub-windows (aligned on the Unix epoch, so hours and days are UTC-aligned). */
        sub_window: duration.prefault('1h'),
      })
      .refine((c) => c.sub_window > 0 && c.sub_window <= c.window, { message: 'sub_window must be > 0 and at most window', path: ['sub_window'] })
      .refine((c) => c.window / c.sub_window <= 10_000, { message: 'window / sub_window must be at most 10000 (memory per model version)', path: ['sub_window'] })
      .prefault({}),
    /** Cron pattern of scheduled runs (croner syntax); null: on demand only. */
    schedule: cronPattern.nullable().default('0 2 * * 1'),
    /** IANA time zone of the schedule (default: the machine's). */
    timezone: z.string().refine(validTimeZone, { message: 'not an IANA time zone (example: Europe/Paris)' }).optional(),
    /** Dataset drift when at least this share of the tested columns drift. */
    drift_share: z.number().min(0).max(1).default(0.5),
    stattest: statTest.default('auto'),
    /** Threshold for every column (default: the chosen test's own). */
    threshold: z.number().nonnegative().optional(),
    /** Per-feature overrides. */
    features: z.record(z.string(), z.strictObject({ stattest: statTest.optional(), threshold: z.number().nonnegative().optional() })).default({}),
    correction: z.enum(['none', 'bonferroni', 'benjamini-hochberg']).default('none'),
    /** Only these model names (default: every model). */
    models: z.array(z.string().min(1)).min(1).optional(),
    reports: z
      .strictObject({
        /** Default: <storage directory>/reports. */
        dir: z.string().min(1).optional(),
        retention: duration.prefault('30d'),
      })
      .prefault({}),
    /** Keep raw values (exact tests) while a window holds at most this many per feature; 0: binned always. */
    exact_max: z.number().int().min(0).max(100_000).default(0),
    /** Below this many predictions in the current window no verdict is exported. */
    min_samples: z.number().int().min(1).default(100),
    /** Model versions tracked at most (memory bound); predictions of others are counted and ignored. */
    max_model_versions: z.number().int().min(1).max(10_000).default(100),
    /** Categories kept per categorical summary; later new ones are counted as __other__. */
    max_categories: z.number().int().min(2).max(100_000).default(1000),
  });

function validTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

export type DriftConfig = z.output<typeof driftConfig>;
export type FileReferenceConfig = z.output<typeof fileReference>;
export type CapturedReferenceConfig = z.output<typeof capturedReference>;

export function isCaptured(r: DriftConfig['reference']): r is CapturedReferenceConfig {
  return 'capture' in r;
}
