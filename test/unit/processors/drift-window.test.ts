// The drift processor's current window: tumbling sub-windows by receive time, expiry after the
// window, the merge of sub-windows equal to one summary of everything, exact JSON round trips.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CategoricalSummary, NumericSummary, numericBinSpec } from '../../../src/stats/drift.js';
import type { Prediction } from '../../../src/pipeline/records.js';
import type { ReferenceColumn } from '../../../src/processors/drift/columns.js';
import { SlidingWindow, type WindowOptions } from '../../../src/processors/drift/window.js';
import { normals, choices } from '../stats/seeded.js';

const H = 3_600_000;
const D = 24 * H;
const T0 = Date.UTC(2025, 0, 6); // a Monday, 00:00 UTC

function columns(): ReferenceColumn[] {
  const spec = numericBinSpec(normals(1, 2000));
  return [
    { name: 'x', type: 'num', spec, summary: new NumericSummary(spec).addAll(normals(1, 2000)) },
    { name: 'cat', type: 'cat', summary: new CategoricalSummary().addAll(choices(2, 2000, ['a', 'b', 'c'], [1, 1, 1])) },
    { name: 'prediction', type: 'cat', summary: new CategoricalSummary().addAll(['yes', 'no']) },
  ];
}

function pred(features: Prediction['features'], cls = 'yes'): Prediction {
  return { kind: 'prediction', id: 'p', traceId: 't', spanId: 's', startMs: 0, endMs: 1, modelName: 'm', modelVersion: '1', predictedClass: cls, features };
}

const OPTS: WindowOptions = { windowMs: 7 * D, subWindowMs: H, exactMax: 0, maxCategories: 1000 };

test('predictions fall into hour sub-windows by receive time, aligned on the hour', () => {
  const w = new SlidingWindow(columns(), OPTS);
  w.add(pred({ x: 1, cat: 'a' }), T0 + 10);
  w.add(pred({ x: 2, cat: 'a' }), T0 + H - 1);
  assert.equal(w.size, 1);
  w.add(pred({ x: 3, cat: 'b' }), T0 + H);
  assert.equal(w.size, 2);
  // a late row for an earlier, still open hour goes to that hour
  w.add(pred({ x: 4, cat: 'c' }), T0 + 5);
  assert.equal(w.size, 2);
  const state = w.toJSON();
  assert.deepEqual(state.subWindows.map((s) => [s.start, s.count]), [[T0, 3], [T0 + H, 1]]);
  const m = w.merged(T0 + H + 1);
  assert.equal(m.count, 4);
  assert.equal(m.start, T0);
  assert.equal(m.end, T0 + 2 * H);
});

test('sub-windows wholly older than 7 days are dropped, by new traffic and by a run', () => {
  const w = new SlidingWindow(columns(), OPTS);
  for (let h = 0; h < 7 * 24; h++) w.add(pred({ x: h, cat: 'a' }), T0 + h * H + 1);
  assert.equal(w.size, 168);
  assert.equal(w.merged(T0 + 7 * D).count, 168);
  // one hour later the first hour [T0, T0+1h) ends exactly at now - 7d: out of the window
  w.add(pred({ x: 0, cat: 'a' }), T0 + 7 * D + H);
  assert.equal(w.size, 168);
  assert.ok(!w.toJSON().subWindows.some((s) => s.start === T0));
  assert.equal(w.merged(T0 + 7 * D + H).count, 168);
  // a run a day later (no traffic) drops 24 more
  w.expire(T0 + 8 * D + H);
  assert.equal(w.size, 168 - 24);
  // a row received for an hour already expired is not counted
  w.add(pred({ x: 0, cat: 'a' }), T0 + 2);
  assert.equal(w.merged(T0 + 8 * D + H).count, 168 - 24);
  // nothing at all after two idle weeks
  assert.equal(w.merged(T0 + 30 * D).count, 0);
});

test('memory is bounded by window / sub_window whatever the traffic', () => {
  const w = new SlidingWindow(columns(), { ...OPTS, windowMs: D });
  for (let i = 0; i < 20_000; i++) w.add(pred({ x: i % 97, cat: String(i % 5) }), T0 + i * 30_000);
  assert.ok(w.size <= 25, `sub-windows held: ${w.size}`);
});

test('the merge of the sub-windows equals one summary of every value', () => {
  const cols = columns();
  const w = new SlidingWindow(cols, OPTS);
  const xs = normals(7, 5000, 0.3, 1.2);
  const cats = choices(8, 5000, ['a', 'b', 'c', 'd'], [4, 3, 2, 1]);
  const whole = new NumericSummary(cols[0].spec!);
  const wholeCat = new CategoricalSummary();
  for (let i = 0; i < xs.length; i++) {
    // every 10th has no x (missing), every 17th a non-numeric x (missing too)
    const x = i % 10 === 0 ? undefined : i % 17 === 0 ? 'oops' : xs[i];
    const f: Prediction['features'] = { cat: cats[i] };
    if (x !== undefined) f.x = x;
    w.add(pred(f), T0 + i * 100_000); // ~5.8 days, ~140 sub-windows
    whole.add(typeof x === 'number' ? x : null);
    wholeCat.add(cats[i]);
  }
  const m = w.merged(T0 + 6 * D);
  assert.equal(m.count, 5000);
  const mx = m.summaries[0] as NumericSummary;
  assert.deepEqual(Array.from(mx.counts), Array.from(whole.counts));
  assert.equal(mx.missing, whole.missing);
  assert.equal(mx.finite, whole.finite);
  assert.equal(mx.min, whole.min);
  assert.equal(mx.max, whole.max);
  assert.ok(Math.abs(mx.mean - whole.mean) < 1e-12);
  assert.ok(Math.abs(mx.m2 - whole.m2) / whole.m2 < 1e-12);
  const mc = m.summaries[1] as CategoricalSummary;
  assert.deepEqual(new Map([...mc.counts].sort()), new Map([...wholeCat.counts].sort()));
  // the prediction column comes from the predicted class
  assert.deepEqual([...(m.summaries[2] as CategoricalSummary).counts], [['yes', 5000]]);
  // merging did not change the sub-windows: a second merge is the same
  assert.deepEqual(Array.from((w.merged(T0 + 6 * D).summaries[0] as NumericSummary).counts), Array.from(whole.counts));
});

test('JSON round trip is exact, including exact-mode raw values', () => {
  const cols = columns();
  const opts = { ...OPTS, exactMax: 100 };
  const w = new SlidingWindow(cols, opts);
  const xs = normals(3, 300);
  for (let i = 0; i < xs.length; i++) w.add(pred({ x: xs[i], cat: i % 3 ? 'a' : 'b' }, i % 2 ? 'yes' : 'no'), T0 + i * 60_000);
  const text = JSON.stringify(w.toJSON());
  const back = SlidingWindow.fromJSON(JSON.parse(text), cols, opts);
  assert.equal(JSON.stringify(back.toJSON()), text);
  const a = w.merged(T0 + D);
  const b = back.merged(T0 + D);
  assert.deepEqual(b.summaries.map((s) => s.toJSON()), a.summaries.map((s) => s.toJSON()));
  // sub-windows of 60 values keep them raw; the 300-value merge is past exact_max and drops them
  assert.deepEqual(JSON.parse(text).subWindows[0].summaries[0].x, Array.from(xs.slice(0, 60)));
  assert.equal((a.summaries[0] as NumericSummary).exact, null);
  // and it keeps counting where it left off
  back.add(pred({ x: 0.5, cat: 'a' }), T0 + 299 * 60_000 + 1);
  assert.equal(back.merged(T0 + D).count, 301);
});
