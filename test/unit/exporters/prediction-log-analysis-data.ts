// A known set of predictions for the analysis suite, and a plain-JS model of what the log should
// answer (filters, order, summary), written independently of the SQL under test.
import type { ConsumerRecord, Prediction } from '../../../src/pipeline/records.js';
import type { PredictionFilter } from '../../../src/exporters/prediction_log/filter.js';
import { mulberry32 } from '../../helpers/random.js';

export const DAY = 86_400_000;
/** Day 0 of the data set, 00:00 UTC. */
export const D0 = Date.UTC(2025, 4, 1);

export interface Expected {
  id: string;
  timeMs: number;
  model: string;
  version: string;
  predicted?: string;
  confidence?: number;
  error?: string;
  gtClass?: string;
  gtValue?: number;
  totalSeconds: number;
  tags?: Record<string, string>;
}

const rng = mulberry32;

const CLASSES = ['setosa', 'versicolor', 'virginica', 'Zeta'];
const ERRORS = ['TimeoutError', 'ValueError', 'ValueError', 'OOM'];
export const ODD_TAG_KEY = 'user.e"mail';
export const ODD_TAG_VALUE = 'o\'neil "x" é 漢 {"a":1}';

export function dataSet(n = 240): { expected: Expected[]; records: ConsumerRecord[] } {
  const r = rng(42);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];
  const expected: Expected[] = [];
  const records: ConsumerRecord[] = [];
  for (let i = 0; i < n; i++) {
    // Every fifth prediction shares the previous one's time: ties are broken by id (byte order).
    const timeMs = i % 5 === 4 ? expected[i - 1].timeMs : D0 + Math.floor(r() * 3 * DAY);
    // Ids of mixed case and punctuation: byte order differs from most locales' collation.
    const id = `${pick(['A', 'a', 'B', '_', 'z', 'Z'])}${pick(['-', '.', '_', ''])}${i.toString(36)}`;
    const [model, version] = pick([['iris', '1'], ['iris', '2'], ['fraud', '7']] as const);
    const errored = r() < 0.12;
    // Whole milliseconds, so the stored (end - start) / 1000 is exactly this number.
    const ms = Math.round(r() * 2000);
    const e: Expected = { id, timeMs, model, version, totalSeconds: ms / 1000 };
    if (errored) e.error = pick(ERRORS);
    else {
      e.predicted = pick(CLASSES);
      // Some without a confidence; the rest spread over [0, 1] with exact 0.5s (threshold edge).
      const c = r();
      if (c < 0.1) e.confidence = undefined;
      else if (c < 0.15) e.confidence = 0.5;
      else e.confidence = Math.round(r() * 1000) / 1000;
    }
    const label = r();
    if (label < 0.55) e.gtClass = r() < 0.6 && e.predicted ? e.predicted : pick(CLASSES);
    else if (label < 0.6) e.gtValue = Math.round(r() * 100) / 10; // labelled, but not with a class
    const t = r();
    if (t < 0.7) e.tags = { user_id: `u${Math.floor(r() * 6)}`, ...(r() < 0.3 ? { tenant: pick(['acme', 'globex']) } : {}) };
    else if (t < 0.75) e.tags = { [ODD_TAG_KEY]: ODD_TAG_VALUE, user_id: 'u2' };
    expected.push(e);

    const p: Prediction = {
      kind: 'prediction', id, traceId: 'c'.repeat(32), spanId: 'd'.repeat(16), startMs: timeMs, endMs: timeMs + ms,
      modelName: model, modelVersion: version, features: { x: i }, resource: {},
      ...(e.predicted !== undefined ? { predictedClass: e.predicted } : {}),
      ...(e.confidence !== undefined ? { confidence: e.confidence } : {}),
      ...(e.error !== undefined ? { errorType: e.error } : {}),
      ...(e.tags ? { tags: e.tags } : {}),
    };
    records.push(p);
    if (e.gtClass !== undefined || e.gtValue !== undefined) {
      // Half the labels arrive before their prediction.
      const fb: ConsumerRecord = { kind: 'feedback', predictionId: id, timeMs: timeMs + 60_000, ...(e.gtClass !== undefined ? { groundTruthClass: e.gtClass } : { groundTruthValue: e.gtValue }) };
      if (i % 2) records.push(fb);
      else records.splice(records.length - 1, 0, fb);
    }
  }
  // A label whose prediction never came: a row without a time, never part of an analysis.
  records.push({ kind: 'feedback', predictionId: 'orphan', groundTruthClass: 'setosa', timeMs: D0 + DAY, modelName: 'iris' });
  return { expected, records };
}

const byteOrder = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
export const byTimeThenId = (a: Expected, b: Expected) => a.timeMs - b.timeMs || byteOrder(a.id, b.id);

export function matches(e: Expected, f: PredictionFilter): boolean {
  const iso = new Date(e.timeMs).toISOString();
  const labelled = e.gtClass !== undefined || e.gtValue !== undefined;
  if (f.model !== undefined && e.model !== f.model) return false;
  if (f.version !== undefined && e.version !== f.version) return false;
  if (f.from !== undefined && iso < f.from) return false;
  if (f.to !== undefined && iso >= f.to) return false;
  if (f.predictedClass !== undefined && e.predicted !== f.predictedClass) return false;
  if (f.minConfidence !== undefined && !(e.confidence !== undefined && e.confidence >= f.minConfidence)) return false;
  if (f.maxConfidence !== undefined && !(e.confidence !== undefined && e.confidence <= f.maxConfidence)) return false;
  if (f.labelled !== undefined && labelled !== f.labelled) return false;
  if (f.correct !== undefined) {
    if (e.gtClass === undefined) return false;
    if ((e.gtClass === e.predicted) !== f.correct) return false;
  }
  if (f.errors !== undefined && (e.error !== undefined) !== f.errors) return false;
  if (f.errorType !== undefined && e.error !== f.errorType) return false;
  for (const [k, v] of Object.entries(f.tags ?? {})) if (e.tags?.[k] !== v) return false;
  return true;
}

/** The summary, computed the plain way from the expected rows. */
export function expectedSummary(rows: Expected[], threshold: number, slowestN: number) {
  const classified = rows.filter((e) => e.gtClass !== undefined && e.predicted !== undefined);
  const labels = [...new Set(classified.flatMap((e) => [e.gtClass!, e.predicted!]))].sort(byteOrder);
  const matrix = labels.map((a) => labels.map((p) => classified.filter((e) => e.gtClass === a && e.predicted === p).length));
  const perClass = labels
    .map((cls) => {
      const ofClass = classified.filter((e) => e.gtClass === cls);
      const correct = ofClass.filter((e) => e.predicted === cls).length;
      return { class: cls, support: ofClass.length, correct, accuracy: ofClass.length ? correct / ofClass.length : NaN };
    })
    .filter((c) => c.support > 0);
  const withConf = rows.filter((e) => e.confidence !== undefined);
  const low = withConf.filter((e) => e.confidence! < threshold).length;
  const errorCounts = new Map<string, number>();
  for (const e of rows) if (e.error) errorCounts.set(e.error, (errorCounts.get(e.error) ?? 0) + 1);
  const correct = classified.filter((e) => e.gtClass === e.predicted).length;
  return {
    counts: { total: rows.length, labelled: rows.filter((e) => e.gtClass !== undefined || e.gtValue !== undefined).length, errors: errorCounts.size ? [...errorCounts.values()].reduce((a, b) => a + b) : 0, correct },
    accuracy: classified.length ? correct / classified.length : null,
    confusion_matrix: { labels, matrix },
    per_class: perClass,
    low_confidence: { threshold, count: low, with_confidence: withConf.length, share: withConf.length ? low / withConf.length : null },
    slowest: [...rows].sort((a, b) => b.totalSeconds - a.totalSeconds || byTimeThenId(a, b)).slice(0, slowestN).map((e) => e.id),
    error_types: [...errorCounts].map(([error_type, count]) => ({ error_type, count })).sort((a, b) => b.count - a.count || byteOrder(a.error_type, b.error_type)),
  };
}
