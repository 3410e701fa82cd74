// The agent process's own load: CPU, memory and how busy and how late its event loop is, so an operator
// running the agent near the machine's limit sees it coming (the OTel Collector exports its
// otelcol_process_* for the same reason). Totals are cumulative counters, so every reader (Prometheus
// pull, OTLP push) gets a correct rate whatever its interval; nothing here is reset by a collection.
import type { Meter } from '@opentelemetry/api';
import type { ThreadLoad } from '../pipeline/component.js';
import { performance } from 'node:perf_hooks';
import { getHeapStatistics } from 'node:v8';

/** How often the event loop's lateness is sampled: often enough to see a stall of a few ms, cheap (one timer). */
const DELAY_SAMPLE_MS = 20;
/** Seconds; from "a few scavenges" to "acknowledgements time out". */
const DELAY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

export interface ProcessMetricsOptions {
  /** limits.memory in bytes; 0 when there is none. */
  memoryLimitBytes: number;
  /** Threads of components (the SQLite log's writer), beside the event loop. */
  threads?: () => readonly ThreadLoad[];
  /** Sampling period of the event loop delay (tests shorten it). */
  delaySampleMs?: number;
}

export class ProcessMetrics {
  private readonly timer: NodeJS.Timeout;

  constructor(meter: Meter, opts: ProcessMetricsOptions) {
    // Every thread of the process: the event loop, the prediction log's writer, V8's and libuv's helpers.
    meter
      .createObservableCounter('modelwatch_process_cpu_seconds', { description: 'CPU time of the agent process, user and system, all threads', unit: 's' })
      .addCallback((r) => {
        const u = process.cpuUsage();
        r.observe((u.user + u.system) / 1e6);
      });
    meter
      .createObservableGauge('modelwatch_process_resident_memory_bytes', { description: 'Resident memory of the agent process (what limits.memory is checked against)', unit: 'By' })
      .addCallback((r) => r.observe(process.memoryUsage.rss()));
    meter
      .createObservableGauge('modelwatch_process_heap_used_bytes', { description: "JavaScript heap in use on the agent's event loop thread", unit: 'By' })
      .addCallback((r) => r.observe(getHeapStatistics().used_heap_size));
    const startSeconds = performance.timeOrigin / 1000;
    meter
      .createObservableGauge('modelwatch_process_start_time_seconds', { description: 'When the agent process started, in seconds since the Unix epoch', unit: 's' })
      .addCallback((r) => r.observe(startSeconds));
    meter
      .createObservableGauge('modelwatch_memory_limit_bytes', { description: 'limits.memory: resident memory above which receivers refuse data (0: no limit)', unit: 'By' })
      .addCallback((r) => r.observe(opts.memoryLimitBytes));

    // Busy time rather than a utilization gauge: rate() of it is the utilization over any window, and a
    // thread busy ~100% is at its limit: for the main one, acknowledgements wait and consumers fall
    // behind; for a component's (the SQLite log's writer), that component's consumer falls behind.
    meter
      .createObservableCounter('modelwatch_event_loop_busy_seconds', { description: 'Time a thread of the agent spent running, not waiting for work (thread="main": the event loop)', unit: 's' })
      .addCallback((r) => {
        r.observe(performance.eventLoopUtilization().active / 1000, { thread: 'main' });
        for (const t of opts.threads?.() ?? []) r.observe(t.busySeconds, { thread: t.thread });
      });

    // Lateness of a periodic timer: a stall (a long batch, a checkpoint, a garbage collection) holds every
    // acknowledgement and scrape due during it, and shows here as one late tick of about its length.
    const delay = meter.createHistogram('modelwatch_event_loop_delay_seconds', {
      description: 'How late a timer on the event loop ran, sampled every 20 ms: stalls of the agent',
      unit: 's',
      advice: { explicitBucketBoundaries: DELAY_BUCKETS },
    });
    const period = opts.delaySampleMs ?? DELAY_SAMPLE_MS;
    let due = performance.now() + period;
    this.timer = setInterval(() => {
      const now = performance.now();
      delay.record(Math.max(0, now - due) / 1000);
      // From now, not from the missed due time: one stall is one late sample, not several.
      due = now + period;
    }, period);
    this.timer.unref();
  }

  close(): void {
    clearInterval(this.timer);
  }
}
