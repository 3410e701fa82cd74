// The `otlp` receiver: prediction spans (and feedback spans / log records) over OTLP gRPC and HTTP.
import type { ReceiverFactory } from '../../pipeline/component.js';
import { checkPortFree } from '../../config/preflight.js';
import { otlpReceiverConfig, type OtlpReceiverConfig } from './config.js';
import { OtlpGrpcServer } from './grpc.js';
import { OtlpHttpServer } from './http.js';
import { bearerCheck, readToken } from '../../security/auth.js';
import { securityProblems } from '../../security/problems.js';
import { loadTls } from '../../security/tls.js';

export const otlpReceiverFactory: ReceiverFactory<OtlpReceiverConfig> = {
  kind: 'receiver',
  type: 'otlp',
  description: 'OTLP/gRPC and OTLP/HTTP (protobuf, JSON) prediction spans and feedback logs',
  config: otlpReceiverConfig,
  async preflight(config) {
    const problems = [];
    for (const name of ['grpc', 'http'] as const) {
      const p = config.protocols[name];
      if (!p) continue;
      const problem = await checkPortFree(p.endpoint);
      if (problem) problems.push({ path: `protocols::${name}::endpoint`, message: problem });
      problems.push(...securityProblems(`protocols::${name}`, p));
    }
    problems.push(...securityProblems('', { auth: config.auth }));
    return problems;
  },
  create(config, ctx) {
    const decodeOptions = { maxAttributeLength: config.max_attribute_length, maxFeatures: config.max_features };
    // Token and certificates are read at start: a missing file fails the start, not the first request.
    const authorized = config.auth ? bearerCheck(readToken(config.auth)) : undefined;
    const { grpc, http } = config.protocols;
    const servers = [
      grpc && new OtlpGrpcServer(ctx, { endpoint: grpc.endpoint, maxBytes: grpc.max_recv_msg_size, decodeOptions, tls: grpc.tls && loadTls(grpc.tls), authorized }),
      http && new OtlpHttpServer(ctx, { endpoint: http.endpoint, maxBytes: http.max_recv_msg_size, decodeOptions, tls: http.tls && loadTls(http.tls), authorized }),
    ].filter((s): s is OtlpGrpcServer | OtlpHttpServer => !!s);
    return {
      async start() {
        for (const s of servers) await s.start();
      },
      async shutdown() {
        await Promise.all(servers.map((s) => s.shutdown()));
      },
    };
  },
};
