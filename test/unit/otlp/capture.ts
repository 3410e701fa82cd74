// Test helper: drives the real OpenTelemetry JS SDK and OTLP exporters (gRPC, http/protobuf, http/json)
// against tiny local servers that record the request bodies, so the decoders are checked on the bytes
// real clients send. Used by the tests and by scripts/capture-otlp-fixtures.ts.
import http from 'node:http';
import zlib from 'node:zlib';
import type { AddressInfo } from 'node:net';
import * as grpc from '@grpc/grpc-js';
import { context, trace, SpanStatusCode, type Tracer } from '@opentelemetry/api';
import type { Logger } from '@opentelemetry/api-logs';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor, type IdGenerator, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import { BatchLogRecordProcessor, LoggerProvider, type LogRecordExporter } from '@opentelemetry/sdk-logs';
import { OTLPTraceExporter as GrpcTraceExporter } from '@opentelemetry/exporter-trace-otlp-grpc';
import { OTLPTraceExporter as ProtoTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { OTLPTraceExporter as JsonTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPLogExporter as GrpcLogExporter } from '@opentelemetry/exporter-logs-otlp-grpc';
import { OTLPLogExporter as ProtoLogExporter } from '@opentelemetry/exporter-logs-otlp-proto';
import { OTLPLogExporter as JsonLogExporter } from '@opentelemetry/exporter-logs-otlp-http';

export type Protocol = 'grpc' | 'proto' | 'json';
export const PROTOCOLS: readonly Protocol[] = ['grpc', 'proto', 'json'];

export interface Captured {
  /** 'traces' or 'logs'. */
  signal: 'traces' | 'logs';
  protocol: Protocol;
  body: Buffer;
}

const TRACE_PATH = '/opentelemetry.proto.collector.trace.v1.TraceService/Export';
const LOGS_PATH = '/opentelemetry.proto.collector.logs.v1.LogsService/Export';

/** Servers on 127.0.0.1 port 0 that record every export body and answer with an empty response. */
export class CaptureServers {
  readonly captured: Captured[] = [];
  private httpServer?: http.Server;
  private grpcServer?: grpc.Server;
  httpPort = 0;
  grpcPort = 0;

  async start(): Promise<void> {
    this.httpServer = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        let body = Buffer.concat(chunks);
        if (req.headers['content-encoding'] === 'gzip') body = zlib.gunzipSync(body);
        const json = String(req.headers['content-type']).includes('json');
        const signal = req.url === '/v1/logs' ? 'logs' : 'traces';
        this.captured.push({ signal, protocol: json ? 'json' : 'proto', body });
        res.writeHead(200, { 'content-type': json ? 'application/json' : 'application/x-protobuf' });
        res.end(json ? '{}' : Buffer.alloc(0));
      });
    });
    await new Promise<void>((resolve) => this.httpServer!.listen(0, '127.0.0.1', resolve));
    this.httpPort = (this.httpServer.address() as AddressInfo).port;

    this.grpcServer = new grpc.Server();
    const passThrough = (signal: 'traces' | 'logs', path: string) => ({
      path,
      requestStream: false,
      responseStream: false,
      requestSerialize: (b: Buffer) => b,
      requestDeserialize: (b: Buffer) => b,
      responseSerialize: (b: Buffer) => b,
      responseDeserialize: (b: Buffer) => b,
      signal,
    });
    const handler = (signal: 'traces' | 'logs') => (call: grpc.ServerUnaryCall<Buffer, Buffer>, cb: grpc.sendUnaryData<Buffer>) => {
      this.captured.push({ signal, protocol: 'grpc', body: Buffer.from(call.request) });
      cb(null, Buffer.alloc(0));
    };
    this.grpcServer.addService({ Export: passThrough('traces', TRACE_PATH) } as grpc.ServiceDefinition, { Export: handler('traces') });
    this.grpcServer.addService({ Export: passThrough('logs', LOGS_PATH) } as grpc.ServiceDefinition, { Export: handler('logs') });
    this.grpcPort = await new Promise<number>((resolve, reject) =>
      this.grpcServer!.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, port) => (err ? reject(err) : resolve(port))),
    );
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.httpServer?.close(() => resolve()) ?? resolve());
    await new Promise<void>((resolve) => this.grpcServer?.tryShutdown(() => resolve()) ?? resolve());
  }

  traceExporter(protocol: Protocol): SpanExporter {
    if (protocol === 'grpc') return new GrpcTraceExporter({ url: `http://127.0.0.1:${this.grpcPort}` });
    const url = `http://127.0.0.1:${this.httpPort}/v1/traces`;
    return protocol === 'proto' ? new ProtoTraceExporter({ url }) : new JsonTraceExporter({ url });
  }

  logExporter(protocol: Protocol): LogRecordExporter {
    if (protocol === 'grpc') return new GrpcLogExporter({ url: `http://127.0.0.1:${this.grpcPort}` });
    const url = `http://127.0.0.1:${this.httpPort}/v1/logs`;
    return protocol === 'proto' ? new ProtoLogExporter({ url }) : new JsonLogExporter({ url });
  }
}

/** Ids 1, 2, 3, ... in order of generation, so captured payloads and expectations are stable. */
export class CountingIdGenerator implements IdGenerator {
  private traces = 0;
  private spans = 0;
  generateTraceId(): string {
    return traceIdN(++this.traces);
  }
  generateSpanId(): string {
    return spanIdN(++this.spans);
  }
}
export const traceIdN = (n: number): string => 'a1'.padEnd(32 - String(n).length, '0') + String(n);
export const spanIdN = (n: number): string => 'b2'.padEnd(16 - String(n).length, '0') + String(n);

export const RESOURCE_ATTRIBUTES = { 'service.name': 'fraud-api', 'host.name': 'node-7', 'k8s.replica': 3 };

export async function sendScenarioSpans(exporter: SpanExporter, emit: (tracer: Tracer) => void): Promise<void> {
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes(RESOURCE_ATTRIBUTES),
    idGenerator: new CountingIdGenerator(),
    spanProcessors: [new BatchSpanProcessor(exporter, { maxExportBatchSize: 512, scheduledDelayMillis: 60_000 })],
  });
  emit(provider.getTracer('scenario'));
  await provider.forceFlush();
  await provider.shutdown();
}

export async function sendScenarioLogs(exporter: LogRecordExporter, emit: (logger: Logger) => void): Promise<void> {
  const provider = new LoggerProvider({
    resource: resourceFromAttributes(RESOURCE_ATTRIBUTES),
    processors: [new BatchLogRecordProcessor({ exporter, maxExportBatchSize: 512, scheduledDelayMillis: 60_000 })],
  });
  emit(provider.getLogger('scenario'));
  await provider.forceFlush();
  await provider.shutdown();
}

/** A child context of `parent`, without relying on a registered context manager. */
export function under(parent: ReturnType<Tracer['startSpan']>) {
  return trace.setSpan(context.active(), parent);
}

export { SpanStatusCode };
