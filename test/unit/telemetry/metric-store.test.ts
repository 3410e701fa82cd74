// The processors' metric store: Prometheus bucket semantics, the cardinality cap with one overflow
// series, checkpoint round trips, and merging of stores on collection.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DataPointType } from '@opentelemetry/sdk-metrics';
import { MetricStore, OVERFLOW_ATTRIBUTE } from '../../../src/telemetry/metric-store.js';
import { mergeMetrics } from '../../../src/telemetry/producer.js';
import { mulberry32 } from '../../helpers/random.js';

test('histogram buckets are upper-inclusive, like Prometheus le', () => {
  const store = new MetricStore();
  const h = store.histogram({ name: 'h', help: '', labels: ['m'], boundaries: [0.1, 1] });
  for (const v of [0.05, 0.1, 0.1000001, 1, 5, NaN]) h.record(['a'], v);
  const [metric] = store.collect();
  assert.equal(metric.dataPointType, DataPointType.HISTOGRAM);
  const point = metric.dataPoints[0].value as { buckets: { counts: number[] }; count: number; sum: number };
  assert.deepEqual(point.buckets.counts, [2, 2, 1], 'NaN is not recorded');
  assert.equal(point.count, 5);
});

test('past the cap, new series go to one overflow series and are counted', () => {
  const store = new MetricStore(3);
  const c = store.counter({ name: 'c', help: '', labels: ['k'] });
  for (let i = 0; i < 10; i++) c.add([`v${i}`], 1);
  c.add(['v0'], 5);
  const points = store.collect()[0].dataPoints;
  assert.equal(points.length, 4);
  const overflow = points.find((p) => p.attributes[OVERFLOW_ATTRIBUTE] === 'true')!;
  assert.equal(overflow.value, 7);
  assert.equal(points.find((p) => p.attributes.k === 'v0')!.value, 6, 'existing series keep counting');
  assert.equal(store.overflowCounts().get('c'), 7);
});

test('snapshot and restore give the same collection; histograms under other buckets start afresh', () => {
  const a = new MetricStore();
  a.counter({ name: 'c', help: '', labels: ['k'] }).add(['x'], 3);
  a.gauge({ name: 'g', help: '', labels: ['k'] }).set(['x'], 0.25);
  a.histogram({ name: 'h', help: '', labels: ['k'], boundaries: [1, 2] }).record(['x'], 1.5);
  const state = structuredClone(a.snapshot());
  const b = new MetricStore();
  b.counter({ name: 'c', help: '', labels: ['k'] });
  b.gauge({ name: 'g', help: '', labels: ['k'] });
  b.histogram({ name: 'h', help: '', labels: ['k'], boundaries: [1, 2] });
  b.restore(state);
  assert.deepEqual(b.collect(1000).map((m) => m.dataPoints.map((p) => p.value)), a.collect(1000).map((m) => m.dataPoints.map((p) => p.value)));
  const c = new MetricStore();
  c.histogram({ name: 'h', help: '', labels: ['k'], boundaries: [1, 5, 10] });
  c.restore(state);
  assert.equal(c.collect().length, 0, 'counts kept under [1, 2] are not mixed into [1, 5, 10]');
});

test('stores exporting the same series are merged: counters and histograms summed', () => {
  const a = new MetricStore();
  const b = new MetricStore();
  a.counter({ name: 'c', help: '', labels: ['k'] }).add(['x'], 2);
  b.counter({ name: 'c', help: '', labels: ['k'] }).add(['x'], 3);
  b.counter({ name: 'c', help: '', labels: ['k'] }).add(['y'], 1);
  a.histogram({ name: 'h', help: '', labels: [], boundaries: [1] }).record([], 0.5);
  b.histogram({ name: 'h', help: '', labels: [], boundaries: [1] }).record([], 3);
  const merged = mergeMetrics([a.collect(), b.collect()]);
  const c = merged.find((m) => m.descriptor.name === 'c')!;
  assert.deepEqual(c.dataPoints.map((p) => [p.attributes.k, p.value]).sort(), [['x', 5], ['y', 1]]);
  const h = merged.find((m) => m.descriptor.name === 'h')!.dataPoints[0].value as { buckets: { counts: number[] }; count: number; min: number; max: number };
  assert.deepEqual(h.buckets.counts, [1, 1]);
  assert.equal(h.count, 2);
  assert.equal(h.min, 0.5);
  assert.equal(h.max, 3);
});

test('series found by label values stay those collected: random adds, sets, removals and restores against a map', () => {
  const u = mulberry32(11);
  let store = new MetricStore();
  let c = store.counter({ name: 'c', help: '', labels: ['a', 'b', 'c'] });
  let g = store.gauge({ name: 'g', help: '', labels: ['a', 'b'] });
  const counts = new Map<string, number>();
  const gauges = new Map<string, number>();
  const pick = (n: number) => `v${Math.floor(u() * n)}`;
  const collected = (name: string, labels: string[]) => {
    const m = new Map<string, number>();
    for (const p of store.collect().find((x) => x.descriptor.name === name)?.dataPoints ?? []) m.set(JSON.stringify(labels.map((l) => p.attributes[l])), p.value as number);
    return m;
  };
  for (let i = 0; i < 5000; i++) {
    const op = u();
    const labels3 = [pick(4), pick(3), pick(5)];
    const labels2 = [pick(4), pick(6)];
    if (op < 0.5) {
      c.add(labels3, 1);
      counts.set(JSON.stringify(labels3), (counts.get(JSON.stringify(labels3)) ?? 0) + 1);
    } else if (op < 0.75) {
      g.set(labels2, i);
      gauges.set(JSON.stringify(labels2), i);
    } else if (op < 0.95) {
      g.remove(labels2);
      gauges.delete(JSON.stringify(labels2));
    } else {
      // A restart (a new store) or a restore in place: either must keep counting the same series.
      const state = structuredClone(store.snapshot());
      if (op < 0.975) {
        store = new MetricStore();
        c = store.counter({ name: 'c', help: '', labels: ['a', 'b', 'c'] });
        g = store.gauge({ name: 'g', help: '', labels: ['a', 'b'] });
      }
      store.restore(state);
    }
    // Often: a series lost now may be made whole again by a later operation on the same labels.
    if (i % 10 === 0) {
      assert.deepEqual(collected('c', ['a', 'b', 'c']), counts, `after operation ${i}`);
      assert.deepEqual(collected('g', ['a', 'b']), gauges, `after operation ${i}`);
    }
  }
});
