// Hands a consumer batch to a LabelJoin: classification predictions and class labels. Regression
// (ml.prediction.value / ml.ground_truth.value) is not joined yet; errored predictions have no class.
import type { ConsumerRecord } from '../records.js';
import type { LabelJoin } from './join.js';

export function feedJoin(join: LabelJoin, batch: readonly ConsumerRecord[], at: number): void {
  for (const r of batch) {
    if (r.kind === 'prediction') {
      if (r.predictedClass === undefined || r.errorType !== undefined) continue;
      join.prediction(r as typeof r & { predictedClass: string }, at);
    } else if (r.kind === 'feedback') {
      if (r.groundTruthClass === undefined) continue;
      join.label({ predictionId: r.predictionId, actualClass: r.groundTruthClass, modelName: r.modelName }, at);
    }
  }
  join.expire(at);
}
