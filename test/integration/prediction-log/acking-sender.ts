// Sends predictions with the real OTel SDK and its OTLP/HTTP protobuf exporter, one Export call at a
// time, and remembers which prediction ids the agent acknowledged (the exporter reported success).
import { ExportResultCode } from '@opentelemetry/core';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import type { AgentPorts } from '../../helpers/agent.js';
import { emitPrediction } from '../../helpers/otel-client.js';

export class AckingSender {
  readonly acked = new Set<string>();
  readonly sent = new Set<string>();
  private readonly memory = new InMemorySpanExporter();
  private readonly provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'model-server' }),
    spanProcessors: [new SimpleSpanProcessor(this.memory)],
  });
  private readonly tracer = this.provider.getTracer('acking-sender');
  private next = 0;

  constructor(private ports: AgentPorts) {}

  retarget(ports: AgentPorts): void {
    this.ports = ports;
  }

  /** One Export call of `n` predictions (each with two stage children); true when acknowledged. */
  async sendBatch(n: number): Promise<boolean> {
    const ids: string[] = [];
    for (let i = 0; i < n; i++) {
      const id = `pred-${this.next++}`;
      ids.push(id);
      emitPrediction(this.tracer, { id, model: 'fraud', version: '3', cls: i % 3 ? 'ok' : 'fraud', confidence: 0.7, features: { amount: i * 1.5, country: 'FR' }, stages: { preprocess: 0.001, inference: 0.02 } });
    }
    const spans = this.memory.getFinishedSpans();
    this.memory.reset();
    for (const id of ids) this.sent.add(id);
    const exporter = new OTLPTraceExporter({ url: `http://127.0.0.1:${this.ports.http}/v1/traces`, timeoutMillis: 3000 });
    const ok = await new Promise<boolean>((resolve) => exporter.export(spans, (r) => resolve(r.code === ExportResultCode.SUCCESS)));
    await exporter.shutdown().catch(() => undefined);
    if (ok) for (const id of ids) this.acked.add(id);
    return ok;
  }

  async shutdown(): Promise<void> {
    await this.provider.shutdown();
  }
}
