// OTLP/gRPC: TraceService/Export and LogsService/Export, registered with pass-through (de)serializers so
// the request bytes reach our own decoder untouched.
import * as grpc from '@grpc/grpc-js';
import type { ReceiverContext } from '../../pipeline/component.js';
import { encodeExportResponseProto } from '../../otlp/response.js';
import { OtlpDecodeError } from '../../otlp/result.js';
import { decodeTraceRequestProto } from '../../otlp/traces.js';
import { decodeLogsRequestProto } from '../../otlp/logs.js';
import type { DecodeOptions, DecodeResult } from '../../otlp/result.js';
import { ingest } from './ingest.js';

const identity = (b: Buffer) => b;
const method = (path: string): grpc.MethodDefinition<Buffer, Buffer> => ({
  path,
  requestStream: false,
  responseStream: false,
  requestSerialize: identity,
  requestDeserialize: identity,
  responseSerialize: identity,
  responseDeserialize: identity,
});

const SIGNALS = [
  { signal: 'traces' as const, service: 'opentelemetry.proto.collector.trace.v1.TraceService', decode: decodeTraceRequestProto },
  { signal: 'logs' as const, service: 'opentelemetry.proto.collector.logs.v1.LogsService', decode: decodeLogsRequestProto },
];

export class OtlpGrpcServer {
  private server?: grpc.Server;
  port?: number;

  constructor(private readonly ctx: ReceiverContext, private readonly endpoint: string, private readonly maxBytes: number, private readonly decodeOptions: DecodeOptions) {}

  async start(): Promise<void> {
    const server = new grpc.Server({ 'grpc.max_receive_message_length': this.maxBytes });
    for (const { signal, service, decode } of SIGNALS) {
      server.addService({ Export: method(`/${service}/Export`) }, { Export: this.handler(signal, decode) });
    }
    this.port = await new Promise<number>((resolve, reject) =>
      server.bindAsync(this.endpoint, grpc.ServerCredentials.createInsecure(), (err, port) => (err ? reject(new Error(`OTLP/gRPC cannot listen on ${this.endpoint}: ${err.message}`)) : resolve(port))),
    );
    this.server = server;
    this.ctx.logger.info({ endpoint: this.endpoint, port: this.port }, 'OTLP/gRPC receiver listening');
  }

  private handler(signal: 'traces' | 'logs', decode: (b: Uint8Array, o?: DecodeOptions) => DecodeResult): grpc.handleUnaryCall<Buffer, Buffer> {
    return (call, callback) => {
      let decoded: DecodeResult;
      try {
        decoded = decode(call.request, this.decodeOptions);
      } catch (err) {
        const message = err instanceof OtlpDecodeError ? err.message : `cannot decode request: ${(err as Error).message}`;
        this.ctx.intake.refused('grpc', 'malformed', 1);
        this.ctx.logger.warn({ err: message }, 'refused a malformed OTLP/gRPC request');
        return callback({ code: grpc.status.INVALID_ARGUMENT, details: message });
      }
      ingest(this.ctx, 'grpc', decoded).then(
        (out) => {
          if (out.ok) return callback(null, Buffer.from(encodeExportResponseProto(signal, out.rejected, out.message)));
          // UNAVAILABLE is retryable for OTLP clients that retry; the data was not taken.
          const trailer = new grpc.Metadata();
          trailer.set('retry-after-ms', String(out.retryAfterMs));
          callback({ code: grpc.status.UNAVAILABLE, details: out.message, metadata: trailer });
        },
        (err: Error) => callback({ code: grpc.status.INTERNAL, details: err.message }),
      );
    };
  }

  async shutdown(): Promise<void> {
    const s = this.server;
    if (!s) return;
    this.server = undefined;
    await new Promise<void>((resolve) => {
      const force = setTimeout(() => {
        s.forceShutdown();
        resolve();
      }, 3000);
      s.tryShutdown(() => {
        clearTimeout(force);
        resolve();
      });
    });
  }
}
