// The `stages` processor: prediction volume, errors, and latency per stage (preprocess, inference,
// postprocess from the child spans; end-to-end from the prediction span), as Prometheus histograms.
import { z } from 'zod';
import type { ProcessorFactory } from '../../pipeline/component.js';
import { StagesProcessor } from './stages.js';

export const DEFAULT_BUCKETS = [0.01, 0.025, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10];

export const stagesConfig = z.strictObject({
  /** Histogram bucket upper bounds, seconds, ascending. */
  buckets: z
    .array(z.number().positive())
    .min(1)
    .refine((b) => b.every((v, i) => i === 0 || v > b[i - 1]), 'buckets must be strictly ascending')
    .default(DEFAULT_BUCKETS),
});

export type StagesConfig = z.output<typeof stagesConfig>;

export const stagesProcessorFactory: ProcessorFactory<StagesConfig> = {
  kind: 'processor',
  type: 'stages',
  description: 'prediction and error counts, latency histograms per stage',
  config: stagesConfig,
  create: (config, ctx) => new StagesProcessor(config, ctx.metrics),
};
