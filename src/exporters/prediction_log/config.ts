// Config of the `prediction_log` exporter (ids like prediction_log/local, prediction_log/pg).
import { z } from 'zod';
import { duration } from '../../config/units.js';

/** Table names are interpolated into SQL (quoted), so they are plain identifiers only. */
export const TABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,47}$/;

export const predictionLogConfig = z
  .strictObject({
    driver: z.enum(['sqlite', 'postgres']).default('sqlite'),
    /** SQLite file (sqlite driver). Relative paths are relative to the agent's working directory. */
    path: z.string().min(1).default('data/predictions.db'),
    /** postgres://user:password@host:port/db (postgres driver), usually ${env:PG_URL}. */
    url: z.string().optional(),
    table: z.string().regex(TABLE_NAME, 'a plain SQL identifier: letters, digits, _ (at most 48)').default('predictions'),
    batch: z.strictObject({ max_rows: z.number().int().min(1).max(10_000).default(1000) }).prefault({}),
    /**
     * Share of predictions stored, chosen by a hash of the prediction id (their labels and late stages
     * follow them); metrics still count every prediction. 1 stores all.
     */
    sample_ratio: z.number().gt(0, 'above 0 (leave the exporter out of the pipeline to store nothing)').max(1).default(1),
    /**
     * SQLite: prediction ids per sorted run of the log's id index (sqlite-ids/). The newest are held in
     * the writer's memory (~100 bytes each) until a run is full; smaller runs mean more runs to merge.
     */
    id_run_rows: z.number().int().min(64).max(4_194_304).default(65_536),
    /** Rows whose prediction time is older than this are deleted; 0 keeps them forever. */
    retention: duration.default(365 * 86_400_000),
    /** Whole days older than this are written to archive_dir as gzip JSON Lines; 0 turns archiving off. */
    archive_after: duration.default(90 * 86_400_000),
    /** Default: <storage dir>/archive. */
    archive_dir: z.string().min(1).optional(),
    /** How often retention and archiving run. */
    maintenance_interval: duration.default(3_600_000),
    /** Postgres: how long to wait for a connection before the batch is retried. */
    connect_timeout: duration.default(5_000),
  })
  .superRefine((c, ctx) => {
    if (c.driver === 'postgres' && !c.url) ctx.addIssue({ code: 'custom', path: ['url'], message: 'the postgres driver needs a url (postgres://user:password@host:5432/db)' });
    if (c.driver === 'postgres' && c.url && !/^postgres(ql)?:\/\//.test(c.url)) ctx.addIssue({ code: 'custom', path: ['url'], message: 'expected a postgres:// or postgresql:// url' });
    if (c.retention > 0 && c.archive_after > 0 && c.retention < c.archive_after) {
      ctx.addIssue({ code: 'custom', path: ['retention'], message: 'retention is shorter than archive_after: rows would be deleted before they are archived' });
    }
  });

export type PredictionLogConfig = z.output<typeof predictionLogConfig>;
