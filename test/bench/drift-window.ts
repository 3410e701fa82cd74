// Benchmark: one drift run of the agent's drift processor over 20 features (16 numerical, 4
// categorical) as the current window grows from 10^4 to 10^8 predictions. The window is kept as
// mergeable summaries (one per feature per hour sub-window, default 7 days / 1 hour = 168 of them, bins
// fixed by the reference), so run time and memory should not grow with the number of predictions.
//
// What is timed per size (median of RUNS runs): computeRun() from src/processors/drift/run.ts, i.e.
// what DriftProcessor.run() computes for one model version: merge the 168 sub-windows, binned
// KS / Wasserstein / PSI / Jensen–Shannon (auto choice: Wasserstein for numerical, Jensen–Shannon for
// categorical columns with a 100k-row reference), the dataset verdict and the report histograms; and
// separately the HTML report rendering. Not timed: writing the report file, gauges.
// Memory: what the window retains (V8 heap after a full GC, before building it vs after the runs, plus
// its bin count arrays, which live outside the heap), the process's heap and RSS after the runs, and the
// size of the window's checkpoint JSON.
//
// How the window is filled: up to FEED_LIMIT predictions (default 10^6) go through SlidingWindow.add()
// one by one, spread evenly over the 7 days, like DriftProcessor.consume() does (the feed rate is
// printed too). Beyond that, 168 × 1000 real predictions are fed, and then every count in every
// sub-window summary is multiplied by F = round(N / 168000) through the checkpoint format
// (toJSON → scale → SlidingWindow.fromJSON): the window of 168000·F predictions in which each value
// occurs F times. A run reads only the summaries, whose shape does not depend on F.
//
// Run: node --import tsx test/bench/drift-window.ts [maxPower=8] [feedLimit=1000000] [stattest=auto]
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import type { Prediction } from '../../src/pipeline/records.js';
import type { Columns } from '../../src/stats/drift.js';
import { buildReferenceSet } from '../../src/processors/drift/reference-build.js';
import { SlidingWindow, type WindowOptions, type WindowState } from '../../src/processors/drift/window.js';
import { computeRun, type RunSettings } from '../../src/processors/drift/run.js';
import type { NumericState, SummaryState } from '../../src/processors/drift/summary-codec.js';
import { renderDriftReport } from '../../src/report/html.js';
import { choices, normals } from '../unit/stats/seeded.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const HOUR = 3_600_000;
const WINDOW_MS = 7 * 24 * HOUR;
const T0 = Date.UTC(2025, 0, 6);
const NUMERIC = 16;
const CATEGORICAL = 4;
const CATEGORIES = ['a', 'b', 'c', 'd', 'e'];
const REFERENCE_ROWS = 100_000;
const POOL = 4096;
const SAMPLE_PER_SUBWINDOW = 1000;
const RUNS = 3;

export interface DriftWindowOptions {
  /** Largest window, as a power of ten (default 8). */
  maxPower?: number;
  /** Predictions fed one by one up to this window size; larger windows are scaled (default 10^6). */
  feedLimit?: number;
  /** Test for every column (default 'auto': Wasserstein / Jensen–Shannon here). */
  stattest?: RunSettings['stattest'];
}

const WINDOW: WindowOptions = { windowMs: WINDOW_MS, subWindowMs: HOUR, exactMax: 0, maxCategories: 1000 };
const SETTINGS: RunSettings = { stattest: 'auto', features: {}, driftShare: 0.5, correction: 'none', minSamples: 100 };
// PSI and chi-square are the tests that also apply to the categorical columns
const FORCED_CATEGORICAL: Partial<Record<RunSettings['stattest'], RunSettings['stattest']>> = { ks: 'jensenshannon', wasserstein: 'jensenshannon' };

function reference() {
  const cols: Columns = {};
  for (let f = 0; f < NUMERIC; f++) cols[`x${f}`] = { type: 'num', values: normals(100 + f, REFERENCE_ROWS) };
  for (let f = 0; f < CATEGORICAL; f++) cols[`c${f}`] = { type: 'cat', values: choices(200 + f, REFERENCE_ROWS, CATEGORIES, [5, 4, 3, 2, 1]) };
  return buildReferenceSet(cols, 'bench', { exactMax: WINDOW.exactMax, maxCategories: WINDOW.maxCategories });
}

/** Predictions cycled through by the feed; a quarter of the numerical features shifted by 0.1 sd. */
function predictionPool(): Prediction[] {
  const num = Array.from({ length: NUMERIC }, (_, f) => normals(300 + f, POOL, f % 4 === 0 ? 0.1 : 0));
  const cat = Array.from({ length: CATEGORICAL }, (_, f) => choices(400 + f, POOL, CATEGORIES, [5, 4, 3, 2, 1]));
  return Array.from({ length: POOL }, (_, i) => {
    const features: Prediction['features'] = {};
    for (let f = 0; f < NUMERIC; f++) features[`x${f}`] = num[f][i];
    for (let f = 0; f < CATEGORICAL; f++) features[`c${f}`] = cat[f][i];
    return { kind: 'prediction', id: `p${i}`, traceId: 't', spanId: 's', startMs: 0, endMs: 1, modelName: 'bench', modelVersion: '1', predictedClass: 'yes', features };
  });
}

/** n predictions spread evenly over the window ending at T0 + WINDOW_MS. */
function feed(window: SlidingWindow, pool: Prediction[], n: number): number {
  const t0 = performance.now();
  for (let i = 0; i < n; i++) window.add(pool[i % POOL], T0 + Math.floor((i * WINDOW_MS) / n));
  return performance.now() - t0;
}

/** Every count of a sub-window summary multiplied by f (each value seen f times). */
function scaleSummary(s: SummaryState, f: number): SummaryState {
  if ('kind' in s) return { ...s, counts: s.counts.map(([k, c]) => [k, c * f]), other: s.other * f, missing: s.missing * f };
  const n = s as NumericState;
  return { ...n, c: n.c.map((v, i) => (i % 2 ? v * f : v)), m: n.m * f, f: n.f * f, m2: n.m2 * f, d: n.d && n.d.map(([v, c]) => [v, c * f]) };
}

/** The window in which every prediction of `window` occurs `factor` times, through its checkpoint form. */
function scaledWindow(window: SlidingWindow, factor: number, columns: ReturnType<typeof reference>['columns']): SlidingWindow {
  const state: WindowState = window.toJSON();
  const scaled: WindowState = {
    subWindows: state.subWindows.map((sw) => ({ start: sw.start, count: sw.count * factor, summaries: sw.summaries.map((s) => scaleSummary(s, factor)) })),
  };
  return SlidingWindow.fromJSON(scaled, columns, WINDOW);
}

/** V8 heap in use after a full GC (typed arrays' storage lives outside it: see typedArrayMiB). */
function heapMiB(): number {
  gc();
  return process.memoryUsage().heapUsed / 2 ** 20;
}

/**
 * Storage of the window's bin counts (Float64Arrays, outside the V8 heap; process.memoryUsage()
 * .arrayBuffers frees them too lazily to measure): one array of (edges + 1) doubles per numerical
 * column per sub-window.
 */
function typedArrayMiB(window: SlidingWindow, columns: ReturnType<typeof reference>['columns']): number {
  let perSubWindow = 0;
  for (const c of columns) if (c.spec) perSubWindow += (c.spec.edges.length + 1) * 8;
  return (window.size * perSubWindow) / 2 ** 20;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1];
}

interface SizeResult {
  predictions: number;
  filled: string;
  feedPerSecond: number;
  runMs: number;
  runSamplesMs: number[];
  reportMs: number;
  /** Retained by the window: its V8 heap objects + its bin count arrays. */
  windowMiB: number;
  /** The whole process's V8 heap after the runs (reference, prediction pool, window), and its RSS. */
  heapUsedMiB: number;
  rssMiB: number;
  stateKiB: number;
  driftedColumns: number;
  columns: number;
}

/** One window size, in its own frame so that nothing of it outlives the call (heap figures). */
function measureSize(ref: ReturnType<typeof reference>, pool: Prediction[], target: number, feedLimit: number, settings: RunSettings): SizeResult {
  const before = heapMiB();
  let window = new SlidingWindow(ref.columns, WINDOW);
  let filled = 'fed';
  let fed = target;
  let feedMs: number;
  if (target <= feedLimit) feedMs = feed(window, pool, target);
  else {
    fed = 168 * SAMPLE_PER_SUBWINDOW;
    feedMs = feed(window, pool, fed);
    const factor = Math.round(target / fed);
    window = scaledWindow(window, factor, ref.columns);
    filled = `x${factor}`;
  }
  const now = T0 + WINDOW_MS;
  const runMs: number[] = [];
  const reportMs: number[] = [];
  let outcome;
  for (let r = 0; r < RUNS; r++) {
    const t0 = performance.now();
    const computed = computeRun({ model: 'bench', version: '1', time: new Date(now).toISOString() }, ref, window, now, settings);
    const t1 = performance.now();
    outcome = computed.outcome;
    if (outcome.status !== 'ok') throw new Error(`drift run: ${outcome.status}: ${'message' in outcome ? outcome.message : ''}`);
    renderDriftReport(outcome, { title: 'bench', generatedAt: new Date(now), model: 'bench 1', histograms: computed.histograms });
    runMs.push(t1 - t0);
    reportMs.push(performance.now() - t1);
  }
  const heapUsedMiB = heapMiB();
  // measured after the runs: by then no temporary of the filling is still referenced from this frame
  const windowMiB = heapUsedMiB - before + typedArrayMiB(window, ref.columns);
  const rssMiB = process.memoryUsage().rss / 2 ** 20;
  // last: toJSON keeps the encoded summaries cached in the window (as between checkpoints)
  const stateKiB = JSON.stringify(window.toJSON()).length / 1024;
  const ok = outcome as Extract<typeof outcome, { status: 'ok' }>;
  return {
    predictions: ok.n_current, filled, feedPerSecond: fed / (feedMs / 1000), runMs: median(runMs), runSamplesMs: runMs,
    reportMs: median(reportMs), windowMiB, heapUsedMiB, rssMiB, stateKiB, driftedColumns: ok.number_drifted_columns, columns: ok.number_of_columns,
  };
}

export async function benchDriftWindow(o: DriftWindowOptions = {}): Promise<Record<string, unknown>> {
  const maxPower = o.maxPower ?? 8;
  const feedLimit = o.feedLimit ?? 1_000_000;
  const ref = reference();
  const pool = predictionPool();
  const rows: SizeResult[] = [];
  const stattest = o.stattest ?? 'auto';
  const forced = FORCED_CATEGORICAL[stattest];
  const features = forced ? Object.fromEntries(ref.columns.filter((c) => c.type === 'cat').map((c) => [c.name, { stattest: forced }])) : {};
  const settings: RunSettings = { ...SETTINGS, stattest, features };
  const line = (cells: string[]) => console.log(cells.map((c, i) => (i === 0 ? c.padEnd(14) : c.padStart(14))).join(''));
  console.log(`drift run over ${NUMERIC + CATEGORICAL} features (${NUMERIC} num, ${CATEGORICAL} cat), stattest ${stattest}${forced ? ` (${forced} on categorical)` : ''}, window 7 d / sub-window 1 h, median of ${RUNS} runs`);
  line(['predictions', 'how filled', 'feed (k/s)', 'run (ms)', 'report (ms)', 'window (MiB)', 'heap (MiB)', 'rss (MiB)', 'state (KiB)']);
  measureSize(ref, pool, 10_000, feedLimit, settings); // warm-up: compiled code and type feedback, not counted
  for (let p = 4; p <= maxPower; p++) {
    const r = measureSize(ref, pool, 10 ** p, feedLimit, settings);
    rows.push(r);
    line([r.predictions.toExponential(2), r.filled, (r.feedPerSecond / 1000).toFixed(0), r.runMs.toFixed(1), r.reportMs.toFixed(1), r.windowMiB.toFixed(2), r.heapUsedMiB.toFixed(1), r.rssMiB.toFixed(0), r.stateKiB.toFixed(0)]);
  }
  return { features: NUMERIC + CATEGORICAL, numeric: NUMERIC, categorical: CATEGORICAL, stattest, subWindows: 168, referenceRows: REFERENCE_ROWS, runs: RUNS, feedLimit, rows };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const [maxPower, feedLimit] = process.argv.slice(2, 4).map(Number);
  const stattest = process.argv[4] as RunSettings['stattest'] | undefined;
  await benchDriftWindow({ maxPower: maxPower || undefined, feedLimit: feedLimit || undefined, stattest });
}
