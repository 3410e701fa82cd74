// Shared pieces of the reliability tests: a raw OTLP client (hand-built OTLP/JSON over HTTP, bytes over
// gRPC) that remembers which prediction ids the agent acknowledged, a seeded random source, and readers
// of what ended up in the agent (prediction log rows, /metrics sums, queue drained).
import * as grpc from '@grpc/grpc-js';
import Database from 'better-sqlite3';
import { existsSync } from 'node:fs';
import { eventually, type AgentHandle } from '../../helpers/agent.js';
import { parsePromText } from '../../helpers/prom-text.js';
import { mulberry32 } from '../../helpers/random.js';

export { agentEnv } from '../../unit/exporters/agent-env.js';

export const seededRandom = mulberry32;

const hex = (n: number, width: number) => n.toString(16).padStart(width, '0');

/**
 * An OTLP/JSON ExportTraceServiceRequest: per id one prediction span carrying `ml.prediction.id` and one
 * `inference` child in the same request. `seq` numbers give unique trace and span ids.
 */
export function predictionsJson(preds: readonly { id: string; seq: number }[], model = 'reliability'): string {
  const t0 = BigInt(Date.now() - 60_000) * 1_000_000n;
  const spans = [];
  for (const { id, seq } of preds) {
    const traceId = hex(seq + 1, 32);
    const spanId = hex(2 * seq + 1, 16);
    spans.push({
      traceId, spanId, name: 'predict', kind: 2,
      startTimeUnixNano: String(t0), endTimeUnixNano: String(t0 + 30_000_000n),
      attributes: [
        { key: 'ml.model.name', value: { stringValue: model } },
        { key: 'ml.model.version', value: { stringValue: '1' } },
        { key: 'ml.prediction.id', value: { stringValue: id } },
        { key: 'ml.prediction.class', value: { stringValue: seq % 3 === 0 ? 'fraud' : 'ok' } },
        { key: 'ml.prediction.confidence', value: { doubleValue: 0.75 } },
        { key: 'ml.feature.amount', value: { doubleValue: seq * 1.5 } },
      ],
    });
    spans.push({
      traceId, spanId: hex(2 * seq + 2, 16), parentSpanId: spanId, name: 'inference',
      startTimeUnixNano: String(t0 + 1_000_000n), endTimeUnixNano: String(t0 + 21_000_000n),
      attributes: [{ key: 'ml.stage', value: { stringValue: 'inference' } }],
    });
  }
  return JSON.stringify({ resourceSpans: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 'reliability-test' } }] }, scopeSpans: [{ scope: { name: 'raw' }, spans }] }] });
}

export interface HttpAnswer {
  /** 0 when there was no HTTP answer (connection refused or reset, or the deadline passed). */
  status: number;
  body: string;
  /** The body as bytes (protobuf answers). */
  bytes?: Buffer;
  headers?: Headers;
  error?: string;
}

export async function postOtlp(port: number, body: string | Uint8Array, opts: { contentType?: string; path?: string; timeoutMs?: number } = {}): Promise<HttpAnswer> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}${opts.path ?? '/v1/traces'}`, {
      method: 'POST',
      headers: { 'content-type': opts.contentType ?? 'application/json' },
      body,
      signal: AbortSignal.timeout(opts.timeoutMs ?? 10_000),
    });
    const bytes = Buffer.from(await res.arrayBuffer());
    return { status: res.status, body: bytes.toString('utf8'), bytes, headers: res.headers };
  } catch (err) {
    return { status: 0, body: '', error: (err as Error).name === 'TimeoutError' ? 'deadline passed' : String((err as Error).cause ?? err) };
  }
}

export interface GrpcAnswer {
  /** grpc status code; -1 when no answer came before the deadline. */
  code: number;
  details: string;
}

/** A raw unary TraceService/Export (or LogsService/Export) call with the given bytes. */
export function grpcExport(client: grpc.Client, body: Buffer, opts: { deadlineMs?: number; service?: 'trace' | 'logs' } = {}): Promise<GrpcAnswer> {
  const path = opts.service === 'logs' ? '/opentelemetry.proto.collector.logs.v1.LogsService/Export' : '/opentelemetry.proto.collector.trace.v1.TraceService/Export';
  return new Promise((resolve) => {
    client.makeUnaryRequest(path, (b: Buffer) => b, (b: Buffer) => b, body, { deadline: Date.now() + (opts.deadlineMs ?? 10_000) }, (err) => {
      resolve({ code: err?.code ?? 0, details: err?.details ?? '' });
    });
  });
}

/**
 * Sends batches of predictions with fresh unique ids over OTLP/HTTP JSON and remembers what happened:
 * an id is acknowledged only when its request got 200 with nothing rejected. Never retries an id (a
 * retry would count a prediction twice on /metrics if the first attempt had been committed).
 */
export class IdSender {
  readonly sent = new Set<string>();
  readonly acked = new Set<string>();
  requests = 0;
  ackedRequests = 0;
  /** Requests with no answer (the agent was killed or was down). */
  unanswered = 0;
  /** Answered but refused (status, count). */
  readonly refusedByStatus = new Map<number, number>();
  private seq = 0;

  constructor(private port: number, private readonly prefix: string, private readonly model = 'reliability') {}

  retarget(port: number): void {
    this.port = port;
  }

  /** One request of `n` new predictions; the answer, with the ids it carried. */
  async sendBatch(n: number, timeoutMs = 10_000): Promise<HttpAnswer & { ids: string[] }> {
    const preds = Array.from({ length: n }, () => {
      const seq = this.seq++;
      return { id: `${this.prefix}-${seq}`, seq };
    });
    for (const p of preds) this.sent.add(p.id);
    this.requests++;
    const answer = await postOtlp(this.port, predictionsJson(preds, this.model), { timeoutMs });
    if (answer.status === 200) {
      const parsed = JSON.parse(answer.body) as { partialSuccess?: { rejectedSpans?: number | string } };
      if (Number(parsed.partialSuccess?.rejectedSpans ?? 0) !== 0) throw new Error(`valid spans rejected: ${answer.body}`);
      this.ackedRequests++;
      for (const p of preds) this.acked.add(p.id);
    } else if (answer.status === 0) this.unanswered++;
    else this.refusedByStatus.set(answer.status, (this.refusedByStatus.get(answer.status) ?? 0) + 1);
    return { ...answer, ids: preds.map((p) => p.id) };
  }
}

/** Every prediction_id row in a SQLite prediction log (duplicates kept, so a test can see them). */
export function sqliteLogIds(file: string, table = 'predictions'): string[] {
  if (!existsSync(file)) return [];
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    return (db.prepare(`SELECT prediction_id FROM "${table}"`).all() as { prediction_id: string }[]).map((r) => r.prediction_id);
  } catch (err) {
    if (/no such table/.test(String(err))) return [];
    throw err;
  } finally {
    db.close();
  }
}

/** The sum of every sample of `name` whose labels include `labels` (0 when there is none). */
export function promSum(text: string, name: string, labels: Record<string, string> = {}): number {
  return parsePromText(text)
    .filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))
    .reduce((a, s) => a + s.value, 0);
}

/**
 * Waits until every consumer has checkpointed past every row and the rows are trimmed: then the
 * metrics and the log reflect everything committed, and nothing more is on its way.
 */
export async function queueDrained(agent: AgentHandle, timeoutMs = 30_000): Promise<string> {
  try {
    return await eventually(async () => {
      const text = await agent.metricsText();
      return /^modelwatch_queue_rows(\{[^}]*\})? 0$/m.test(text) ? text : undefined;
    }, 'the queue drained (every consumer checkpointed past every row)', timeoutMs);
  } catch (err) {
    const queue = (await agent.metricsText().catch(() => '')).split('\n').filter((l) => /^modelwatch_(queue|exporter)/.test(l));
    throw new Error(`${(err as Error).message}\n${queue.join('\n')}\nlast log lines:\n${agent.logs().split('\n').slice(-15).join('\n')}`);
  }
}

export async function httpStatus(url: string): Promise<number> {
  try {
    return (await fetch(url, { signal: AbortSignal.timeout(5000) })).status;
  } catch {
    return 0;
  }
}

/** The agent's log lines at level error (50) or fatal (60), parsed. */
export function errorLines(logs: string): { level: number; msg: string; err?: unknown; [k: string]: unknown }[] {
  const out = [];
  for (const line of logs.split('\n')) {
    if (!line.startsWith('{')) continue;
    try {
      const rec = JSON.parse(line) as { level: number; msg: string };
      if (rec.level >= 50) out.push(rec);
    } catch {
      /* not a log record */
    }
  }
  return out;
}
