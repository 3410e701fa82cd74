// Config of the `otlp_http` metrics exporter: pushes model metrics and the agent's own over OTLP/HTTP.
import { z } from 'zod';
import { duration } from '../../config/units.js';

export const otlpHttpConfig = z
  .strictObject({
    /** http(s)://host:4318; /v1/metrics is appended unless the path already ends with it. */
    endpoint: z.url({ protocol: /^https?$/, error: 'expected an http:// or https:// url, e.g. http://collector:4318' }),
    /** Sent with every request, e.g. { authorization: "Bearer ${env:OTLP_TOKEN}" }. */
    headers: z.record(z.string(), z.string()).default({}),
    interval: duration.default(60_000),
    timeout: duration.default(10_000),
    temporality: z.enum(['cumulative', 'delta']).default('cumulative'),
  })
  .superRefine((c, ctx) => {
    if (c.interval < 100) ctx.addIssue({ code: 'custom', path: ['interval'], message: 'at least 100ms' });
    if (c.timeout > c.interval) ctx.addIssue({ code: 'custom', path: ['timeout'], message: 'must not exceed interval' });
  });

export type OtlpHttpConfig = z.output<typeof otlpHttpConfig>;

/** The metrics url: the endpoint with /v1/metrics appended when its path does not end with it. */
export function metricsUrl(endpoint: string): string {
  const u = new URL(endpoint);
  if (!u.pathname.endsWith('/v1/metrics')) u.pathname = `${u.pathname.replace(/\/+$/, '')}/v1/metrics`;
  return u.toString();
}
