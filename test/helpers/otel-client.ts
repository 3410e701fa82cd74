// The real OpenTelemetry JS SDK as a model server would use it, pointed at the agent.
import { context, SpanStatusCode, trace, type Attributes, type Span, type Tracer } from '@opentelemetry/api';
import { BasicTracerProvider, BatchSpanProcessor, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { OTLPTraceExporter as GrpcExporter } from '@opentelemetry/exporter-trace-otlp-grpc';
import { OTLPTraceExporter as ProtoExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { OTLPTraceExporter as JsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import type { AgentPorts } from './agent.js';

export type Protocol = 'grpc' | 'http/protobuf' | 'http/json';
export const PROTOCOLS: Protocol[] = ['grpc', 'http/protobuf', 'http/json'];

export function traceExporter(protocol: Protocol, ports: AgentPorts): SpanExporter {
  if (protocol === 'grpc') return new GrpcExporter({ url: `http://127.0.0.1:${ports.grpc}` });
  if (protocol === 'http/protobuf') return new ProtoExporter({ url: `http://127.0.0.1:${ports.http}/v1/traces` });
  return new JsonExporter({ url: `http://127.0.0.1:${ports.http}/v1/traces` });
}

export interface Client {
  tracer: Tracer;
  provider: BasicTracerProvider;
  flush(): Promise<void>;
  shutdown(): Promise<void>;
}

export function otelClient(protocol: Protocol, ports: AgentPorts, service = 'model-server'): Client {
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': service }),
    // The BatchSpanProcessor drops spans past maxQueueSize silently: raise it for tests that send many.
    spanProcessors: [new BatchSpanProcessor(traceExporter(protocol, ports), { maxQueueSize: 100_000, maxExportBatchSize: 512, scheduledDelayMillis: 50 })],
  });
  return {
    tracer: provider.getTracer('test-model-server'),
    provider,
    flush: () => provider.forceFlush(),
    shutdown: () => provider.shutdown(),
  };
}

export interface PredictionSpec {
  model: string;
  version: string;
  /** predicted class; absent for an errored prediction */
  cls?: string;
  confidence?: number;
  features?: Record<string, number | string | boolean>;
  groundTruth?: string;
  id?: string;
  /** seconds per stage; the prediction span covers them all plus `overhead` */
  stages?: Partial<Record<'preprocess' | 'inference' | 'postprocess', number>>;
  overhead?: number;
  error?: string;
  startMs?: number;
}

/**
 * Emits one prediction as a model server would: a root span with ml.* attributes and one child span
 * per stage, each with explicit start and end times so durations are known exactly.
 */
export function emitPrediction(tracer: Tracer, p: PredictionSpec): Span {
  const t0 = p.startMs ?? Date.now() - 60_000;
  const attrs: Attributes = { 'ml.model.name': p.model, 'ml.model.version': p.version };
  if (p.cls !== undefined) attrs['ml.prediction.class'] = p.cls;
  if (p.confidence !== undefined) attrs['ml.prediction.confidence'] = p.confidence;
  if (p.id !== undefined) attrs['ml.prediction.id'] = p.id;
  if (p.groundTruth !== undefined) attrs['ml.ground_truth.class'] = p.groundTruth;
  for (const [k, v] of Object.entries(p.features ?? {})) attrs[`ml.feature.${k}`] = v;
  const root = tracer.startSpan('predict', { startTime: t0, attributes: attrs });
  const ctx = trace.setSpan(context.active(), root);
  let t = t0;
  for (const stage of ['preprocess', 'inference', 'postprocess'] as const) {
    const secs = p.stages?.[stage];
    if (secs === undefined) continue;
    const child = tracer.startSpan(stage, { startTime: t, attributes: { 'ml.stage': stage } }, ctx);
    t += secs * 1000;
    child.end(t);
  }
  if (p.error) {
    root.recordException({ name: p.error, message: 'model failed' });
    root.setAttribute('error.type', p.error);
    root.setStatus({ code: SpanStatusCode.ERROR, message: 'model failed' });
  }
  root.end(t + (p.overhead ?? 0) * 1000);
  return root;
}
