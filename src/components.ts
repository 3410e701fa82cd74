// The built-in components. A new component is a folder with its factory, registered here.
import { Registry } from './pipeline/registry.js';
import { otlpReceiverFactory } from './receivers/otlp/factory.js';
import { stagesProcessorFactory } from './processors/stages/factory.js';
import { prometheusExporterFactory } from './exporters/prometheus/factory.js';

export function builtinRegistry(): Registry {
  return new Registry().register(otlpReceiverFactory).register(stagesProcessorFactory).register(prometheusExporterFactory);
}
