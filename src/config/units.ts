// Durations ("15m", "1h30m", "90d") and byte sizes ("512MiB", "1GB") as users write them in YAML.
import { z } from 'zod';

const DURATION_UNITS: Record<string, number> = {
  ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000,
};

/** Milliseconds from "1h30m", "250ms", "90d"; a bare number is milliseconds. Undefined when invalid. */
export function parseDuration(text: string): number | undefined {
  const s = text.trim();
  if (/^\d+(\.\d+)?$/.test(s)) return Number(s);
  if (!/^(\d+(\.\d+)?(ms|s|m|h|d|w))+$/.test(s)) return undefined;
  let total = 0;
  for (const m of s.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h|d|w)/g)) total += Number(m[1]) * DURATION_UNITS[m[2]];
  return total;
}

const BYTE_UNITS: Record<string, number> = {
  b: 1, kb: 1e3, mb: 1e6, gb: 1e9, tb: 1e12, kib: 1024, mib: 1024 ** 2, gib: 1024 ** 3, tib: 1024 ** 4,
};

/** Bytes from "1GiB" (1024^3), "500MB" (10^6), or a bare number. Undefined when invalid. */
export function parseBytes(text: string): number | undefined {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*$/.exec(text);
  if (!m) return undefined;
  const unit = m[2].toLowerCase() || 'b';
  const factor = BYTE_UNITS[unit];
  return factor === undefined ? undefined : Math.round(Number(m[1]) * factor);
}

/** A duration in config: a string like "15m" or a number of milliseconds. Parsed to milliseconds. */
export const duration = z.union([z.number().nonnegative(), z.string()]).transform((v, ctx) => {
  if (typeof v === 'number') return v;
  const ms = parseDuration(v);
  if (ms === undefined) {
    ctx.addIssue({ code: 'custom', message: `"${v}" is not a duration (examples: 500ms, 15m, 1h30m, 90d)` });
    return z.NEVER;
  }
  return ms;
});

/** A byte size in config: "1GiB", "500MB" or a number of bytes. Parsed to bytes. */
export const byteSize = z.union([z.number().int().nonnegative(), z.string()]).transform((v, ctx) => {
  if (typeof v === 'number') return v;
  const b = parseBytes(v);
  if (b === undefined) {
    ctx.addIssue({ code: 'custom', message: `"${v}" is not a byte size (examples: 512MiB, 1GiB, 100MB)` });
    return z.NEVER;
  }
  return b;
});

/** host:port; the host may be an IPv4/IPv6 address or a name. */
export const endpoint = z.string().refine((v) => parseEndpoint(v) !== undefined, {
  message: 'expected host:port, e.g. 127.0.0.1:4317',
});

export function parseEndpoint(v: string): { host: string; port: number } | undefined {
  const m = /^(\[[^\]]+\]|[^:\s]+|):(\d{1,5})$/.exec(v.trim());
  if (!m) return undefined;
  const port = Number(m[2]);
  if (port > 65535) return undefined;
  const host = m[1].replace(/^\[|\]$/g, '') || '0.0.0.0';
  return { host, port };
}
