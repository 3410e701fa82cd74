// The window processor driven directly: quality gauges over the last N labels equal an independent
// recomputation (binary, macro, weighted, per class, eviction), the label join's waits and misses, daily
// history, and a crash between checkpoints that leaves the same state as an uninterrupted run.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { windowConfig } from '../../../src/processors/window/config.js';
import { WindowProcessor } from '../../../src/processors/window/processor.js';
import { allPendingPredictions } from '../../../src/pipeline/labels/pending-table.js';
import { rng } from '../stats/seeded.js';
import { close, referenceScores } from './reference.js';
import { feedback, openProcessor, prediction, tempDbPath, values, type Batch } from './harness.js';

const DAY = 86_400_000;
const T0 = Date.UTC(2025, 0, 10, 12);

/**
 * A stream of predictions for two models; a label either rides on the prediction, follows later as
 * feedback, comes before its prediction, or never comes. Returns the batches and, per model version, the
 * (predicted, actual) pairs in the order their labels joined, with the day each joined on.
 */
function stream(seed: number, count: number, opts: { dayEvery?: number } = {}) {
  const u = rng(seed);
  const classes = ['a', 'b', 'c'];
  const batches: Batch[] = [];
  const joined = new Map<string, { pair: [string, string]; day: number }[]>();
  const later: { id: string; actual: string; model: string; version: string; predicted: string; due: number }[] = [];
  let at = T0;
  let records: Batch['records'] = [];
  const join = (model: string, version: string, predicted: string, actual: string) => {
    const k = `${model}/${version}`;
    const list = joined.get(k) ?? [];
    list.push({ pair: [predicted, actual], day: Math.floor(at / DAY) });
    joined.set(k, list);
  };
  for (let i = 0; i < count; i++) {
    const model = u() < 0.6 ? 'iris' : 'fraud';
    const version = model === 'iris' ? (u() < 0.5 ? '1' : '2') : '7';
    const cls = model === 'fraud' ? (u() < 0.3 ? '1' : '0') : classes[Math.floor(u() * 3)];
    const actual = u() < 0.75 ? cls : model === 'fraud' ? (cls === '1' ? '0' : '1') : classes[Math.floor(u() * 3)];
    const id = `p${i}`;
    const how = u();
    if (how < 0.3) {
      records.push(prediction(model, version, id, cls, actual));
      join(model, version, cls, actual);
    } else if (how < 0.8) {
      records.push(prediction(model, version, id, cls));
      later.push({ id, actual, model, version, predicted: cls, due: i + 1 + Math.floor(u() * 40) });
    } else if (how < 0.9) {
      // The label first, in an earlier batch; its prediction joins it on arrival.
      batches.push({ records: [...records, feedback(id, actual, model)], at });
      records = [];
      at += 1000;
      records.push(prediction(model, version, id, cls));
      join(model, version, cls, actual);
    } else {
      records.push(prediction(model, version, id, cls));
    }
    for (const l of later.filter((x) => x.due === i)) {
      records.push(feedback(l.id, l.actual));
      join(l.model, l.version, l.predicted, l.actual);
    }
    if (records.length >= 7) {
      batches.push({ records, at });
      records = [];
      at += opts.dayEvery && batches.length % opts.dayEvery === 0 ? DAY : 1000;
    }
  }
  if (records.length) batches.push({ records, at });
  return { batches, joined };
}

const config = (extra: Record<string, unknown> = {}) => windowConfig.parse({ size: 50, min_samples: 20, positive_class: { fraud: '1' }, ...extra });

function checkAgainstReference(v: Map<string, number>, joined: Map<string, { pair: [string, string] }[]>, size: number, average: 'macro' | 'weighted' = 'macro') {
  for (const [k, list] of joined) {
    const [model, version] = k.split('/');
    const last = list.slice(-size).map((x) => x.pair);
    const ref = referenceScores(last, model === 'fraud' ? { positive: '1' } : { average });
    const labels = `model_name=${model},model_version=${version}`;
    close(v.get(`model_accuracy{${labels}}`), ref.accuracy, `${k} accuracy`);
    close(v.get(`model_precision{${labels}}`), ref.precision, `${k} precision`);
    close(v.get(`model_recall{${labels}}`), ref.recall, `${k} recall`);
    close(v.get(`model_f1_score{${labels}}`), ref.f1, `${k} f1`);
    for (const [cls, s] of ref.perClass) {
      close(v.get(`model_class_precision{class=${cls},${labels}}`), s.precision, `${k} ${cls} precision`);
      close(v.get(`model_class_f1_score{class=${cls},${labels}}`), s.f1, `${k} ${cls} f1`);
      close(v.get(`model_class_recall{class=${cls},${labels}}`), s.recall, `${k} ${cls} recall`);
    }
    const exported = [...v.keys()].filter((name) => name.startsWith('model_class_precision{') && name.endsWith(`${labels}}`));
    assert.equal(exported.length, ref.perClass.size, `${k}: a per-class series for each class in the window, no more`);
    // The confusion counter counts every label ever joined, not only the window.
    const cells = new Map<string, number>();
    for (const { pair } of list) cells.set(pair.join('>'), (cells.get(pair.join('>')) ?? 0) + 1);
    for (const [cell, n] of cells) {
      const [p, a] = cell.split('>');
      assert.equal(v.get(`model_labeled_predictions{actual_class=${a},${labels},predicted_class=${p}}`), n, `${k} confusion ${cell}`);
    }
  }
}

test('gauges equal an independent recomputation over the last N labels (binary and macro, per class, eviction)', () => {
  const { batches, joined } = stream(1, 1500);
  const h = openProcessor(tempDbPath(), 'window', (ctx) => new WindowProcessor(config(), ctx));
  for (const b of batches) h.processor.consume(b.records, b.at);
  for (const list of joined.values()) assert.ok(list.length > 100, 'each window has evicted');
  checkAgainstReference(values(h.metrics), joined, 50);
});

test('weighted averaging on request', () => {
  const { batches, joined } = stream(2, 600);
  const h = openProcessor(tempDbPath(), 'window', (ctx) => new WindowProcessor(config({ average: 'weighted' }), ctx));
  for (const b of batches) h.processor.consume(b.records, b.at);
  checkAgainstReference(values(h.metrics), joined, 50, 'weighted');
});

test('below min_samples a window exports nothing but its sample count', () => {
  const h = openProcessor(tempDbPath(), 'window', (ctx) => new WindowProcessor(config({ min_samples: 5 }), ctx));
  const labels = 'model_name=m,model_version=1';
  h.processor.consume([0, 1, 2, 3].map((i) => prediction('m', '1', `x${i}`, 'a', 'a')), T0);
  let v = values(h.metrics);
  assert.equal(v.get(`model_accuracy{${labels}}`), undefined);
  assert.equal(v.get(`model_class_precision{class=a,${labels}}`), undefined);
  assert.equal(v.get(`model_quality_window_samples{${labels}}`), 4);
  h.processor.consume([prediction('m', '1', 'x4', 'b', 'a')], T0);
  v = values(h.metrics);
  assert.equal(v.get(`model_accuracy{${labels}}`), 0.8);
  assert.equal(v.get(`model_class_precision{class=b,${labels}}`), 0);
});

test('labels that never meet their prediction are counted as expired or evicted, by model when known', () => {
  const h = openProcessor(tempDbPath(), 'window', (ctx) => new WindowProcessor(config({ labels: { label_ttl: '10s', max_pending_labels: 3 } }), ctx));
  h.processor.consume([feedback('e1', 'a', 'iris'), feedback('e2', 'a')], T0);
  h.processor.consume([feedback('e3', 'a', 'iris'), feedback('e4', 'b', 'iris'), feedback('e5', 'a', 'fraud')], T0 + 1000);
  let v = values(h.metrics);
  // Five waiting, room for three: the two oldest were evicted.
  assert.equal(v.get('model_feedback_unmatched{model_name=iris,reason=evicted}'), 1);
  assert.equal(v.get('model_feedback_unmatched{model_name=,reason=evicted}'), 1);
  // e3 meets its prediction in time; e4 and e5 expire.
  h.processor.consume([prediction('iris', '1', 'e3', 'a')], T0 + 5000);
  h.processor.consume([], T0 + 11_000);
  v = values(h.metrics);
  assert.equal(v.get('model_feedback_unmatched{model_name=iris,reason=expired}'), 1);
  assert.equal(v.get('model_feedback_unmatched{model_name=fraud,reason=expired}'), 1);
  assert.equal(v.get('model_labeled_predictions{actual_class=a,model_name=iris,model_version=1,predicted_class=a}'), 1);
  // A label delivered twice (an at-least-once source) is not a miss.
  h.processor.consume([feedback('e3', 'a', 'iris')], T0 + 12_000);
  h.processor.consume([], T0 + 30_000);
  assert.equal(values(h.metrics).get('model_feedback_unmatched{model_name=iris,reason=expired}'), 1);
});

test('predictions wait for their label bounded by count and age', () => {
  const h = openProcessor(tempDbPath(), 'window', (ctx) => new WindowProcessor(config({ min_samples: 1, labels: { max_pending_predictions: 2, prediction_ttl: '1h' } }), ctx));
  h.processor.consume([prediction('m', '1', 'a', 'x'), prediction('m', '1', 'b', 'x'), prediction('m', '1', 'c', 'x')], T0);
  // 'a' was pushed out by count: its label now waits as an early label instead of joining.
  h.processor.consume([feedback('a', 'x'), feedback('b', 'x')], T0 + 1000);
  assert.equal(values(h.metrics).get('model_quality_window_samples{model_name=m,model_version=1}'), 1);
  // 'c' is older than the TTL.
  h.processor.consume([feedback('c', 'x')], T0 + 3_600_001);
  assert.equal(values(h.metrics).get('model_quality_window_samples{model_name=m,model_version=1}'), 1);
});

test('daily history: per UTC day of label arrival, kept `history` days, table merged with unwritten days', () => {
  const { batches, joined } = stream(3, 900, { dayEvery: 20 });
  const h = openProcessor(tempDbPath(), 'window', (ctx) => new WindowProcessor(config({ history: '3d' }), ctx));
  let k = 0;
  for (const b of batches) {
    h.processor.consume(b.records, b.at);
    if (++k % 17 === 0) h.checkpoint();
  }
  const lastDay = Math.max(...[...joined.values()].flatMap((l) => l.map((x) => x.day)));
  for (const [key, list] of joined) {
    const [model, version] = key.split('/');
    const got = h.processor.historyOf(model)[version];
    const days = [...new Set(list.map((x) => x.day))].filter((d) => d > lastDay - 3).sort((a, b) => a - b);
    assert.deepEqual(got.map((r) => r.day), days.map((d) => new Date(d * DAY).toISOString().slice(0, 10)), `${key} days`);
    for (const [i, d] of days.entries()) {
      const pairs = list.filter((x) => x.day === d).map((x) => x.pair);
      const ref = referenceScores(pairs, model === 'fraud' ? { positive: '1' } : {});
      assert.equal(got[i].count, pairs.length);
      close(got[i].accuracy!, ref.accuracy, `${key} day ${d} accuracy`);
      close(got[i].precision!, ref.precision, `${key} day ${d} precision`);
      close(got[i].recall!, ref.recall, `${key} day ${d} recall`);
      close(got[i].f1!, ref.f1, `${key} day ${d} f1`);
    }
  }
  assert.ok(lastDay - Math.min(...[...joined.values()].flatMap((l) => l.map((x) => x.day))) >= 4, 'the stream spans more days than are kept');
  h.checkpoint();
  const rows = h.db.prepare('SELECT min(day) AS d FROM window_history').get() as { d: number };
  assert.equal(rows.d, lastDay - 2, 'older days pruned from the table');
});

test('a crash between checkpoints, then replay from the checkpoint, ends in the uninterrupted state', () => {
  const { batches } = stream(4, 1200, { dayEvery: 40 });
  const cfg = config();
  const a = openProcessor(tempDbPath(), 'window', (ctx) => new WindowProcessor(cfg, ctx));
  for (const b of batches) a.processor.consume(b.records, b.at);
  a.checkpoint();

  const path = tempDbPath();
  let b = openProcessor(path, 'window', (ctx) => new WindowProcessor(cfg, ctx));
  let position = 0;
  const crashes = [Math.floor(batches.length / 3), Math.floor((2 * batches.length) / 3)];
  for (let i = 0; i < batches.length; i++) {
    b.processor.consume(batches[i].records, batches[i].at);
    if (i % 10 === 9) {
      b.checkpoint();
      position = i + 1;
    }
    if (crashes.includes(i)) {
      // kill -9: no checkpoint; what came after the last one is replayed from the queue.
      void b.processor.shutdown();
      b.db.close();
      b = openProcessor(path, 'window', (ctx) => new WindowProcessor(cfg, ctx));
      crashes.splice(crashes.indexOf(i), 1);
      i = position - 1;
    }
  }
  b.checkpoint();
  assert.deepEqual(values(b.metrics), values(a.metrics));
  for (const model of ['iris', 'fraud']) assert.deepEqual(b.processor.historyOf(model), a.processor.historyOf(model));
  const pending = (db: typeof a.db) => allPendingPredictions(db);
  assert.ok(pending(a.db).length > 0);
  assert.deepEqual(pending(b.db), pending(a.db));
  assert.deepEqual(b.processor.snapshot(), a.processor.snapshot());
});

test('a checkpoint that fails after persist() (a full disk) loses no table write: the next one writes it again', () => {
  const { batches } = stream(4, 600, { dayEvery: 40 });
  const cfg = config();
  const a = openProcessor(tempDbPath(), 'window', (ctx) => new WindowProcessor(cfg, ctx));
  for (const b of batches) a.processor.consume(b.records, b.at);
  a.checkpoint();

  const path = tempDbPath();
  let b = openProcessor(path, 'window', (ctx) => new WindowProcessor(cfg, ctx));
  const half = Math.floor(batches.length / 2);
  for (let i = 0; i < batches.length; i++) {
    b.processor.consume(batches[i].records, batches[i].at);
    if (i === half) assert.throws(() => b.failingCheckpoint(), /disk is full/);
  }
  b.checkpoint();
  // Restart from that checkpoint: the tables must hold what the state expects.
  b.db.close();
  b = openProcessor(path, 'window', (ctx) => new WindowProcessor(cfg, ctx));
  const pending = (db: typeof a.db) => allPendingPredictions(db);
  assert.deepEqual(pending(b.db), pending(a.db));
  assert.deepEqual(values(b.metrics), values(a.metrics));
  for (const model of ['iris', 'fraud']) assert.deepEqual(b.processor.historyOf(model), a.processor.historyOf(model));
});

test('rows an earlier run left under this id are replaced, even when the first checkpoint fails', () => {
  // An earlier run wrote pending predictions under 'window', then its checkpoint went (a pipeline renamed):
  // the new run starts without one, and its first checkpoint must replace those rows.
  const { batches } = stream(5, 600);
  const cfg = config();
  const path = tempDbPath();
  const old = openProcessor(path, 'window', (ctx) => new WindowProcessor(cfg, ctx));
  for (const b of batches.slice(0, 40)) old.processor.consume(b.records, b.at);
  old.checkpoint();
  assert.ok(allPendingPredictions(old.db).length > 0);
  old.db.exec('DELETE FROM checkpoints');
  void old.processor.shutdown();
  old.db.close();

  const a = openProcessor(tempDbPath(), 'window', (ctx) => new WindowProcessor(cfg, ctx));
  const b = openProcessor(path, 'window', (ctx) => new WindowProcessor(cfg, ctx));
  const half = Math.floor(batches.length / 2);
  for (let i = 0; i < batches.length; i++) {
    a.processor.consume(batches[i].records, batches[i].at);
    b.processor.consume(batches[i].records, batches[i].at);
    // The first checkpoint rolls back, its clearing of the old rows with it.
    if (i === 10) assert.throws(() => b.failingCheckpoint(), /disk is full/);
    if (i === half) b.checkpoint();
  }
  a.checkpoint();
  b.checkpoint();
  assert.deepEqual(allPendingPredictions(b.db), allPendingPredictions(a.db));
});

test('checkpoints failing for longer than the join holds predictions: the next one rewrites the table', () => {
  // A join that holds 30 predictions loses count of its changes past 30 and writes everything it holds instead.
  const cfg = config({ labels: { max_pending_predictions: 30 } });
  const { batches } = stream(6, 600);
  const a = openProcessor(tempDbPath(), 'window', (ctx) => new WindowProcessor(cfg, ctx));
  const path = tempDbPath();
  let b = openProcessor(path, 'window', (ctx) => new WindowProcessor(cfg, ctx));
  for (let i = 0; i < batches.length; i++) {
    a.processor.consume(batches[i].records, batches[i].at);
    b.processor.consume(batches[i].records, batches[i].at);
    if (i === 5) b.checkpoint();
    // Every checkpoint from here to the end fails: far more than 30 predictions come meanwhile.
    if (i > 5 && i % 5 === 0 && i < batches.length - 20) assert.throws(() => b.failingCheckpoint(), /disk is full/);
  }
  a.checkpoint();
  b.checkpoint();
  const pendingA = allPendingPredictions(a.db);
  assert.ok(pendingA.length > 0 && pendingA.length <= 30);
  assert.deepEqual(allPendingPredictions(b.db), pendingA);
  b.db.close();
  b = openProcessor(path, 'window', (ctx) => new WindowProcessor(cfg, ctx));
  assert.deepEqual(values(b.metrics), values(a.metrics));
  for (const model of ['iris', 'fraud']) assert.deepEqual(b.processor.historyOf(model), a.processor.historyOf(model));
});

test('one processor id in two pipelines is refused with a clear message', () => {
  const h = openProcessor(tempDbPath(), 'window', (ctx) => new WindowProcessor(config(), ctx));
  assert.throws(() => new WindowProcessor(config(), h.ctx), /more than one pipeline/);
});
