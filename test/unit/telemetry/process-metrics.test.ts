import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { DataPointType, MeterProvider, MetricReader, type MetricData } from '@opentelemetry/sdk-metrics';
import { ProcessMetrics } from '../../../src/telemetry/process-metrics.js';
import { rssMiB } from '../../helpers/proc-stats.js';

class Reader extends MetricReader {
  protected async onShutdown(): Promise<void> {}
  protected async onForceFlush(): Promise<void> {}
}

async function setup(memoryLimitBytes = 0, threads?: () => { thread: string; busySeconds: number }[]) {
  const reader = new Reader();
  const provider = new MeterProvider({ readers: [reader] });
  const metrics = new ProcessMetrics(provider.getMeter('t'), { memoryLimitBytes, delaySampleMs: 10, threads });
  const read = async (): Promise<Map<string, MetricData>> => {
    const { resourceMetrics } = await reader.collect();
    return new Map(resourceMetrics.scopeMetrics.flatMap((s) => s.metrics).map((m) => [m.descriptor.name, m]));
  };
  const value = async (name: string, thread?: string): Promise<number> => {
    const m = (await read()).get(name);
    assert.ok(m, `${name} is exported`);
    const point = thread === undefined ? m.dataPoints[0] : m.dataPoints.find((p) => p.attributes.thread === thread);
    assert.ok(point, `${name}{thread="${thread}"}`);
    return point.value as number;
  };
  const close = async () => {
    metrics.close();
    await provider.shutdown();
  };
  return { read, value, close };
}

function busyWait(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until);
}

test('process metrics: CPU and event loop busy time grow by the time the loop was held', async () => {
  const m = await setup();
  try {
    const cpu0 = await m.value('modelwatch_process_cpu_seconds');
    const busy0 = await m.value('modelwatch_event_loop_busy_seconds', 'main');
    busyWait(300);
    await sleep(0);
    const cpu1 = await m.value('modelwatch_process_cpu_seconds');
    const busy1 = await m.value('modelwatch_event_loop_busy_seconds', 'main');
    assert.ok(cpu1 - cpu0 >= 0.25, `CPU grew by ${cpu1 - cpu0} s over 300 ms of spinning`);
    assert.ok(busy1 - busy0 >= 0.25, `busy time grew by ${busy1 - busy0} s`);

    // Idle time is not busy time.
    const busy2 = await m.value('modelwatch_event_loop_busy_seconds', 'main');
    await sleep(300);
    const busy3 = await m.value('modelwatch_event_loop_busy_seconds', 'main');
    assert.ok(busy3 - busy2 < 0.1, `300 ms asleep counted ${busy3 - busy2} s busy`);
  } finally {
    await m.close();
  }
});

test('process metrics: a stall of the event loop is one late sample of about its length', async () => {
  const m = await setup();
  try {
    await sleep(100);
    const before = (await m.read()).get('modelwatch_event_loop_delay_seconds')!;
    assert.equal(before.dataPointType, DataPointType.HISTOGRAM);
    const h0 = before.dataPoints[0].value as { count: number; max?: number; buckets: { boundaries: number[]; counts: number[] } };
    assert.ok(h0.count >= 3, `samples every 10 ms: ${h0.count} in 100 ms`);
    assert.ok((h0.max ?? 0) < 0.1, 'no stall yet');

    busyWait(150);
    await sleep(30);
    const h1 = (await m.read()).get('modelwatch_event_loop_delay_seconds')!.dataPoints[0].value as typeof h0;
    assert.ok(h1.max! >= 0.13 && h1.max! < 0.5, `the stall measured ${h1.max} s`);
    // Bucket boundaries in seconds; the stall counts once, above 0.1 s.
    assert.deepEqual(h1.buckets.boundaries, [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5]);
    const above = (h: typeof h0) => h.buckets.counts.slice(h.buckets.boundaries.indexOf(0.1) + 1).reduce((a, b) => a + b, 0);
    assert.equal(above(h1) - above(h0), 1);
  } finally {
    await m.close();
  }
});

test('process metrics: memory matches /proc, the limit is the configured one, start time is this process', async () => {
  const m = await setup(512 * 1024 * 1024);
  try {
    const rss = await m.value('modelwatch_process_resident_memory_bytes');
    const vmRss = rssMiB(process.pid) * 2 ** 20;
    assert.ok(Math.abs(rss - vmRss) / vmRss < 0.1, `rss ${rss} against /proc ${vmRss}`);
    const heap = await m.value('modelwatch_process_heap_used_bytes');
    assert.ok(heap > 1e6 && heap < rss, `heap ${heap}`);
    assert.equal(await m.value('modelwatch_memory_limit_bytes'), 512 * 1024 * 1024);
    // The kernel's start time of this process, in seconds since boot, against the metric.
    const startTicks = Number(readFileSync('/proc/self/stat', 'utf8').split(') ')[1].split(' ')[19]);
    const bootSeconds = Number(/btime (\d+)/.exec(readFileSync('/proc/stat', 'utf8'))![1]);
    const started = bootSeconds + startTicks / 100;
    const metric = await m.value('modelwatch_process_start_time_seconds');
    assert.ok(Math.abs(metric - started) < 2, `start ${metric} against /proc ${started}`);
  } finally {
    await m.close();
  }
});

test("process metrics: components' threads report their busy time beside the event loop's", async () => {
  let writer = 1.5;
  const m = await setup(0, () => [{ thread: 'exporter/prediction_log/local', busySeconds: writer }]);
  try {
    assert.equal(await m.value('modelwatch_event_loop_busy_seconds', 'exporter/prediction_log/local'), 1.5);
    writer = 2.25;
    assert.equal(await m.value('modelwatch_event_loop_busy_seconds', 'exporter/prediction_log/local'), 2.25);
    assert.ok((await m.value('modelwatch_event_loop_busy_seconds', 'main')) > 0);
  } finally {
    await m.close();
  }
});
