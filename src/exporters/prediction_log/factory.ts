// The `prediction_log` exporter: one row per prediction in SQLite or PostgreSQL, keyed by prediction
// id, with ground truth and late stages filled in when they come. It reads the queue through its own
// cursor; a batch it cannot write stays in the queue and is offered again (see writer.ts).
import type { Counter } from '@opentelemetry/api';
import { join, resolve } from 'node:path';
import { checkWritablePath } from '../../config/preflight.js';
import type { Exporter, ExporterContext, ExporterFactory } from '../../pipeline/component.js';
import { predictionLogConfig, type PredictionLogConfig } from './config.js';
import type { LogDriver } from './driver.js';
import { Maintenance } from './maintenance.js';
import { checkPostgres, pgClean, PostgresDriver } from './postgres.js';
import { wellFormed } from './row.js';
import { SqliteDriver } from './sqlite.js';
import type { IdIndexStats } from './sqlite-ids/id-index.js';
import { PredictionLogWriter } from './writer.js';
import { LogAnalysis } from './analysis.js';
import { registerPredictionLogRoutes, setSubjectTagLookup, unregisterPredictionLogRoutes } from './routes.js';
import { isQueryable } from './sql-runner.js';
import { SubjectStore } from './subjects.js';

export function createDriver(config: PredictionLogConfig, onIdleError?: (err: Error) => void): LogDriver {
  if (config.driver === 'postgres') {
    return new PostgresDriver({ url: config.url!, table: config.table, connectTimeoutMs: config.connect_timeout, onIdleError });
  }
  return new SqliteDriver(config.path, config.table, { idIndex: { runRows: config.id_run_rows } });
}

export function createPredictionLog(config: PredictionLogConfig, ctx: ExporterContext): Exporter & { writer: PredictionLogWriter; maintenance?: Maintenance } {
  const driver = createDriver(config, (err) => ctx.logger.debug({ err: err.message }, 'idle PostgreSQL connection closed'));
  let refused: Counter | undefined;
  const writer = new PredictionLogWriter(driver, {
    maxRows: config.batch.max_rows,
    logger: ctx.logger,
    clean: config.driver === 'postgres' ? pgClean : wellFormed,
    onRefused: (n) => refused?.add(n, { exporter: ctx.id }),
    sampleRatio: config.sample_ratio,
  });
  const archiveDir = config.archive_dir ?? join(ctx.dataDir, 'archive');
  const maintenance =
    config.retention > 0 || config.archive_after > 0
      ? new Maintenance(driver, {
          table: config.table,
          retentionMs: config.retention,
          archiveAfterMs: config.archive_after,
          archiveDir,
          intervalMs: config.maintenance_interval,
          clock: ctx.clock,
          logger: ctx.logger,
        })
      : undefined;
  if (isQueryable(driver)) {
    const analysis = new LogAnalysis(driver.sql());
    // Archives written earlier stay in reach of data-subject requests even if archiving is now off.
    const subjects = new SubjectStore(analysis, { archive: { dir: archiveDir, table: config.table } });
    registerPredictionLogRoutes(ctx.admin, ctx.id, { analysis, subjects, clock: ctx.clock, exclusive: maintenance && ((work) => maintenance.exclusive(work)) });
    setSubjectTagLookup(ctx.admin, ctx.storedTagValue);
  }
  return {
    writer,
    maintenance,
    async start() {
      refused = ctx.meter().createCounter('modelwatch_exporter_refused', { description: 'Records a record exporter can never store (logged with the reason), not retried' });
      if (driver.idIndexStats) observeIdIndex(ctx, () => driver.idIndexStats!());
      try {
        await driver.migrate();
      } catch (err) {
        // A local file that cannot be opened is a configuration error; a remote database may come back.
        if (config.driver === 'sqlite') throw new Error(`prediction log ${driver.target}: ${(err as Error).message}`);
        ctx.logger.error({ target: driver.target, err: (err as Error).message }, 'prediction log database not ready; records wait in the queue');
      }
      maintenance?.start();
      ctx.logger.info({ target: driver.target }, 'prediction log ready');
    },
    exportRecords: (batch) => writer.write(batch),
    threads() {
      const busySeconds = driver.threadBusySeconds?.();
      return busySeconds === undefined ? [] : [{ thread: `exporter/${ctx.id}`, busySeconds }];
    },
    async shutdown() {
      unregisterPredictionLogRoutes(ctx.admin, ctx.id);
      await maintenance?.stop();
      await driver.close();
    },
  };
}

/** The SQLite log's id index: its runs, their filters' memory, the newest ids held in the writer. */
function observeIdIndex(ctx: ExporterContext, stats: () => IdIndexStats | undefined): void {
  const attrs = { exporter: ctx.id };
  const gauge = (name: string, description: string, pick: (s: IdIndexStats) => number, unit?: string) =>
    ctx.meter().createObservableGauge(name, { description, ...(unit ? { unit } : {}) }).addCallback((r) => {
      const s = stats();
      if (s) r.observe(pick(s), attrs);
    });
  gauge('modelwatch_prediction_log_id_runs', 'Sorted runs of prediction ids in a SQLite prediction log', (s) => s.runs);
  gauge('modelwatch_prediction_log_id_filter_bytes', "Bloom filters of a SQLite prediction log's id runs, in its writer's memory", (s) => s.filterBytes, 'By');
  gauge('modelwatch_prediction_log_recent_ids', "Ids of a SQLite prediction log's newest rows, held in its writer's memory until a run is written", (s) => s.recentIds);
}

export const predictionLogExporterFactory: ExporterFactory<PredictionLogConfig> = {
  kind: 'exporter',
  type: 'prediction_log',
  description: 'One row per prediction, with its ground truth, in SQLite or PostgreSQL',
  config: predictionLogConfig,
  async preflight(config) {
    if (config.driver === 'postgres') {
      const problem = await checkPostgres(config.url!, Math.min(config.connect_timeout, 5_000));
      return problem ? [{ path: 'url', message: problem }] : [];
    }
    const problem = checkWritablePath(config.path);
    return problem ? [{ path: 'path', message: problem }] : [];
  },
  // The SQLite log's id index lives in its writer's memory (sqlite-ids/): one writer per table.
  claims: (config) => (config.driver === 'sqlite' ? [{ key: 'path', what: `the SQLite table ${config.table} in ${resolve(config.path)}` }] : []),
  create: createPredictionLog,
};
