// The `prometheus` exporter: a scrape endpoint (default 127.0.0.1:9464/metrics) serving the model metrics
// and the agent's own, through @opentelemetry/exporter-prometheus as a reader on the one MeterProvider.
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import { z } from 'zod';
import { checkPortFree } from '../../config/preflight.js';
import { endpoint, parseEndpoint } from '../../config/units.js';
import type { ExporterFactory } from '../../pipeline/component.js';

export const prometheusConfig = z.strictObject({
  endpoint: endpoint.default('127.0.0.1:9464'),
  path: z.string().startsWith('/').default('/metrics'),
});
export type PrometheusConfig = z.output<typeof prometheusConfig>;

export const prometheusExporterFactory: ExporterFactory<PrometheusConfig> = {
  kind: 'exporter',
  type: 'prometheus',
  description: 'Prometheus scrape endpoint',
  config: prometheusConfig,
  async preflight(config) {
    const problem = await checkPortFree(config.endpoint);
    return problem ? [{ path: 'endpoint', message: problem }] : [];
  },
  create(config, ctx) {
    const { host, port } = parseEndpoint(config.endpoint)!;
    const reader = new PrometheusExporter({
      host,
      port,
      endpoint: config.path,
      preventServerStart: true,
      withoutScopeInfo: true,
      withoutTargetInfo: true,
      metricProducers: [ctx.modelMetrics],
    });
    return {
      metricReader: reader,
      async start() {
        try {
          await reader.startServer();
        } catch (err) {
          throw new Error(`prometheus exporter cannot listen on ${config.endpoint}: ${(err as Error).message}`);
        }
        ctx.logger.info({ endpoint: `${config.endpoint}${config.path}` }, 'Prometheus endpoint listening');
      },
      async shutdown() {
        await reader.stopServer().catch(() => undefined);
      },
    };
  },
};
