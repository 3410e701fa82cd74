// The `concept_drift` processor: accuracy against a baseline, trend and declining days on a daily check,
// and streaming change detection on the error stream.
import type { ProcessorFactory } from '../../pipeline/component.js';
import { conceptDriftConfig, type ConceptDriftConfig } from './config.js';
import { ConceptDriftProcessor } from './processor.js';

export const conceptDriftProcessorFactory: ProcessorFactory<ConceptDriftConfig> = {
  kind: 'processor',
  type: 'concept_drift',
  description: 'accuracy drop against a baseline, weekly trend, declining days, and error-rate change detection',
  config: conceptDriftConfig,
  create: (config, ctx) => new ConceptDriftProcessor(config, ctx),
};
