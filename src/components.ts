// The built-in components. A new component is a folder with its factory, registered here.
import type { Factory } from './pipeline/component.js';
import { Registry } from './pipeline/registry.js';
import { otlpReceiverFactory } from './receivers/otlp/factory.js';
import { stagesProcessorFactory } from './processors/stages/factory.js';
import { prometheusExporterFactory } from './exporters/prometheus/factory.js';
import { predictionLogExporterFactory } from './exporters/prediction_log/factory.js';
import { otlpHttpExporterFactory } from './exporters/otlp_http/factory.js';
import { driftProcessorFactory } from './processors/drift/factory.js';
import { windowProcessorFactory } from './processors/window/factory.js';
import { conceptDriftProcessorFactory } from './processors/concept_drift/factory.js';
import { feedbackSqlReceiverFactory } from './receivers/feedback/factory.js';

export const BUILTIN_FACTORIES: readonly Factory[] = [
  // receivers
  otlpReceiverFactory,
  feedbackSqlReceiverFactory,
  // processors
  stagesProcessorFactory,
  windowProcessorFactory,
  conceptDriftProcessorFactory,
  driftProcessorFactory,
  // exporters
  prometheusExporterFactory,
  predictionLogExporterFactory,
  otlpHttpExporterFactory,
];

export function builtinRegistry(): Registry {
  const registry = new Registry();
  for (const f of BUILTIN_FACTORIES) registry.register(f);
  return registry;
}
