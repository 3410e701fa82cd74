// The admin port: /healthz (alive), /readyz (storage writable, exporters healthy), and whatever the
// components add under /api/v1/ and /reports/.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { TokenCheck } from '../security/auth.js';
import type { TlsMaterial } from '../security/tls.js';
import { once } from 'node:events';
import type { Logger } from '../telemetry/logger.js';
import { AdminRoutes, sendJson, type AdminRequest } from './routes.js';

export type ReadinessCheck = () => { name: string; ok: boolean; detail?: string };

export class AdminServer {
  private server?: Server;
  private readonly checks: ReadinessCheck[] = [];

  constructor(
    readonly routes: AdminRoutes,
    private readonly endpoint: { host: string; port: number },
    private readonly logger: Logger,
    private readonly security: { tls?: TlsMaterial; authorized?: TokenCheck } = {},
  ) {
    routes.add('GET', '/healthz', (_req, res) => sendJson(res, 200, { status: 'ok' }));
    routes.add('GET', '/readyz', (_req, res) => {
      const results = this.checks.map((c) => c());
      const ok = results.every((r) => r.ok);
      sendJson(res, ok ? 200 : 503, { status: ok ? 'ready' : 'not_ready', checks: results });
    });
  }

  addReadinessCheck(check: ReadinessCheck): void {
    this.checks.push(check);
  }

  get port(): number | undefined {
    const a = this.server?.address();
    return a && typeof a === 'object' ? a.port : undefined;
  }

  async start(): Promise<void> {
    const { tls, authorized } = this.security;
    const onRequest = (raw: IncomingMessage, res: ServerResponse) => {
      const url = new URL(raw.url ?? '/', 'http://admin');
      const found = this.routes.match(raw.method ?? 'GET', url.pathname);
      if (found === undefined) return sendJson(res, 404, { error: `no such endpoint: ${url.pathname}` });
      if (found === 'method_not_allowed') return sendJson(res, 405, { error: `method ${raw.method} not allowed on ${url.pathname}` });
      const probe = url.pathname === '/healthz' || url.pathname === '/readyz';
      if (found.destructive && !authorized) {
        return sendJson(res, 403, { error: 'this endpoint changes or deletes data: configure admin.auth (a bearer token) to enable it' });
      }
      if (authorized && !probe && !authorized(raw.headers.authorization)) {
        res.setHeader('www-authenticate', 'Bearer');
        return sendJson(res, 401, { error: 'missing or wrong bearer token' });
      }
      const req: AdminRequest = {
        method: raw.method ?? 'GET',
        url,
        params: found.params,
        raw,
        body: async () => {
          const chunks: Buffer[] = [];
          for await (const c of raw) chunks.push(c as Buffer);
          return Buffer.concat(chunks);
        },
      };
      Promise.resolve(found.handler(req, res)).catch((err: Error) => {
        this.logger.error({ err, path: url.pathname }, 'admin request failed');
        if (!res.headersSent) sendJson(res, 500, { error: err.message });
        else res.end();
      });
    };
    const server: Server = tls
      ? createHttpsServer({ cert: tls.cert, key: tls.key, ca: tls.ca, requestCert: !!tls.ca, rejectUnauthorized: !!tls.ca }, onRequest)
      : createServer(onRequest);
    server.listen(this.endpoint.port, this.endpoint.host);
    await Promise.race([once(server, 'listening'), once(server, 'error').then(([e]) => Promise.reject(e))]);
    this.server = server;
    this.logger.info({ endpoint: `${this.endpoint.host}:${this.port}`, tls: !!tls, auth: !!authorized }, 'admin server listening');
  }

  async shutdown(): Promise<void> {
    if (!this.server) return;
    const s = this.server;
    this.server = undefined;
    s.closeAllConnections();
    await new Promise<void>((resolve) => s.close(() => resolve()));
  }
}
