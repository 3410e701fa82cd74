// The window and concept_drift processors of one chain share one label join (shared-join.ts): one map
// and one table of predictions awaiting labels. Sharing must change nothing they compute, survive a
// crash exactly, and take over the per-processor tables of checkpoints written before joins were shared.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tmpdir } from 'node:os';
import { AdminRoutes } from '../../../src/admin/routes.js';
import type { Processor, ProcessorContext } from '../../../src/pipeline/component.js';
import { LabelJoins } from '../../../src/pipeline/labels/shared-join.js';
import { allPendingPredictions } from '../../../src/pipeline/labels/pending-table.js';
import { conceptDriftConfig } from '../../../src/processors/concept_drift/config.js';
import { ConceptDriftProcessor } from '../../../src/processors/concept_drift/processor.js';
import { windowConfig } from '../../../src/processors/window/config.js';
import { WindowProcessor } from '../../../src/processors/window/processor.js';
import { Checkpoints } from '../../../src/storage/checkpoints.js';
import { openDatabase, type Db } from '../../../src/storage/database.js';
import { createLogger } from '../../../src/telemetry/logger.js';
import { MetricStore } from '../../../src/telemetry/metric-store.js';
import { rng } from '../stats/seeded.js';
import { feedback, prediction, tempDbPath, values, type Batch } from './harness.js';

const T0 = Date.UTC(2025, 4, 1, 12);
const clock = { now: () => T0 + 86_400_000 };

/** Predictions of two models; most labels come later, some first, some never. */
function stream(seed: number, count: number): Batch[] {
  const u = rng(seed);
  const batches: Batch[] = [];
  const later: { id: string; actual: string; due: number }[] = [];
  let records: Batch['records'] = [];
  let at = T0;
  for (let i = 0; i < count; i++) {
    const model = u() < 0.5 ? 'iris' : 'fraud';
    const cls = u() < 0.4 ? 'a' : 'b';
    const actual = u() < 0.8 ? cls : cls === 'a' ? 'b' : 'a';
    const id = `p${i}`;
    const how = u();
    if (how < 0.1) records.push(feedback(id, actual, model), prediction(model, '1', id, cls));
    else {
      records.push(prediction(model, '1', id, cls));
      if (how < 0.8) later.push({ id, actual, due: i + 1 + Math.floor(u() * 60) });
    }
    for (const l of later.filter((x) => x.due === i)) records.push(feedback(l.id, l.actual));
    if (records.length >= 25) {
      batches.push({ records, at });
      records = [];
      at += 1000;
    }
  }
  if (records.length > 0) batches.push({ records, at });
  return batches;
}

interface Chain {
  db: Db;
  window: WindowProcessor;
  concept: ConceptDriftProcessor;
  metrics: MetricStore[];
  consume(b: Batch): void;
  checkpoint(): void;
}

/** The two processors as the service chains them: one shared join (or, `shared: false`, one each, as before). */
function openChain(path: string, shared = true): Chain {
  const db = openDatabase(path, { sync: 'normal' });
  const checkpoints = new Checkpoints(db);
  const joins = shared ? new LabelJoins(db) : undefined;
  const ctx = (id: string, metrics: MetricStore): ProcessorContext => ({
    id, logger: createLogger('silent'), meter: () => { throw new Error('no meter'); }, db, clock, admin: new AdminRoutes(), dataDir: tmpdir(),
    metrics, storedTagValue: (_k: string, v: string) => v, labelJoins: joins,
  });
  const metrics = [new MetricStore(2000), new MetricStore(2000)];
  const window = new WindowProcessor(windowConfig.parse({ size: 100, min_samples: 10 }), ctx('window', metrics[0]));
  const concept = new ConceptDriftProcessor(conceptDriftConfig.parse({ baseline_samples: 50, window: 100, min_samples: 10 }), ctx('concept_drift', metrics[1]));
  const chain: [string, Processor, MetricStore][] = [['window', window, metrics[0]], ['concept_drift', concept, metrics[1]]];
  const saved = checkpoints.load('chain')?.state as Record<string, { state: unknown; metrics: unknown }> | undefined;
  for (const [id, p, m] of chain) {
    if (!saved?.[id]) continue;
    m.restore(saved[id].metrics);
    p.restore(saved[id].state);
  }
  return {
    db, window, concept, metrics,
    consume: (b) => chain.forEach(([, p]) => p.consume(b.records, b.at)),
    checkpoint: () => {
      const state = Object.fromEntries(chain.map(([id, p, m]) => [id, { state: p.snapshot(), metrics: m.snapshot() }]));
      checkpoints.save('chain', 0, state, () => chain.forEach(([, p]) => p.persist?.()));
      chain.forEach(([, p]) => p.persisted?.());
    },
  };
}

const pendingRows = (db: Db) => allPendingPredictions(db);
const outcome = (c: Chain) => ({ window: values(c.metrics[0]), concept: values(c.metrics[1]), check: c.concept.runCheck() });

test('one shared join: both processors compute what they compute alone, from one table of pending predictions', () => {
  const batches = stream(11, 3000);
  const shared = openChain(tempDbPath());
  const alone = openChain(tempDbPath(), false);
  for (const b of batches) {
    shared.consume(b);
    alone.consume(b);
  }
  shared.checkpoint();
  alone.checkpoint();
  assert.deepEqual(outcome(shared), outcome(alone));
  assert.ok(outcome(shared).check.length === 2 && values(shared.metrics[0]).get('model_accuracy{model_name=iris,model_version=1}')! > 0.7);
  const rows = pendingRows(shared.db);
  assert.ok(rows.length > 0);
  assert.deepEqual(new Set(rows.map((r) => r.owner)), new Set(['window']), 'one table of pending predictions');
  assert.deepEqual(rows, pendingRows(alone.db).filter((r) => r.owner === 'window'));
});

test('a crash and a restart from the last checkpoint continue exactly where an uninterrupted chain is', () => {
  const batches = stream(12, 3000);
  const path = tempDbPath();
  const first = openChain(path);
  for (const b of batches.slice(0, 60)) first.consume(b);
  first.checkpoint();
  // Consumed after the checkpoint, then lost (kill -9): the restart is fed them again from the queue.
  for (const b of batches.slice(60, 80)) first.consume(b);
  first.db.close();
  const second = openChain(path);
  for (const b of batches.slice(60)) second.consume(b);
  second.checkpoint();
  const whole = openChain(tempDbPath());
  for (const b of batches) whole.consume(b);
  whole.checkpoint();
  assert.deepEqual(outcome(second), outcome(whole));
  assert.deepEqual(pendingRows(second.db), pendingRows(whole.db));
});

test('checkpoints from before joins were shared (one table per processor) are taken over, nothing lost or left behind', () => {
  const batches = stream(13, 3000);
  const path = tempDbPath();
  const before = openChain(path, false);
  for (const b of batches.slice(0, 60)) before.consume(b);
  before.checkpoint();
  assert.deepEqual(new Set(pendingRows(before.db).map((r) => r.owner)), new Set(['window', 'concept_drift']));
  before.db.close();
  const after = openChain(path);
  for (const b of batches.slice(60)) after.consume(b);
  after.checkpoint();
  const whole = openChain(tempDbPath(), false);
  for (const b of batches) whole.consume(b);
  whole.checkpoint();
  assert.deepEqual(outcome(after), outcome(whole));
  assert.deepEqual(pendingRows(after.db), pendingRows(whole.db).filter((r) => r.owner === 'window'));
});
