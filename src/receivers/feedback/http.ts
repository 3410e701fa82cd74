// Ground truth posted as JSON: POST /v1/feedback with one label, an array of labels, or JSON Lines
// (application/x-ndjson). Each label: {"prediction_id": "...", "label": "fraud"} (or "value": 12.5 for
// regression), optionally "model_name", "model_version" and "time" (ISO 8601 or Unix ms). Labels are
// acknowledged only after they are committed to the queue; a bad label is refused alone, with its reason.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { once } from 'node:events';
import { parseEndpoint } from '../../config/units.js';
import type { ReceiverContext } from '../../pipeline/component.js';
import type { FeedbackRecord } from '../../pipeline/records.js';
import { bearerCheck, readToken, type TokenCheck } from '../../security/auth.js';
import { loadTls } from '../../security/tls.js';
import type { HttpFeedbackConfig } from './config.js';

const PROTOCOL = 'http/feedback';
const MAX_ID = 1024;

class BadRequest extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

/** One label from JSON, or the reason it is refused. */
export function parseLabel(item: unknown, nowMs: number): FeedbackRecord | string {
  if (typeof item !== 'object' || item === null || Array.isArray(item)) return 'a label must be a JSON object';
  const o = item as Record<string, unknown>;
  const id = o.prediction_id;
  if (typeof id !== 'string' || id.length === 0 || id.length > MAX_ID) return `prediction_id must be a non-empty string of at most ${MAX_ID} characters`;
  const record: FeedbackRecord = { kind: 'feedback', predictionId: id, timeMs: nowMs };
  if (typeof o.label === 'string' && o.label.length > 0 && o.label.length <= MAX_ID) record.groundTruthClass = o.label;
  else if (typeof o.label === 'number' && Number.isInteger(o.label)) record.groundTruthClass = String(o.label);
  else if (o.label !== undefined) return 'label must be a non-empty string or an integer';
  if (o.value !== undefined) {
    if (typeof o.value !== 'number' || !Number.isFinite(o.value)) return 'value must be a finite number';
    record.groundTruthValue = o.value;
  }
  if (record.groundTruthClass === undefined && record.groundTruthValue === undefined) return 'a label needs "label" (class) or "value" (regression)';
  for (const [key, field] of [['model_name', 'modelName'], ['model_version', 'modelVersion']] as const) {
    const v = o[key];
    if (v === undefined) continue;
    if (typeof v !== 'string' || v.length === 0 || v.length > MAX_ID) return `${key} must be a non-empty string`;
    record[field] = v;
  }
  if (o.time !== undefined) {
    const t = typeof o.time === 'number' ? o.time : typeof o.time === 'string' ? Date.parse(o.time) : NaN;
    if (!Number.isFinite(t)) return 'time must be an ISO 8601 string or Unix milliseconds';
    record.timeMs = t;
  }
  return record;
}

function parseBody(text: string, ndjson: boolean, maxItems: number): unknown[] {
  let items: unknown[];
  try {
    if (ndjson) {
      items = text.split('\n').filter((l) => l.trim() !== '').map((l, i) => {
        try {
          return JSON.parse(l);
        } catch {
          throw new BadRequest(400, `line ${i + 1} is not JSON`);
        }
      });
    } else {
      const v: unknown = JSON.parse(text);
      items = Array.isArray(v) ? v : [v];
    }
  } catch (err) {
    if (err instanceof BadRequest) throw err;
    throw new BadRequest(400, `the body is not JSON: ${(err as Error).message}`);
  }
  if (items.length > maxItems) throw new BadRequest(413, `${items.length} labels in one request; at most ${maxItems} (max_items)`);
  return items;
}

async function readBody(req: IncomingMessage, maxBytes: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > maxBytes) throw new BadRequest(413, `body larger than ${maxBytes} bytes (max_body)`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(text);
}

export class HttpFeedbackServer {
  private server?: Server;
  private readonly authorized?: TokenCheck;
  port?: number;

  constructor(private readonly config: HttpFeedbackConfig, private readonly ctx: ReceiverContext) {
    this.authorized = config.auth ? bearerCheck(readToken(config.auth)) : undefined;
  }

  async start(): Promise<void> {
    const { host, port } = parseEndpoint(this.config.endpoint)!;
    const tls = this.config.tls && loadTls(this.config.tls);
    const onRequest = (req: IncomingMessage, res: ServerResponse) => {
      this.handle(req, res).catch((err: Error) => {
        const status = err instanceof BadRequest ? err.status : 500;
        if (status === 500) this.ctx.logger.error({ err }, 'feedback request failed');
        this.ctx.intake.refused(PROTOCOL, status === 413 ? 'too_large' : status === 500 ? 'internal' : 'malformed', 1);
        if (!res.headersSent) send(res, status, { error: err.message });
      });
    };
    const server: Server = tls
      ? createHttpsServer({ cert: tls.cert, key: tls.key, ca: tls.ca, requestCert: !!tls.ca, rejectUnauthorized: !!tls.ca }, onRequest)
      : createServer(onRequest);
    server.listen(port, host);
    try {
      await Promise.race([once(server, 'listening'), once(server, 'error').then(([e]) => Promise.reject(e))]);
    } catch (err) {
      throw new Error(`feedback receiver cannot listen on ${this.config.endpoint}: ${(err as Error).message}`);
    }
    const addr = server.address();
    this.port = addr && typeof addr === 'object' ? addr.port : port;
    this.server = server;
    this.ctx.logger.info({ endpoint: this.config.endpoint, tls: !!tls, auth: !!this.authorized }, 'feedback receiver listening');
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0];
    if (path !== '/v1/feedback') return send(res, 404, { error: `no endpoint at ${path} (POST /v1/feedback)` });
    if (req.method !== 'POST') return send(res, 405, { error: 'use POST' }, { allow: 'POST' });
    if (this.authorized && !this.authorized(req.headers.authorization)) {
      req.resume();
      this.ctx.intake.refused(PROTOCOL, 'unauthenticated', 1);
      return send(res, 401, { error: 'missing or wrong bearer token' }, { 'www-authenticate': 'Bearer' });
    }
    const type = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
    const ndjson = type === 'application/x-ndjson' || type === 'application/jsonl';
    if (!ndjson && type !== 'application/json') {
      req.resume();
      throw new BadRequest(415, `unsupported content-type "${type}" (use application/json or application/x-ndjson)`);
    }
    const admitted = await this.ctx.sink.admit(Number(req.headers['content-length'] ?? 0) || 0);
    if (!admitted.ok) {
      req.resume();
      this.ctx.intake.refused(PROTOCOL, admitted.reason, 1);
      return send(res, admitted.reason === 'queue_full' ? 429 : 503, { error: admitted.message }, { 'retry-after': String(Math.max(1, Math.ceil(admitted.retryAfterMs / 1000))) });
    }
    try {
      await this.accept(req, res, ndjson);
    } finally {
      admitted.release();
    }
  }

  private async accept(req: IncomingMessage, res: ServerResponse, ndjson: boolean): Promise<void> {
    const items = parseBody(await readBody(req, this.config.max_body), ndjson, this.config.max_items);
    const now = this.ctx.clock.now();
    const records: FeedbackRecord[] = [];
    const errors: { index: number; reason: string }[] = [];
    items.forEach((item, index) => {
      const r = parseLabel(item, now);
      if (typeof r === 'string') errors.push({ index, reason: r });
      else records.push(r);
    });
    if (errors.length > 0) this.ctx.intake.refused(PROTOCOL, 'malformed', errors.length);
    if (records.length === 0) return send(res, 400, { accepted: 0, rejected: errors.length, errors: errors.slice(0, 20) });
    const result = await this.ctx.sink.append(records, records.length);
    if (!result.ok) {
      this.ctx.intake.refused(PROTOCOL, result.reason, records.length);
      return send(res, result.reason === 'queue_full' ? 429 : 503, { error: result.message }, { 'retry-after': String(Math.max(1, Math.ceil(result.retryAfterMs / 1000))) });
    }
    this.ctx.intake.accepted(PROTOCOL, records.length);
    send(res, 200, { accepted: records.length, rejected: errors.length, errors: errors.slice(0, 20) });
  }

  async shutdown(): Promise<void> {
    const s = this.server;
    if (!s) return;
    this.server = undefined;
    s.closeIdleConnections();
    await new Promise<void>((resolve) => s.close(() => resolve()));
  }
}
