// What the SQLite prediction log costs per row by the shape of its prediction ids: its primary key is the
// id, so where a new id lands in that index decides how many pages a batch changes, and SQLite's WAL
// takes a whole page for every page a commit changed. Rows go through the log's writer and driver (the
// writer thread's code, run here on this thread so that its CPU is this process's), in batches of 1000
// as the agent's consumer hands them at 10k predictions/s.
import { readFileSync, rmSync, mkdtempSync, statSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { wellFormed } from '../../src/exporters/prediction_log/row.js';
import { SqliteDriver } from '../../src/exporters/prediction_log/sqlite.js';
import { PredictionLogWriter } from '../../src/exporters/prediction_log/writer.js';
import type { Prediction } from '../../src/pipeline/records.js';

const BATCH = 1000;

/** How a model server's predictions get their ids (the agent's id is ml.prediction.id, else trace + span id). */
const SHAPES = {
  /** Root spans, each its own trace: random trace ids. */
  'random (a trace per prediction)': (_i: number) => randomBytes(24).toString('hex'),
  /** The predictions of one batch request as spans of one trace: 512 share a trace id. */
  'a trace per 512 predictions': (i: number, prefix = requestPrefix(i)) => prefix + randomBytes(8).toString('hex'),
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

const writtenBytes = (): number => Number(/write_bytes: (\d+)/.exec(readFileSync('/proc/self/io', 'utf8'))![1]);

export interface LogIdsResult {
  shape: string;
  rows: number;
  /** Over the last quarter of the rows, when the table holds ¾ of them and more. */
  cpuMicrosPerRow: number;
  bytesWrittenPerRow: number;
  fileBytes: number;
}

/** Writes `rows` predictions of each id shape into a fresh SQLite log. */
export async function benchLogIds(rows: number): Promise<LogIdsResult[]> {
  const out: LogIdsResult[] = [];
  for (const [shape, idOf] of Object.entries(SHAPES)) {
    const dir = mkdtempSync(join(tmpdir(), 'modelwatch-bench-logids-'));
    try {
      const driver = new SqliteDriver(join(dir, 'predictions.db'), 'predictions', { writerThread: false });
      await driver.migrate();
      const writer = new PredictionLogWriter(driver, { maxRows: BATCH, logger: pino({ level: 'silent' }), clean: wellFormed });
      const tail = Math.floor(rows * 0.75);
      let cpu0 = process.cpuUsage();
      let io0 = writtenBytes();
      for (let i = 0; i < rows; i += BATCH) {
        if (i === tail) {
          cpu0 = process.cpuUsage();
          io0 = writtenBytes();
        }
        const batch: Prediction[] = [];
        for (let k = i; k < Math.min(rows, i + BATCH); k++) batch.push(prediction(idOf(k), k));
        await writer.write(batch);
      }
      const cpu = process.cpuUsage(cpu0);
      const written = writtenBytes() - io0;
      const counted = rows - tail;
      const fileBytes = ['predictions.db', 'predictions.db-wal'].reduce((n, f) => n + (statSync(join(dir, f), { throwIfNoEntry: false })?.size ?? 0), 0);
      await driver.close();
      out.push({ shape, rows, cpuMicrosPerRow: (cpu.user + cpu.system) / counted, bytesWrittenPerRow: written / counted, fileBytes });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  return out;
}
