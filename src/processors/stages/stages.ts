import type { Processor } from '../../pipeline/component.js';
import type { ConsumerRecord, StageName } from '../../pipeline/records.js';
import type { Histogram, MetricStore } from '../../telemetry/metric-store.js';
import type { StagesConfig } from './factory.js';

const MODEL = ['model_name', 'model_version'] as const;

const STAGE_METRICS: Record<StageName, { name: string; help: string }> = {
  preprocess: { name: 'model_preprocessing_duration_seconds', help: 'Time spent preprocessing the input of a prediction' },
  inference: { name: 'model_inference_duration_seconds', help: 'Time spent in model inference' },
  postprocess: { name: 'model_postprocessing_duration_seconds', help: 'Time spent postprocessing the output of a prediction' },
};

export class StagesProcessor implements Processor {
  private readonly predictions;
  private readonly errors;
  private readonly total: Histogram;
  private readonly stages: Record<StageName, Histogram>;

  constructor(config: StagesConfig, metrics: MetricStore) {
    this.predictions = metrics.counter({ name: 'model_predictions', help: 'Predictions served, by predicted class', labels: [...MODEL, 'predicted_class'] });
    this.errors = metrics.counter({ name: 'model_prediction_errors', help: 'Predictions that failed, by error type', labels: [...MODEL, 'error_type'] });
    this.total = metrics.histogram({ name: 'model_prediction_duration_seconds', help: 'End-to-end prediction latency (the prediction span)', unit: 's', labels: MODEL, boundaries: config.buckets });
    const stage = (s: StageName) => metrics.histogram({ ...STAGE_METRICS[s], unit: 's', labels: MODEL, boundaries: config.buckets });
    this.stages = { preprocess: stage('preprocess'), inference: stage('inference'), postprocess: stage('postprocess') };
  }

  async start(): Promise<void> {}
  async shutdown(): Promise<void> {}

  consume(batch: readonly ConsumerRecord[]): void {
    for (const r of batch) {
      if (r.kind === 'prediction') {
        const model = [r.modelName, r.modelVersion];
        if (r.errorType !== undefined) this.errors.add([r.modelName, r.modelVersion, r.errorType]);
        else this.predictions.add([r.modelName, r.modelVersion, r.predictedClass ?? '']);
        // Slow failures matter: errored predictions count in the latency histograms too.
        this.total.record(model, (r.endMs - r.startMs) / 1000);
        if (r.stages) {
          for (const s of Object.keys(r.stages) as StageName[]) this.stages[s].record(model, r.stages[s]!);
        }
      } else if (r.kind === 'late_stage') {
        this.stages[r.stage].record([r.modelName, r.modelVersion], r.seconds);
      }
    }
  }

  /** All state is in the metric store, which the pipeline checkpoints. */
  snapshot(): unknown {
    return null;
  }
  restore(): void {}
}
