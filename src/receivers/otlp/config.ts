import { z } from 'zod';
import { byteSize, endpoint } from '../../config/units.js';
import { authConfig, tlsConfig } from '../../security/config.js';

const protocol = (defaultEndpoint: string) =>
  z.strictObject({
    endpoint: endpoint.default(defaultEndpoint),
    /** Largest request accepted (OTel Collector default: 4 MiB for gRPC). */
    max_recv_msg_size: byteSize.default(4 * 1024 * 1024),
    /** TLS, and mutual TLS with client_ca_file. Off by default (loopback). */
    tls: tlsConfig.optional(),
  });

export const otlpReceiverConfig = z
  .strictObject({
    protocols: z
      .strictObject({
        grpc: protocol('127.0.0.1:4317').nullable().optional(),
        http: protocol('127.0.0.1:4318').nullable().optional(),
      })
      .prefault({ grpc: {}, http: {} }),
    /** Longest string attribute kept; longer ones refuse their span with a reason. */
    max_attribute_length: z.number().int().positive().default(4096),
    /** Most ml.feature.* attributes per span. */
    max_features: z.number().int().positive().default(256),
    /** Senders must present `authorization: Bearer <token>` (gRPC metadata or HTTP header). */
    auth: authConfig.optional(),
  })
  .transform((c) => ({
    ...c,
    // `grpc:` with no value enables the protocol with its defaults, as in the Collector.
    protocols: {
      grpc: c.protocols.grpc === null ? protocol('127.0.0.1:4317').parse({}) : c.protocols.grpc,
      http: c.protocols.http === null ? protocol('127.0.0.1:4318').parse({}) : c.protocols.http,
    },
  }));

export type OtlpReceiverConfig = z.output<typeof otlpReceiverConfig>;
