// OTLP/HTTP: POST /v1/traces and /v1/logs, binary protobuf or JSON, optionally gzip-compressed.
// Errors follow the OTLP spec: a google.rpc.Status body; 400 for bad data (not retryable), 429/503 with
// Retry-After when the queue is full (retryable: the JS HTTP exporters honour it).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { once } from 'node:events';
import { createGunzip, createInflate } from 'node:zlib';
import type { Readable } from 'node:stream';
import type { ReceiverContext } from '../../pipeline/component.js';
import { parseEndpoint } from '../../config/units.js';
import { encodeExportResponseJson, encodeExportResponseProto } from '../../otlp/response.js';
import { OtlpDecodeError, type DecodeOptions, type DecodeResult } from '../../otlp/result.js';
import { decodeTraceRequestJson, decodeTraceRequestProto } from '../../otlp/traces.js';
import { decodeLogsRequestJson, decodeLogsRequestProto } from '../../otlp/logs.js';
import { ingest } from './ingest.js';
import type { ServerOptions } from './options.js';
import { encodeStatusJson, encodeStatusProto, RPC } from './status.js';

class BodyTooLarge extends Error {}

const ROUTES: Record<string, { signal: 'traces' | 'logs'; proto: (b: Uint8Array, o?: DecodeOptions) => DecodeResult; json: (t: string, o?: DecodeOptions) => DecodeResult }> = {
  '/v1/traces': { signal: 'traces', proto: decodeTraceRequestProto, json: decodeTraceRequestJson },
  '/v1/logs': { signal: 'logs', proto: decodeLogsRequestProto, json: decodeLogsRequestJson },
};

async function readBody(req: IncomingMessage, maxBytes: number): Promise<Buffer> {
  const encoding = (req.headers['content-encoding'] ?? 'identity').toLowerCase();
  let stream: Readable = req;
  if (encoding === 'gzip') stream = req.pipe(createGunzip());
  else if (encoding === 'deflate') stream = req.pipe(createInflate());
  else if (encoding !== 'identity') throw new OtlpDecodeError(`unsupported content-encoding "${encoding}" (use gzip or none)`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    size += (chunk as Buffer).length;
    // Counted after decompression: a small gzip bomb is refused as soon as it grows past the limit.
    if (size > maxBytes) {
      req.resume();
      throw new BodyTooLarge(`request body larger than ${maxBytes} bytes (receivers::otlp::protocols::http::max_recv_msg_size)`);
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

export class OtlpHttpServer {
  private server?: Server;
  port?: number;

  constructor(private readonly ctx: ReceiverContext, private readonly opts: ServerOptions) {}

  async start(): Promise<void> {
    const { endpoint, tls } = this.opts;
    const { host, port } = parseEndpoint(endpoint)!;
    const onRequest = (req: IncomingMessage, res: ServerResponse) => {
      this.handle(req, res).catch((err: Error) => {
        this.ctx.logger.error({ err }, 'OTLP/HTTP request failed');
        if (!res.headersSent) this.fail(res, false, 500, RPC.INTERNAL, err.message);
      });
    };
    const server: Server = tls
      ? createHttpsServer({ cert: tls.cert, key: tls.key, ca: tls.ca, requestCert: !!tls.ca, rejectUnauthorized: !!tls.ca }, onRequest)
      : createServer(onRequest);
    server.keepAliveTimeout = 65_000;
    server.listen(port, host);
    try {
      await Promise.race([once(server, 'listening'), once(server, 'error').then(([e]) => Promise.reject(e))]);
    } catch (err) {
      throw new Error(`OTLP/HTTP cannot listen on ${endpoint}: ${(err as Error).message}`);
    }
    const addr = server.address();
    this.port = addr && typeof addr === 'object' ? addr.port : port;
    this.server = server;
    this.ctx.logger.info({ endpoint, port: this.port, tls: !!tls, mtls: !!tls?.ca, auth: !!this.opts.authorized }, 'OTLP/HTTP receiver listening');
  }

  private fail(res: ServerResponse, json: boolean, http: number, code: number, message: string, headers: Record<string, string> = {}): void {
    const body = json ? encodeStatusJson(code, message) : Buffer.from(encodeStatusProto(code, message));
    res.writeHead(http, { 'content-type': json ? 'application/json' : 'application/x-protobuf', ...headers });
    res.end(body);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0];
    const route = ROUTES[path];
    const type = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
    const json = type === 'application/json';
    if (!route) return this.fail(res, json, 404, 5, `no OTLP endpoint at ${path} (use /v1/traces or /v1/logs)`);
    if (req.method !== 'POST') return this.fail(res, json, 405, 12, 'use POST', { allow: 'POST' });
    if (!json && type !== 'application/x-protobuf') {
      req.resume();
      return this.fail(res, false, 415, RPC.INVALID_ARGUMENT, `unsupported content-type "${type}" (use application/x-protobuf or application/json)`);
    }
    const protocol = json ? 'http/json' : 'http/protobuf';
    if (this.opts.authorized && !this.opts.authorized(req.headers.authorization)) {
      req.resume();
      this.ctx.intake.refused(protocol, 'unauthenticated', 1);
      return this.fail(res, json, 401, 16, 'missing or wrong bearer token', { 'www-authenticate': 'Bearer' });
    }
    // Memory and queue room are checked before the body is read, let alone decoded.
    const admitted = await this.ctx.sink.admit(Number(req.headers['content-length'] ?? 0) || 0);
    if (!admitted.ok) {
      req.resume();
      this.ctx.intake.refused(protocol, admitted.reason, 1);
      const seconds = String(Math.max(1, Math.ceil(admitted.retryAfterMs / 1000)));
      return this.fail(res, json, admitted.reason === 'queue_full' ? 429 : 503, RPC.UNAVAILABLE, admitted.message, { 'retry-after': seconds });
    }
    try {
      await this.decodeAndIngest(req, res, route, json, protocol);
    } finally {
      admitted.release();
    }
  }

  private async decodeAndIngest(req: IncomingMessage, res: ServerResponse, route: (typeof ROUTES)[string], json: boolean, protocol: string): Promise<void> {
    let decoded: DecodeResult;
    try {
      const body = await readBody(req, this.opts.maxBytes);
      decoded = json ? route.json(body.toString('utf8'), this.opts.decodeOptions) : route.proto(body, this.opts.decodeOptions);
    } catch (err) {
      this.ctx.intake.refused(protocol, err instanceof BodyTooLarge ? 'too_large' : 'malformed', 1);
      if (err instanceof BodyTooLarge) return this.fail(res, json, 413, RPC.RESOURCE_EXHAUSTED, err.message);
      const message = err instanceof OtlpDecodeError ? err.message : `cannot decode request: ${(err as Error).message}`;
      return this.fail(res, json, 400, RPC.INVALID_ARGUMENT, message);
    }
    const out = await ingest(this.ctx, protocol, decoded);
    if (!out.ok) {
      const seconds = String(Math.max(1, Math.ceil(out.retryAfterMs / 1000)));
      return this.fail(res, json, out.reason === 'queue_full' ? 429 : 503, RPC.UNAVAILABLE, out.message, { 'retry-after': seconds });
    }
    const body = json ? encodeExportResponseJson(route.signal, out.rejected, out.message) : Buffer.from(encodeExportResponseProto(route.signal, out.rejected, out.message));
    res.writeHead(200, { 'content-type': json ? 'application/json' : 'application/x-protobuf' });
    res.end(body);
  }

  async shutdown(): Promise<void> {
    const s = this.server;
    if (!s) return;
    this.server = undefined;
    s.closeIdleConnections();
    await new Promise<void>((resolve) => {
      const force = setTimeout(() => {
        s.closeAllConnections();
      }, 3000);
      s.close(() => {
        clearTimeout(force);
        resolve();
      });
    });
  }
}
