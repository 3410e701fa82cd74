// The `otlp_http` exporter: a PeriodicExportingMetricReader on the one MeterProvider that pushes, every
// `interval`, the processors' model metrics (through ctx.modelMetrics) and the agent's own metrics to an
// OTLP/HTTP endpoint (JSON encoding), with retries of 429/502/503/504 done by the OTel exporter.
import { AggregationTemporalityPreference, OTLPMetricExporter } from '@opentelemetry/exporter-metrics-otlp-http';
import { PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import type { ExporterFactory } from '../../pipeline/component.js';
import { metricsUrl, otlpHttpConfig, type OtlpHttpConfig } from './config.js';

export const otlpHttpExporterFactory: ExporterFactory<OtlpHttpConfig> = {
  kind: 'exporter',
  type: 'otlp_http',
  description: 'Pushes metrics to an OTLP/HTTP endpoint',
  config: otlpHttpConfig,
  create(config, ctx) {
    const url = metricsUrl(config.endpoint);
    const exporter = new OTLPMetricExporter({
      url,
      headers: config.headers,
      timeoutMillis: config.timeout,
      temporalityPreference: config.temporality === 'delta' ? AggregationTemporalityPreference.DELTA : AggregationTemporalityPreference.CUMULATIVE,
    });
    const reader = new PeriodicExportingMetricReader({
      exporter,
      exportIntervalMillis: config.interval,
      exportTimeoutMillis: config.timeout,
      metricProducers: [ctx.modelMetrics],
    });
    return {
      metricReader: reader,
      async start() {
        // Headers may hold credentials: log only where the metrics go.
        ctx.logger.info({ endpoint: new URL(url).origin + new URL(url).pathname, intervalMs: config.interval }, 'pushing metrics over OTLP/HTTP');
      },
      async shutdown() {
        // The MeterProvider shuts the reader down after the exporters, which pushes a last time.
      },
    };
  },
};
