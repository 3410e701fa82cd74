// The top level of a modelwatch config. Each component's own schema lives with its factory.
import { z } from 'zod';
import { byteSize, duration, endpoint } from './units.js';
import { authConfig, tlsConfig } from '../security/config.js';
import { privacyConfig } from '../privacy/config.js';

const componentSection = z.record(z.string(), z.unknown()).nullable().transform((v) => v ?? {});

const pipeline = z.strictObject({
  receivers: z.array(z.string()).min(1, 'a pipeline needs at least one receiver'),
  processors: z.array(z.string()).default([]),
  exporters: z.array(z.string()).min(1, 'a pipeline needs at least one exporter'),
});

export const topLevelSchema = z.strictObject({
  receivers: componentSection.prefault({}),
  processors: componentSection.prefault({}),
  exporters: componentSection.prefault({}),
  storage: z
    .strictObject({
      /** The SQLite file holding the queue, checkpoints and history. */
      path: z.string().min(1).default('data/modelwatch.db'),
      /** Queue bound: past it, receivers hold calls back, then refuse with a retryable status. */
      max_bytes: byteSize.default(1024 ** 3),
      /** full: an acknowledged batch survives power loss; normal: survives a process crash only, faster. */
      sync: z.enum(['normal', 'full']).default('full'),
      /** How often processor state is checkpointed with its queue position. */
      checkpoint_interval: duration.default(1000),
      /** How long a receiver holds a call back waiting for queue room before refusing it. */
      backpressure_wait: duration.default(2000),
    })
    .prefault({}),
  /**
   * Per feature (and ml.tag.*) mask, hash (keyed HMAC) or keep, applied as data arrives: the queue, the
   * processors and every exporter only ever see the result.
   */
  privacy: privacyConfig.optional(),
  limits: z
    .strictObject({
      /**
       * Resident memory at which receivers hold calls back and then refuse them (retryable) before
       * reading them; 0: no limit. Leave headroom: the limit is checked per request, not enforced by the OS.
       */
      memory: byteSize.default(0),
    })
    .prefault({}),
  admin: z
    .strictObject({
      endpoint: endpoint.default('127.0.0.1:13133'),
      tls: tlsConfig.optional(),
      /**
       * When set, everything but /healthz and /readyz needs the bearer token. Destructive endpoints
       * (DELETE, reload) always need it: without admin.auth they are disabled.
       */
      auth: authConfig.optional(),
    })
    .prefault({}),
  service: z.strictObject({
    pipelines: z.record(z.string(), pipeline).refine((p) => Object.keys(p).length > 0, 'define at least one pipeline'),
    telemetry: z
      .strictObject({
        logs: z.strictObject({ level: z.enum(['debug', 'info', 'warn', 'error']).default('info') }).prefault({}),
        /** Series per metric before the overflow series takes the rest. */
        max_series_per_metric: z.number().int().positive().default(2000),
      })
      .prefault({}),
  }),
});

export type TopLevelConfig = z.output<typeof topLevelSchema>;
export type PipelineConfig = z.output<typeof pipeline>;
