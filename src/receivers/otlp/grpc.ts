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
import type { ServerOptions } from './options.js';

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

  constructor(private readonly ctx: ReceiverContext, private readonly opts: ServerOptions) {}

  async start(): Promise<void> {
    const { endpoint, maxBytes, tls } = this.opts;
    const server = new grpc.Server({ 'grpc.max_receive_message_length': maxBytes });
    for (const { signal, service, decode } of SIGNALS) {
      server.addService({ Export: method(`/${service}/Export`) }, { Export: this.handler(signal, decode) });
    }
    const credentials = tls
      ? grpc.ServerCredentials.createSsl(tls.ca ?? null, [{ private_key: tls.key, cert_chain: tls.cert }], tls.ca !== undefined)
      : grpc.ServerCredentials.createInsecure();
    this.port = await new Promise<number>((resolve, reject) =>
      server.bindAsync(endpoint, credentials, (err, port) => (err ? reject(new Error(`OTLP/gRPC cannot listen on ${endpoint}: ${err.message}`)) : resolve(port))),
    );
    this.server = server;
    this.ctx.logger.info({ endpoint, port: this.port, tls: !!tls, mtls: !!tls?.ca, auth: !!this.opts.authorized }, 'OTLP/gRPC receiver listening');
  }

  private handler(signal: 'traces' | 'logs', decode: (b: Uint8Array, o?: DecodeOptions) => DecodeResult): grpc.handleUnaryCall<Buffer, Buffer> {
    return (call, callback) => {
      const { authorized } = this.opts;
      if (authorized && !authorized(call.metadata.get('authorization')[0]?.toString())) {
        this.ctx.intake.refused('grpc', 'unauthenticated', 1);
        return callback({ code: grpc.status.UNAUTHENTICATED, details: 'missing or wrong bearer token' });
      }
      this.ctx.sink.admit(call.request.length).then((admitted) => {
        if (!admitted.ok) {
          this.ctx.intake.refused('grpc', admitted.reason, 1);
          return callback({ code: grpc.status.UNAVAILABLE, details: admitted.message });
        }
        this.decodeAndIngest(signal, decode, call.request, (err, value) => {
          admitted.release();
          callback(err, value);
        });
      }, (err: Error) => callback({ code: grpc.status.INTERNAL, details: err.message }));
    };
  }

  private decodeAndIngest(signal: 'traces' | 'logs', decode: (b: Uint8Array, o?: DecodeOptions) => DecodeResult, request: Buffer, callback: grpc.sendUnaryData<Buffer>): void {
    let decoded: DecodeResult;
    try {
      decoded = decode(request, this.opts.decodeOptions);
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
