// The assembler's checkpointed state: predictions already handed on (roots) must survive a restart, so a
// child that arrives after it still finds its prediction, with the right id and model. The roots live in
// a journal written a chunk at a time (roots-journal.ts); checkpoints from before it held them whole.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { serialize, deserialize } from 'node:v8';
import { Assembler } from '../../../src/pipeline/assembler.js';
import { RootsJournal } from '../../../src/pipeline/roots-journal.js';
import type { PredictionRecord, StageRecord } from '../../../src/pipeline/records.js';
import { openDatabase, type Db } from '../../../src/storage/database.js';
import { rng } from '../stats/seeded.js';

const prediction = (traceId: string, spanId: string, model: string, id = traceId + spanId): PredictionRecord => ({
  kind: 'prediction', id, traceId, spanId, startMs: 0, endMs: 1, modelName: model, modelVersion: '1', predictedClass: 'a', features: {},
});
const child = (traceId: string, parentSpanId: string): StageRecord => ({ kind: 'stage', traceId, parentSpanId, spanId: 'c', stage: 'postprocess', seconds: 0.25, endMs: 2 });
const opts = { ttlMs: 30_000, maxEntries: 1000 };

/** A checkpoint as the consumer takes it: the state through v8 serialization, the roots in the journal. */
function checkpoint(db: Db, journal: RootsJournal, a: Assembler, fail = false): unknown {
  const state = serialize(a.snapshot());
  try {
    db.transaction(() => {
      journal.persist(a);
      if (fail) throw new Error('disk is full');
    })();
  } catch {
    return undefined;
  }
  journal.persisted();
  return deserialize(state);
}

function restart(db: Db, state: unknown): { a: Assembler; journal: RootsJournal } {
  const a = new Assembler(opts);
  const journal = new RootsJournal(db, 'consumer');
  journal.restore(a, state);
  return { a, journal };
}

test('roots survive a checkpoint: a late child after restart becomes a late stage of its prediction', () => {
  const db = openDatabase(':memory:', { sync: 'normal' });
  const a = new Assembler(opts);
  const state = checkpoint(db, new RootsJournal(db, 'consumer'), a);
  a.process([prediction('t1', 's1', 'fraud'), prediction('t2', 's2', 'churn', 'explicit-id'), prediction('t3', 's3', 'fraud')], 1000);
  const { a: b } = restart(db, checkpoint(db, restart(db, state).journal, a));
  assert.deepEqual(b.rootEntries(), a.rootEntries());
  const out = b.process([child('t2', 's2'), child('t1', 's1')], 2000);
  assert.deepEqual(out, [
    { kind: 'late_stage', predictionId: 'explicit-id', modelName: 'churn', modelVersion: '1', stage: 'postprocess', seconds: 0.25 },
    { kind: 'late_stage', predictionId: 't1s1', modelName: 'fraud', modelVersion: '1', stage: 'postprocess', seconds: 0.25 },
  ]);
});

const legacyStates = {
  'pairs': { waiting: [], roots: [['t9/s9', { id: 'p9', modelName: 'm', modelVersion: '2', at: 5 }]], expired: 3 },
  'columns': { waiting: [], roots: { keys: ['t9/s9'], ids: ['p9'], models: [['m', '2']], model: [0], at: Float64Array.of(5) }, expired: 3 },
};
for (const [name, legacy] of Object.entries(legacyStates)) {
  test(`a checkpoint from before the journal (roots in the state as ${name}) is restored, and its roots written at the next checkpoint`, () => {
    const db = openDatabase(':memory:', { sync: 'normal' });
    const first = restart(db, legacy);
    const state = checkpoint(db, first.journal, first.a);
    assert.equal((state as { roots?: unknown }).roots, undefined);
    const { a } = restart(db, state);
    assert.deepEqual(a.process([child('t9', 's9')], 6), [{ kind: 'late_stage', predictionId: 'p9', modelName: 'm', modelVersion: '2', stage: 'postprocess', seconds: 0.25 }]);
    assert.equal(a.expired, 3);
  });
}

test('roots and waiting children stored with traceId/spanId keys (before keys lost the separator) still join', () => {
  const db = openDatabase(':memory:', { sync: 'normal' });
  // The journal as the previous version wrote it: one chunk whose keys hold the separator.
  const old = restart(db, { waiting: [], roots: [['t9/s9', { id: 't9s9', modelName: 'm', modelVersion: '2', at: 5 }]], expired: 0 });
  const state = checkpoint(db, old.journal, old.a) as { waiting: unknown[] };
  db.prepare("UPDATE assembler_roots_chunks SET data = ? WHERE owner = 'consumer'").run(
    serialize({ seqs: Float64Array.of(0), values: { keys: ['t9/s9'], ids: [null], models: [['m', '2']], model: [0], at: Float64Array.of(5) } }),
  );
  const { a } = restart(db, { ...state, waiting: [['t8/s8', [child('t8', 's8')], 5]] });
  assert.deepEqual(a.process([child('t9', 's9'), prediction('t8', 's8', 'm')], 6).map((r) => (r.kind === 'late_stage' ? r.predictionId : (r as PredictionRecord).stages)), [
    't9s9',
    { postprocess: 0.25 },
  ]);
});

test('after random traffic and checkpoints (some rolled back), a restart holds exactly the roots of the last one that committed', () => {
  const db = openDatabase(':memory:', { sync: 'normal' });
  const random = rng(9);
  let { a, journal } = restart(db, undefined);
  let committed = { state: checkpoint(db, journal, a), roots: a.rootEntries() };
  let at = 0;
  for (let round = 0; round < 300; round++) {
    const batch: (PredictionRecord | StageRecord)[] = [];
    for (let i = Math.floor(random() * 30); i > 0; i--) {
      // A small key space: predictions sent again (moved to the young end) happen often.
      const k = Math.floor(random() * 400);
      batch.push(random() < 0.8 ? prediction(`t${k}`, `s${k}`, k % 3 ? 'fraud' : 'churn', k % 5 ? undefined : `id${k}`) : child(`t${k}`, `s${k}`));
    }
    at += Math.floor(random() * 3000);
    a.process(batch, at);
    if (random() < 0.3) {
      const fail = random() < 0.2;
      const state = checkpoint(db, journal, a, fail);
      if (!fail) committed = { state, roots: a.rootEntries() };
    }
    if (random() < 0.05) {
      ({ a, journal } = restart(db, committed.state));
      assert.deepEqual(a.rootEntries(), committed.roots, `round ${round}`);
    }
  }
  assert.ok(committed.roots.length > 100);
});

test('checkpoints failing for long, or not taken at all, keep no more changes than roots: the next one rewrites the roots', () => {
  const db = openDatabase(':memory:', { sync: 'normal' });
  const small = { ttlMs: 30_000, maxEntries: 50 };
  const a = new Assembler(small);
  const journal = new RootsJournal(db, 'consumer');
  journal.restore(a, undefined);
  let state = checkpoint(db, journal, a);
  let n = 0;
  const send = (count: number) => a.process(Array.from({ length: count }, () => prediction(`t${n}`, `s${n++}`, 'fraud')), n);
  // Rolled back again and again: the changes taken pile up past the 50 roots held.
  for (let i = 0; i < 10; i++) {
    send(20);
    assert.equal(checkpoint(db, journal, a, true), undefined);
  }
  send(5);
  state = checkpoint(db, journal, a);
  const restored = new Assembler(small);
  new RootsJournal(db, 'consumer').restore(restored, state);
  assert.deepEqual(restored.rootEntries(), a.rootEntries());
  assert.equal(a.rootCount, 50);
  // Rewritten: one chunk with the roots held, not the eleven chunks of changes.
  const chunks = () => (db.prepare("SELECT count(*) AS n FROM assembler_roots_chunks WHERE owner = 'consumer'").get() as { n: number }).n;
  assert.equal(chunks(), 1);
  send(5);
  checkpoint(db, journal, a);
  assert.equal(chunks(), 2, 'then changes again');
  // No checkpoint taken while 120 predictions come: the assembler stops keeping changes past its 50 roots.
  send(120);
  state = checkpoint(db, journal, a);
  assert.equal(chunks(), 1);
  const again = new Assembler(small);
  new RootsJournal(db, 'consumer').restore(again, state);
  assert.deepEqual(again.rootEntries(), a.rootEntries());
  // What the assembler keeps between takes is bounded by its roots, not by the time since the last take.
  const alone = new Assembler(small);
  alone.process(Array.from({ length: 50 }, (_, i) => prediction(`u${i}`, 's', 'fraud')), 1);
  assert.equal(alone.takeRootChanges()?.chunk.size, 50);
  alone.process(Array.from({ length: 51 }, (_, i) => prediction(`v${i}`, 's', 'fraud')), 2);
  assert.equal(alone.takeRootChanges(), undefined);
  alone.process([prediction('w', 's', 'fraud')], 3);
  assert.equal(alone.takeRootChanges()?.chunk.size, 1);
});

test('the roots of a consumer no longer configured are forgotten with it', () => {
  const db = openDatabase(':memory:', { sync: 'normal' });
  const { a, journal } = restart(db, undefined);
  a.process([prediction('t1', 's1', 'fraud')], 1000);
  const state = checkpoint(db, journal, a);
  assert.equal(restart(db, state).a.rootEntries().length, 1);
  RootsJournal.forget(db, 'consumer');
  assert.equal(restart(db, state).a.rootEntries().length, 0);
});
