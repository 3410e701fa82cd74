/**
 * From one decoded span (or log record) to a record: what counts as what. DESIGN.md §3 is the source;
 * where it is silent we decided as follows.
 *
 * Order of the checks (the first that matches wins):
 *  1. model name + ml.prediction.class or ml.prediction.value → PredictionRecord. If the status is ERROR
 *     it is an errored prediction instead (rule 3): an errored prediction carries no class/value.
 *  2. non-empty parentSpanId + stage (ml.stage, else the span name; case-insensitive; preprocess |
 *     preprocessing → preprocess, inference | predict → inference, postprocess | postprocessing →
 *     postprocess) → StageRecord, even if the child carries the model name or an ERROR status (the root
 *     counts the error; counting it on the child too would count it twice). Unknown stage names are
 *     simply not stages (ignored), not errors: users time other steps too.
 *  3. model name + status ERROR (code 2) → errored PredictionRecord; errorType = error.type, else the
 *     exception.type of the first `exception` event, else "_OTHER" (the OTel semantic-conventions
 *     fallback; records.ts says "error", we follow the brief).
 *  4. ml.prediction.id + ml.ground_truth.class/value and no prediction attributes (class, value,
 *     confidence, probabilities) → FeedbackRecord, timeMs = span end.
 *  5. Prediction attributes without any model name → rejected ("ml.model.name missing"): it is clearly
 *     meant as a prediction and the sender should hear that it is not counted.
 *  6. Anything else → ignored. Attribute problems (e.g. confidence 1.7) reject only spans that are
 *     predictions, stages or feedback; an ignored span is not validated. What an item is follows from
 *     which attributes are present, valid or not: a feedback log whose ground truth is malformed is
 *     rejected (with the reason), not ignored.
 *
 * Further decisions:
 *  - Ids are lowercase hex; a prediction needs a 16-byte trace id and an 8-byte span id (else rejected).
 *  - ml.model.version defaults to "unknown"; an int version becomes its decimal text.
 *  - ml.prediction.class, ml.ground_truth.class and ml.prediction.id accept string or int (decimal text).
 *  - ml.prediction.probabilities: every element a number in [0, 1]; when ml.model.classes is also present
 *    the lengths must match.
 *  - ml.prediction.value / ml.ground_truth.value must be finite; features keep NaN/±Infinity.
 *  - ml.feature.<name>: array, kvlist and bytes values reject the span; an empty AnyValue becomes null.
 *  - ml.tag.<key>: string, int, double or bool, in string form; other types reject the span.
 *  - Spans whose end is before their start are rejected (they would poison latency histograms).
 *  - Resource attributes: string values only, the first 32, values longer than maxAttributeLength
 *    skipped; the object is shared (frozen) by every record of that resource.
 *  - Strings with invalid UTF-8 are decoded with U+FFFD replacement, not rejected: the bytes carry no
 *    other meaning we could recover, and refusing a prediction over a mangled feature value loses more.
 */
import type { PredictionRecord, StageName, StageRecord, FeedbackRecord, WireRecord } from '../pipeline/records.js';
import { K_PRED_ID, type SpanAttrs } from './attributes.js';

export const STATUS_CODE_ERROR = 2;
export const DEFAULT_MODEL_VERSION = 'unknown';
export const OTHER_ERROR_TYPE = '_OTHER';

/** The non-attribute parts of a span that classification needs. */
export interface SpanCore {
  traceId: string; // lowercase hex, '' when absent or malformed
  spanId: string;
  parentSpanId: string;
  name: string;
  startMs: number;
  endMs: number;
  statusCode: number;
  /** exception.type of the first exception event, when the decoder looked (only for ERROR spans). */
  exceptionType: string | undefined;
  resource: Record<string, string> | undefined;
}

const STAGE_SPELLINGS: Record<string, StageName> = {
  preprocess: 'preprocess',
  preprocessing: 'preprocess',
  inference: 'inference',
  predict: 'inference',
  postprocess: 'postprocess',
  postprocessing: 'postprocess',
};

export function stageOf(name: string | undefined): StageName | undefined {
  if (name === undefined) return undefined;
  const s = STAGE_SPELLINGS[name];
  if (s !== undefined) return s;
  const lower = name.toLowerCase();
  return Object.hasOwn(STAGE_SPELLINGS, lower) ? STAGE_SPELLINGS[lower] : undefined;
}

/** Outcome of classifying one span: a record, a reason to reject it, or null (ignored). */
export type SpanOutcome = WireRecord | string | null;

export function spanToRecord(core: SpanCore, a: SpanAttrs): SpanOutcome {
  const modelName = a.resolvedModelName;
  const isError = core.statusCode === STATUS_CODE_ERROR;

  if (modelName !== undefined && a.hasPredictionOutput && !isError) {
    return a.reject ?? prediction(core, a, modelName, undefined);
  }
  if (core.parentSpanId !== '') {
    const stage = a.stage !== undefined ? stageOf(a.stage) : stageOf(core.name);
    if (stage !== undefined) return a.reject ?? stageRecord(core, stage);
  }
  if (modelName !== undefined && isError) {
    const errorType = a.errorType ?? core.exceptionType ?? OTHER_ERROR_TYPE;
    return a.reject ?? prediction(core, a, modelName, errorType);
  }
  if (a.has(K_PRED_ID) && a.hasGroundTruth) {
    if (!a.hasPredictionAttributes) {
      if (a.reject !== undefined) return a.reject;
      return Number.isFinite(core.endMs) ? feedback(a, core.endMs) : 'span times: not valid Unix nanoseconds';
    }
  }
  if (a.hasPredictionAttributes && modelName === undefined) {
    return a.reject ?? 'ml.model.name missing: a span with prediction attributes needs ml.model.name (or gen_ai.request.model, llm.model_name)';
  }
  return null;
}

function checkTimes(core: SpanCore): string | undefined {
  if (!Number.isFinite(core.startMs) || !Number.isFinite(core.endMs)) return 'span times: not valid Unix nanoseconds';
  if (core.endMs < core.startMs) return 'span times: endTimeUnixNano is before startTimeUnixNano';
  return undefined;
}

function prediction(core: SpanCore, a: SpanAttrs, modelName: string, errorType: string | undefined): PredictionRecord | string {
  if (core.traceId.length !== 32) return 'traceId: a prediction span needs a 16-byte trace id';
  if (core.spanId.length !== 16) return 'spanId: a prediction span needs an 8-byte span id';
  const bad = checkTimes(core);
  if (bad !== undefined) return bad;
  if (a.probabilities !== undefined && a.classes !== undefined && a.probabilities.length !== a.classes.length) {
    return `ml.prediction.probabilities: ${a.probabilities.length} values but ml.model.classes has ${a.classes.length}`;
  }
  const r: PredictionRecord = {
    kind: 'prediction',
    id: a.predictionId ?? core.traceId + core.spanId,
    traceId: core.traceId,
    spanId: core.spanId,
    startMs: core.startMs,
    endMs: core.endMs,
    modelName,
    modelVersion: a.modelVersion ?? DEFAULT_MODEL_VERSION,
    features: a.features ?? {},
  };
  if (errorType !== undefined) {
    r.errorType = errorType;
  } else {
    if (a.predictedClass !== undefined) r.predictedClass = a.predictedClass;
    if (a.value !== undefined) r.value = a.value;
    if (a.confidence !== undefined) r.confidence = a.confidence;
    if (a.probabilities !== undefined) r.probabilities = a.probabilities;
    if (a.classes !== undefined) r.classes = a.classes;
  }
  if (a.groundTruthClass !== undefined) r.groundTruthClass = a.groundTruthClass;
  if (a.groundTruthValue !== undefined) r.groundTruthValue = a.groundTruthValue;
  if (a.tags !== undefined) r.tags = a.tags;
  if (core.resource !== undefined) r.resource = core.resource;
  return r;
}

function stageRecord(core: SpanCore, stage: StageName): StageRecord | string {
  if (core.traceId.length !== 32) return 'traceId: a stage span needs a 16-byte trace id';
  if (core.spanId.length !== 16 || core.parentSpanId.length !== 16) return 'spanId: a stage span needs 8-byte span and parent span ids';
  const bad = checkTimes(core);
  if (bad !== undefined) return bad;
  return {
    kind: 'stage',
    traceId: core.traceId,
    parentSpanId: core.parentSpanId,
    spanId: core.spanId,
    stage,
    seconds: (core.endMs - core.startMs) / 1000,
    endMs: core.endMs,
  };
}

/** Feedback from a span (timeMs = span end) or a log record (timeMs = its time). */
export function feedback(a: SpanAttrs, timeMs: number): FeedbackRecord {
  const r: FeedbackRecord = { kind: 'feedback', predictionId: a.predictionId as string, timeMs };
  const modelName = a.resolvedModelName;
  if (modelName !== undefined) r.modelName = modelName;
  if (a.modelVersion !== undefined) r.modelVersion = a.modelVersion;
  if (a.groundTruthClass !== undefined) r.groundTruthClass = a.groundTruthClass;
  if (a.groundTruthValue !== undefined) r.groundTruthValue = a.groundTruthValue;
  return r;
}

/** Log records carry only feedback; anything else in a log record is ignored. */
export function logToRecord(a: SpanAttrs, timeMs: number): SpanOutcome {
  if (a.has(K_PRED_ID) && a.hasGroundTruth && !a.hasPredictionAttributes) {
    if (a.reject !== undefined) return a.reject;
    if (!Number.isFinite(timeMs)) return 'timeUnixNano: not valid Unix nanoseconds';
    return feedback(a, timeMs);
  }
  return null;
}
