// The `window` processor: accuracy, precision, recall and F1 over the last N labelled predictions of each
// model version, the confusion-matrix counter, and the daily quality history on the admin port.
import type { ProcessorFactory } from '../../pipeline/component.js';
import { windowConfig, type WindowConfig } from './config.js';
import { WindowProcessor } from './processor.js';

export const windowProcessorFactory: ProcessorFactory<WindowConfig> = {
  kind: 'processor',
  type: 'window',
  description: 'model quality over the last N labelled predictions, the confusion matrix, and daily history',
  config: windowConfig,
  create: (config, ctx) => new WindowProcessor(config, ctx),
};
