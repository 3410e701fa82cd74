// A load client: keeps `concurrency` Export calls in flight over gRPC or HTTP for a while (or at a fixed
// rate) and records what was acknowledged and how long each call took.
import * as grpc from '@grpc/grpc-js';
import { Agent, request } from 'node:http';
import type { Payload } from './payload.js';

export type Transport = 'grpc' | 'http/protobuf' | 'http/json';

export interface LoadResult {
  calls: number;
  failed: number;
  spans: number;
  seconds: number;
  spansPerSecond: number;
  latenciesMs: number[];
}

type Send = () => Promise<boolean>;

/** Requests sent by this process so far: each gets trace ids (so prediction ids) of its own. */
let nextRequest = 1;

function grpcSender(port: number, payload: Payload): { send: Send; close(): void } {
  const client = new grpc.Client(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
  const send: Send = () =>
    new Promise((resolve) => {
      const body = payload.variant(nextRequest++, 'proto');
      client.makeUnaryRequest('/opentelemetry.proto.collector.trace.v1.TraceService/Export', (b: Buffer) => b, (b: Buffer) => b, body, { deadline: Date.now() + 10_000 }, (err) => resolve(!err));
    });
  return { send, close: () => client.close() };
}

function httpSender(port: number, payload: Payload, json: boolean): { send: Send; close(): void } {
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  const send: Send = () =>
    new Promise((resolve) => {
      const body = payload.variant(nextRequest++, json ? 'json' : 'proto');
      const req = request({ host: '127.0.0.1', port, path: '/v1/traces', method: 'POST', agent, headers: { 'content-type': json ? 'application/json' : 'application/x-protobuf', 'content-length': body.length } }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode === 200));
      });
      req.on('error', () => resolve(false));
      req.end(body);
    });
  return { send, close: () => agent.destroy() };
}

export function sender(transport: Transport, port: number, payload: Payload) {
  return transport === 'grpc' ? grpcSender(port, payload) : httpSender(port, payload, transport === 'http/json');
}

/** As fast as the server answers, with `concurrency` calls in flight. */
export async function saturate(transport: Transport, port: number, payload: Payload, seconds: number, concurrency = 8): Promise<LoadResult> {
  const s = sender(transport, port, payload);
  const end = Date.now() + seconds * 1000;
  const start = performance.now();
  let calls = 0;
  let failed = 0;
  const latenciesMs: number[] = [];
  const worker = async () => {
    while (Date.now() < end) {
      const t = performance.now();
      const ok = await s.send();
      latenciesMs.push(performance.now() - t);
      if (ok) calls++;
      else failed++;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const elapsed = (performance.now() - start) / 1000;
  s.close();
  return { calls, failed, spans: calls * payload.spans, seconds: elapsed, spansPerSecond: (calls * payload.spans) / elapsed, latenciesMs };
}

/**
 * A fixed rate: one call every payload.spans / spansPerSecond seconds, open loop. With a warm-up, the
 * same rate runs first on the same connection and is not counted (the first calls of a fresh
 * connection and cold code took 50–105 ms); `measuring` is awaited when the counted part begins.
 */
export async function fixedRate(
  transport: Transport,
  port: number,
  payload: Payload,
  spansPerSecond: number,
  seconds: number,
  warmup: { seconds: number; measuring?: () => Promise<void> } = { seconds: 0 },
): Promise<LoadResult> {
  const s = sender(transport, port, payload);
  const intervalMs = (payload.spans / spansPerSecond) * 1000;
  // Uncounted: calls at i * intervalMs < warmup; counted: at i * intervalMs <= seconds.
  await Promise.all(await paced(intervalMs, Math.ceil((warmup.seconds * 1000) / intervalMs), performance.now(), () => s.send()));
  await warmup.measuring?.();
  const start = performance.now();
  let calls = 0;
  let failed = 0;
  const latenciesMs: number[] = [];
  const pending = paced(intervalMs, Math.floor((seconds * 1000) / intervalMs) + 1, start, () => {
    const t = performance.now();
    return s.send().then((ok) => {
      latenciesMs.push(performance.now() - t);
      if (ok) calls++;
      else failed++;
    });
  });
  await Promise.all(await pending);
  const elapsed = (performance.now() - start) / 1000;
  s.close();
  return { calls, failed, spans: calls * payload.spans, seconds: elapsed, spansPerSecond: (calls * payload.spans) / elapsed, latenciesMs };
}

/** Starts `count` calls, the i-th at `start + i * intervalMs` (open loop: none waits for another's answer). */
async function paced<T>(intervalMs: number, count: number, start: number, call: () => Promise<T>): Promise<Promise<T>[]> {
  const calls: Promise<T>[] = [];
  for (let i = 0; i < count; i++) {
    const wait = start + i * intervalMs - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    calls.push(call());
  }
  return calls;
}

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}
