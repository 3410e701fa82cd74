// Drives a processor the way the service does, without the service: a context on a SQLite file, its
// MetricStore, and checkpoints saved through the real Checkpoints class (snapshot + persist in one
// transaction). `crash()` drops the instance without checkpointing, as `kill -9` would.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AdminRoutes } from '../../../src/admin/routes.js';
import type { Clock, Processor, ProcessorContext } from '../../../src/pipeline/component.js';
import type { ConsumerRecord, FeedbackRecord, PredictionRecord } from '../../../src/pipeline/records.js';
import { Checkpoints } from '../../../src/storage/checkpoints.js';
import { openDatabase, type Db } from '../../../src/storage/database.js';
import { createLogger } from '../../../src/telemetry/logger.js';
import { MetricStore } from '../../../src/telemetry/metric-store.js';

export interface Harness<P extends Processor> {
  db: Db;
  processor: P;
  metrics: MetricStore;
  admin: AdminRoutes;
  ctx: ProcessorContext;
  checkpoint(): void;
  /** A checkpoint whose transaction fails after persist() wrote (a full disk): everything rolls back. */
  failingCheckpoint(): void;
}

export function tempDbPath(): string {
  return join(mkdtempSync(join(tmpdir(), 'modelwatch-unit-')), 'modelwatch.db');
}

/** A processor on `path`, restored from its last checkpoint if there is one (as the service does). */
export function openProcessor<P extends Processor>(path: string, id: string, make: (ctx: ProcessorContext) => P, clock: Clock = { now: () => Date.now() }): Harness<P> {
  const db = openDatabase(path, { sync: 'normal' });
  const checkpoints = new Checkpoints(db);
  const metrics = new MetricStore(2000);
  const admin = new AdminRoutes();
  const ctx: ProcessorContext = { id, logger: createLogger('silent'), meter: () => { throw new Error('no meter in unit tests'); }, db, clock, admin, dataDir: tmpdir(), metrics, storedTagValue: (_key: string, value: string) => value };
  const processor = make(ctx);
  const cp = checkpoints.load('unit');
  if (cp) {
    const s = cp.state as { state: unknown; metrics: unknown };
    metrics.restore(s.metrics);
    processor.restore(s.state);
  }
  return {
    db,
    processor,
    metrics,
    admin,
    ctx,
    checkpoint: () => {
      checkpoints.save('unit', 0, { state: processor.snapshot(), metrics: metrics.snapshot() }, () => processor.persist?.());
      processor.persisted?.();
    },
    failingCheckpoint: () =>
      checkpoints.save('unit', 0, { state: processor.snapshot(), metrics: metrics.snapshot() }, () => {
        processor.persist?.();
        throw new Error('SQLITE_FULL: database or disk is full');
      }),
  };
}

/** Gauge and counter values by "name{k=v,...}" (labels sorted), for exact comparisons. */
export function values(metrics: MetricStore): Map<string, number> {
  const out = new Map<string, number>();
  for (const m of metrics.collect()) {
    for (const p of m.dataPoints) {
      const labels = Object.entries(p.attributes).sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, v]) => `${k}=${String(v)}`).join(',');
      out.set(`${m.descriptor.name}{${labels}}`, p.value as number);
    }
  }
  return out;
}

let n = 0;
export function prediction(model: string, version: string, id: string, cls: string, groundTruth?: string): PredictionRecord {
  n++;
  return { kind: 'prediction', id, traceId: `t${n}`, spanId: `s${n}`, startMs: 0, endMs: 1, modelName: model, modelVersion: version, predictedClass: cls, features: {}, ...(groundTruth !== undefined ? { groundTruthClass: groundTruth } : {}) };
}

export function feedback(id: string, cls: string, model?: string): FeedbackRecord {
  return { kind: 'feedback', predictionId: id, groundTruthClass: cls, timeMs: 0, ...(model ? { modelName: model } : {}) };
}

export type Batch = { records: ConsumerRecord[]; at: number };
