// The processors' metric store: Prometheus bucket semantics, the cardinality cap with one overflow
// series, checkpoint round trips, and merging of stores on collection.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DataPointType } from '@opentelemetry/sdk-metrics';
import { MetricStore, OVERFLOW_ATTRIBUTE } from '../../../src/telemetry/metric-store.js';
import { mergeMetrics } from '../../../src/telemetry/producer.js';

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
