// The `otlp` receiver: prediction spans (and feedback spans / log records) over OTLP gRPC and HTTP.
import type { ReceiverFactory } from '../../pipeline/component.js';
import { checkPortFree } from '../../config/preflight.js';
import { otlpReceiverConfig, type OtlpReceiverConfig } from './config.js';
import { OtlpGrpcServer } from './grpc.js';
import { OtlpHttpServer } from './http.js';

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
    }
    return problems;
  },
  create(config, ctx) {
    const decodeOptions = { maxAttributeLength: config.max_attribute_length, maxFeatures: config.max_features };
    const servers = [
      config.protocols.grpc && new OtlpGrpcServer(ctx, config.protocols.grpc.endpoint, config.protocols.grpc.max_recv_msg_size, decodeOptions),
      config.protocols.http && new OtlpHttpServer(ctx, config.protocols.http.endpoint, config.protocols.http.max_recv_msg_size, decodeOptions),
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
