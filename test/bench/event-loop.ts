// The agent's event loop over a benchmark phase, from its own metrics (modelwatch_event_loop_*): how busy
// it was, and how late its 20 ms timer ran. Acknowledgements wait for the same loop, so its stalls are
// the part of the ack p99 that is the agent's own (the rest: the client, the transport, the other threads).
import type { AgentHandle } from '../helpers/agent.js';
import { parsePromText } from '../helpers/prom-text.js';

export interface LoopSnapshot {
  atMs: number;
  busySeconds: number;
  /** Every thread's busy seconds by its label (main, the log's writer, the WAL's checkpointer). */
  threads: Map<string, number>;
  /** Cumulative counts by upper bound (seconds), +Inf last. */
  buckets: [number, number][];
}

export async function loopSnapshot(agent: AgentHandle): Promise<LoopSnapshot> {
  const samples = parsePromText(await agent.metricsText());
  // The event loop's series; a SQLite log's writer thread has one of its own.
  const threads = new Map(samples.filter((s) => s.name === 'modelwatch_event_loop_busy_seconds_total').map((s) => [s.labels.thread, s.value]));
  const busy = threads.get('main');
  if (busy === undefined) throw new Error('the agent exports no modelwatch_event_loop_busy_seconds_total{thread="main"}');
  const buckets = samples
    .filter((s) => s.name === 'modelwatch_event_loop_delay_seconds_bucket')
    .map((s): [number, number] => [s.labels.le === '+Inf' ? Infinity : Number(s.labels.le), s.value])
    .sort((a, b) => a[0] - b[0]);
  return { atMs: performance.now(), busySeconds: busy, threads, buckets };
}

export interface LoopFigures {
  busyPercent: number;
  /** The 99th percentile of the timer's lateness, interpolated within its bucket as histogram_quantile does. */
  delayP99Ms: number;
  /** Late ticks over 25 ms per minute: stalls long enough to show in an ack p99 of 20 ms. */
  stallsOver25msPerMinute: number;
  /** Each thread's busy time as % of one core (main included): what of the process's CPU the threads account for. */
  threadsBusyPercent: Record<string, number>;
}

export function loopBetween(a: LoopSnapshot, b: LoopSnapshot): LoopFigures {
  const seconds = (b.atMs - a.atMs) / 1000;
  const counts = b.buckets.map(([le, c], i): [number, number] => [le, c - (a.buckets[i]?.[1] ?? 0)]);
  const total = counts[counts.length - 1][1];
  const rank = 0.99 * total;
  let p99 = NaN;
  for (let i = 0; i < counts.length; i++) {
    if (counts[i][1] < rank) continue;
    const lower = i === 0 ? 0 : counts[i - 1][0];
    const below = i === 0 ? 0 : counts[i - 1][1];
    const upper = counts[i][0];
    // Above the last finite bound, say the bound (histogram_quantile does the same).
    p99 = upper === Infinity ? lower : lower + ((upper - lower) * (rank - below)) / (counts[i][1] - below);
    break;
  }
  const at25 = counts.find(([le]) => le === 0.025)?.[1] ?? NaN;
  return {
    busyPercent: ((b.busySeconds - a.busySeconds) / seconds) * 100,
    delayP99Ms: p99 * 1000,
    stallsOver25msPerMinute: ((total - at25) / seconds) * 60,
    threadsBusyPercent: Object.fromEntries([...b.threads].map(([t, v]) => [t, ((v - (a.threads.get(t) ?? 0)) / seconds) * 100])),
  };
}
