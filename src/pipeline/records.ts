// The records that flow from receivers through the durable queue to processors and exporters.
// Receivers produce the "wire" records (PredictionRecord, StageRecord, FeedbackRecord) as they arrived,
// except that stage children sent in the same Export call as their prediction are already added to its
// `stages` (batch-stages.ts); the queue stores them; each consumer assembles the remaining children onto
// their prediction (see assembler.ts), so processors see Prediction with stage latencies already joined.

export type FeatureValue = number | string | boolean | null;

export type StageName = 'preprocess' | 'inference' | 'postprocess';
export const STAGE_NAMES: readonly StageName[] = ['preprocess', 'inference', 'postprocess'];

/** A root prediction span, decoded. Times are Unix milliseconds (float, sub-ms precision kept). */
export interface PredictionRecord {
  kind: 'prediction';
  /** ml.prediction.id, else traceId + spanId (hex). Join key for ground truth; never a metric label. */
  id: string;
  traceId: string;
  spanId: string;
  /** Span start and end, Unix ms. */
  startMs: number;
  endMs: number;
  modelName: string;
  modelVersion: string;
  /** Predicted class (classification). Absent on errored predictions. */
  predictedClass?: string;
  /** Regression output. */
  value?: number;
  /** Probability of the predicted class, 0..1. */
  confidence?: number;
  probabilities?: number[];
  classes?: string[];
  /** ml.feature.<name> attributes, name without the prefix. */
  features: Record<string, FeatureValue>;
  /** Ground truth known at prediction time. */
  groundTruthClass?: string;
  groundTruthValue?: number;
  /** Set when the span status is ERROR: error.type, else the exception type, else "_OTHER" (as OTel semconv). */
  errorType?: string;
  /** Stage latencies (seconds) of its children: those of the same Export call added at intake, the rest by the assembler. */
  stages?: Partial<Record<StageName, number>>;
  /** ml.tag.<key> attributes (e.g. a user id for data-subject requests). */
  tags?: Record<string, string>;
  /** Resource attributes (service.name, host.name, ...), strings only. */
  resource?: Record<string, string>;
}

/** A child span that times one stage of a prediction. */
export interface StageRecord {
  kind: 'stage';
  traceId: string;
  /** The prediction span's span id. */
  parentSpanId: string;
  spanId: string;
  stage: StageName;
  seconds: number;
  endMs: number;
}

/** Ground truth arriving after the prediction, joined by prediction id. */
export interface FeedbackRecord {
  kind: 'feedback';
  predictionId: string;
  /** May be absent: feedback often carries only the id. */
  modelName?: string;
  modelVersion?: string;
  groundTruthClass?: string;
  groundTruthValue?: number;
  /** When the label arrived (Unix ms). */
  timeMs: number;
}

export type WireRecord = PredictionRecord | StageRecord | FeedbackRecord;

/**
 * A stage child that arrived after its prediction had already been handed on: processors add its
 * latency under the prediction's labels.
 */
export interface LateStage {
  kind: 'late_stage';
  predictionId: string;
  modelName: string;
  modelVersion: string;
  stage: StageName;
  seconds: number;
}

/** What processors and record exporters consume, in queue order. */
export type Prediction = PredictionRecord;
export type ConsumerRecord = Prediction | LateStage | FeedbackRecord;

/** The prediction a consumer record is about: its own id, or the one its label or late stage joins. */
export function predictionIdOf(r: ConsumerRecord): string {
  return r.kind === 'prediction' ? r.id : r.predictionId;
}
