// Records for prediction-log tests.
import type { FeedbackRecord, LateStage, Prediction } from '../../../src/pipeline/records.js';

export const T0 = Date.UTC(2025, 2, 10, 12, 0, 0, 250);

export function prediction(id: string, over: Partial<Prediction> = {}): Prediction {
  return {
    kind: 'prediction',
    id,
    traceId: 'a'.repeat(32),
    spanId: 'b'.repeat(16),
    startMs: T0,
    endMs: T0 + 37,
    modelName: 'iris',
    modelVersion: '2',
    predictedClass: 'setosa',
    confidence: 0.9,
    probabilities: [0.9, 0.06, 0.04],
    classes: ['setosa', 'versicolor', 'virginica'],
    features: { sepal_length: 5.1, color: 'red', fresh: true },
    stages: { preprocess: 0.004, inference: 0.03 },
    tags: { user: 'u-1' },
    resource: { 'service.name': 'model-server' },
    ...over,
  };
}

export function feedback(id: string, cls: string, timeMs = T0 + 3_600_000, over: Partial<FeedbackRecord> = {}): FeedbackRecord {
  return { kind: 'feedback', predictionId: id, groundTruthClass: cls, timeMs, ...over };
}

export function lateStage(id: string, stage: LateStage['stage'], seconds: number): LateStage {
  return { kind: 'late_stage', predictionId: id, modelName: 'iris', modelVersion: '2', stage, seconds };
}
