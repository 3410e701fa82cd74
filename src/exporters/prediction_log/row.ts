// One row of the prediction log, and how records become rows.
//
// Every record becomes a partial row ("patch") keyed by prediction id; the drivers upsert it with the
// same rules as merge() below, so the final row does not depend on the order in which a prediction,
// its late stages and its feedback arrive, and writing the same patch twice changes nothing:
//   - prediction columns (time ... span_id, total_seconds) are set by a prediction patch (time not null);
//     model name/version are also filled by feedback and late stages, but only while still empty;
//   - a stage column is set by any patch that carries it (others keep it);
//   - the ground truth (class, value, at) moves as one group: the patch with the latest `at` wins.
// Non-finite numbers inside JSON columns are stored as the strings "NaN", "Infinity", "-Infinity".
import { predictionIdOf, type ConsumerRecord } from '../../pipeline/records.js';

export interface LogRow {
  prediction_id: string;
  /** Prediction span start, ISO-8601 UTC with milliseconds; null on patches that carry no prediction. */
  time: string | null;
  model_name: string | null;
  model_version: string | null;
  predicted_class: string | null;
  predicted_value: number | null;
  confidence: number | null;
  /** JSON: {class: p} when the classes are known and distinct, else [p, ...]. */
  probabilities: string | null;
  /** JSON object of ml.feature.* values. */
  features: string | null;
  preprocess_seconds: number | null;
  inference_seconds: number | null;
  postprocess_seconds: number | null;
  total_seconds: number | null;
  error_type: string | null;
  trace_id: string | null;
  span_id: string | null;
  /** JSON objects of strings. */
  resource: string | null;
  tags: string | null;
  ground_truth_class: string | null;
  ground_truth_value: number | null;
  /** When the label arrived, ISO-8601 UTC; null while unlabelled. */
  ground_truth_at: string | null;
}

export const COLUMNS = [
  'prediction_id', 'time', 'model_name', 'model_version', 'predicted_class', 'predicted_value', 'confidence',
  'probabilities', 'features', 'preprocess_seconds', 'inference_seconds', 'postprocess_seconds', 'total_seconds',
  'error_type', 'trace_id', 'span_id', 'resource', 'tags', 'ground_truth_class', 'ground_truth_value', 'ground_truth_at',
] as const satisfies readonly (keyof LogRow)[];

export const JSON_COLUMNS = new Set<keyof LogRow>(['probabilities', 'features', 'resource', 'tags']);
export const NUMBER_COLUMNS = new Set<keyof LogRow>(['predicted_value', 'confidence', 'preprocess_seconds', 'inference_seconds', 'postprocess_seconds', 'total_seconds', 'ground_truth_value']);
export const TIME_COLUMNS = new Set<keyof LogRow>(['time', 'ground_truth_at']);

/**
 * A row's values in COLUMNS order, NaN as the text 'NaN' (SQLite stores a bound NaN as NULL). Named
 * reads: a loop over COLUMNS made each read a megamorphic keyed load (~2 % of the log writer's time).
 */
export function rowValues(r: LogRow): unknown[] {
  return [
    r.prediction_id, r.time, r.model_name, r.model_version, r.predicted_class, nanAsText(r.predicted_value), nanAsText(r.confidence),
    r.probabilities, r.features, nanAsText(r.preprocess_seconds), nanAsText(r.inference_seconds), nanAsText(r.postprocess_seconds), nanAsText(r.total_seconds),
    r.error_type, r.trace_id, r.span_id, r.resource, r.tags, r.ground_truth_class, nanAsText(r.ground_truth_value), r.ground_truth_at,
  ];
}

function nanAsText(v: number | null): number | string | null {
  return v !== v ? 'NaN' : v;
}

/** Set only by a prediction patch. */
export const PREDICTION_COLUMNS = [
  'time', 'predicted_class', 'predicted_value', 'confidence', 'probabilities', 'features', 'total_seconds',
  'error_type', 'trace_id', 'span_id', 'resource', 'tags',
] as const satisfies readonly (keyof LogRow)[];
export const MODEL_COLUMNS = ['model_name', 'model_version'] as const;
export const STAGE_COLUMNS = ['preprocess_seconds', 'inference_seconds', 'postprocess_seconds'] as const;
export const GROUND_TRUTH_COLUMNS = ['ground_truth_class', 'ground_truth_value', 'ground_truth_at'] as const;

/** Ids and model names are btree keys: PostgreSQL refuses index entries past ~2.7 kB (UTF-8 bytes). */
export const MAX_KEY_BYTES = 1024;
/** The years ISO-8601 and both databases agree on (0001..9999). */
const MIN_MS = -62135596800000;
const MAX_MS = 253402300799999;

export type Refusal = { id: string; reason: string };
export type Mapped = { row: LogRow } | { refused: Refusal };

/** Cleans every string the row holds (PostgreSQL cannot store U+0000, nor lone surrogates in JSON). */
export type Clean = (s: string) => string;

/**
 * Lone UTF-16 surrogates cannot be encoded as UTF-8: U+FFFD, as every UTF-8 encoder does. Every string of
 * a row passes here; V8's own check is ~7 ns a string against ~20 for a regular expression.
 */
export const wellFormed: Clean = (s) => (s.isWellFormed() ? s : s.toWellFormed());

function emptyRow(id: string): LogRow {
  // A literal, so every row has one shape (the columns are listed in COLUMNS too).
  return {
    prediction_id: id, time: null, model_name: null, model_version: null, predicted_class: null, predicted_value: null,
    confidence: null, probabilities: null, features: null, preprocess_seconds: null, inference_seconds: null,
    postprocess_seconds: null, total_seconds: null, error_type: null, trace_id: null, span_id: null, resource: null,
    tags: null, ground_truth_class: null, ground_truth_value: null, ground_truth_at: null,
  };
}

/** "000Z" ... "999Z": the milliseconds and zone that end an ISO time. */
const MILLIS = Array.from({ length: 1000 }, (_, i) => `${String(i).padStart(3, '0')}Z`);
/** The second last formatted, and its "YYYY-MM-DDTHH:MM:SS." (a batch's times share a few seconds). */
let cachedSecond = NaN;
let cachedPrefix = '';

/** As new Date(ms).toISOString(), which cost a tenth of the log thread's time (0.45 µs a row). */
export function isoTime(ms: number): string | undefined {
  if (!Number.isFinite(ms) || ms < MIN_MS || ms > MAX_MS) return undefined;
  const whole = Math.trunc(ms); // a Date truncates its time value toward zero
  const second = Math.floor(whole / 1000);
  if (second !== cachedSecond) {
    cachedPrefix = new Date(second * 1000).toISOString().slice(0, 20);
    cachedSecond = second;
  }
  return cachedPrefix + MILLIS[whole - second * 1000];
}

/** JSON text with cleaned keys and strings, non-finite numbers as strings. */
export function toJson(value: unknown, clean: Clean): string {
  // Most values need no rewriting: check first, allocate a cleaned copy only when needed.
  return JSON.stringify(isJsonSafe(value, clean) ? value : jsonSafe(value, clean));
}

function isJsonSafe(v: unknown, clean: Clean): boolean {
  if (typeof v === 'number') return Number.isFinite(v);
  if (typeof v === 'string') return clean(v) === v;
  if (Array.isArray(v)) return v.every((x) => isJsonSafe(x, clean));
  if (v !== null && typeof v === 'object') {
    for (const k in v) if (clean(k) !== k || !isJsonSafe((v as Record<string, unknown>)[k], clean)) return false;
    return true;
  }
  return true;
}

function jsonSafe(v: unknown, clean: Clean): unknown {
  if (typeof v === 'number') return Number.isFinite(v) ? v : String(v);
  if (typeof v === 'string') return clean(v);
  if (Array.isArray(v)) return v.map((x) => jsonSafe(x, clean));
  if (v !== null && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[clean(k)] = jsonSafe(x, clean);
    return out;
  }
  return v ?? null;
}

/** The last resource written and its JSON: the records of one request share their resource object. */
let lastResource: { value: object; clean: Clean; json: string } | undefined;

function resourceJson(value: Record<string, string>, clean: Clean): string {
  // Records are immutable once queued, so an object seen before has the same JSON.
  if (lastResource?.value !== value || lastResource.clean !== clean) lastResource = { value, clean, json: toJson(value, clean) };
  return lastResource.json;
}

function text(v: string | undefined, clean: Clean): string | null {
  return v === undefined ? null : clean(v);
}

function num(v: number | undefined): number | null {
  return typeof v === 'number' ? v : null;
}

function probabilities(p: number[] | undefined, classes: string[] | undefined, clean: Clean): string | null {
  if (!p) return null;
  if (classes && classes.length === p.length && new Set(classes).size === classes.length) {
    return toJson(Object.fromEntries(classes.map((c, i) => [c, p[i]])), clean);
  }
  return toJson(p, clean);
}

function keyProblem(what: string, v: string | undefined): string | undefined {
  // A UTF-16 unit is at most 3 UTF-8 bytes: count bytes only for strings that might be too long.
  if (v !== undefined && v.length * 3 > MAX_KEY_BYTES && Buffer.byteLength(v) > MAX_KEY_BYTES) return `${what} longer than ${MAX_KEY_BYTES} bytes`;
  return undefined;
}

/** The patch one record makes, or why it cannot be stored. */
export function toRow(rec: ConsumerRecord, clean: Clean = wellFormed): Mapped {
  const id = predictionIdOf(rec);
  const shortId = typeof id === 'string' ? id.slice(0, 100) : String(id);
  const refuse = (reason: string): Mapped => ({ refused: { id: shortId, reason } });
  if (typeof id !== 'string' || id === '') return refuse('empty prediction id');
  const problem = keyProblem('prediction id', id) ?? keyProblem('model name', rec.modelName) ?? keyProblem('model version', rec.modelVersion);
  if (problem) return refuse(problem);
  const row = emptyRow(clean(id));
  row.model_name = text(rec.modelName, clean);
  row.model_version = text(rec.modelVersion, clean);

  if (rec.kind === 'prediction') {
    const time = isoTime(rec.startMs);
    if (time === undefined) return refuse(`prediction time ${rec.startMs} is out of range`);
    row.time = time;
    row.predicted_class = text(rec.predictedClass, clean);
    row.predicted_value = num(rec.value);
    row.confidence = num(rec.confidence);
    row.probabilities = probabilities(rec.probabilities, rec.classes, clean);
    row.features = toJson(rec.features ?? {}, clean);
    row.preprocess_seconds = num(rec.stages?.preprocess);
    row.inference_seconds = num(rec.stages?.inference);
    row.postprocess_seconds = num(rec.stages?.postprocess);
    row.total_seconds = Number.isFinite(rec.endMs - rec.startMs) ? (rec.endMs - rec.startMs) / 1000 : null;
    row.error_type = text(rec.errorType, clean);
    row.trace_id = text(rec.traceId, clean);
    row.span_id = text(rec.spanId, clean);
    row.resource = rec.resource ? resourceJson(rec.resource, clean) : null;
    row.tags = rec.tags ? toJson(rec.tags, clean) : null;
    if (rec.groundTruthClass !== undefined || rec.groundTruthValue !== undefined) {
      // A label known at prediction time arrived with the prediction.
      const at = isoTime(rec.endMs) ?? time;
      row.ground_truth_class = text(rec.groundTruthClass, clean);
      row.ground_truth_value = num(rec.groundTruthValue);
      row.ground_truth_at = at;
    }
    return { row };
  }
  if (rec.kind === 'late_stage') {
    row[`${rec.stage}_seconds`] = num(rec.seconds);
    return { row };
  }
  if (rec.groundTruthClass === undefined && rec.groundTruthValue === undefined) return refuse('feedback without a ground truth');
  const at = isoTime(rec.timeMs);
  if (at === undefined) return refuse(`feedback time ${rec.timeMs} is out of range`);
  row.ground_truth_class = text(rec.groundTruthClass, clean);
  row.ground_truth_value = num(rec.groundTruthValue);
  row.ground_truth_at = at;
  return { row };
}

/** `b` applied on top of `a`, by the same rules as the drivers' upserts (see the top of this file). */
export function merge(a: LogRow, b: LogRow): LogRow {
  const out = { ...a };
  if (b.time !== null) {
    for (const c of PREDICTION_COLUMNS) (out as Record<string, unknown>)[c] = b[c];
    for (const c of MODEL_COLUMNS) out[c] = b[c];
  } else {
    for (const c of MODEL_COLUMNS) out[c] = a[c] ?? b[c];
  }
  for (const c of STAGE_COLUMNS) out[c] = b[c] ?? a[c];
  if (b.ground_truth_at !== null && (a.ground_truth_at === null || b.ground_truth_at >= a.ground_truth_at)) {
    for (const c of GROUND_TRUTH_COLUMNS) (out as Record<string, unknown>)[c] = b[c];
  }
  return out;
}

/** One patch per id (in first-seen order): one upsert statement may not touch a row twice. */
export function collapse(rows: readonly LogRow[]): LogRow[] {
  const byId = new Map<string, LogRow>();
  for (const r of rows) {
    const prev = byId.get(r.prediction_id);
    byId.set(r.prediction_id, prev ? merge(prev, r) : r);
  }
  return [...byId.values()];
}
