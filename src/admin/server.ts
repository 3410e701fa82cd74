// The admin port: /healthz (alive), /readyz (storage writable, exporters healthy), and whatever the
// components add under /api/v1/ and /reports/.
import { createServer, type Server } from 'node:http';
import { once } from 'node:events';
import type { Logger } from '../telemetry/logger.js';
import { AdminRoutes, sendJson, type AdminRequest } from './routes.js';

export type ReadinessCheck = () => { name: string; ok: boolean; detail?: string };

export class AdminServer {
  private server?: Server;
  private readonly checks: ReadinessCheck[] = [];

  constructor(readonly routes: AdminRoutes, private readonly endpoint: { host: string; port: number }, private readonly logger: Logger) {
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
    const server = createServer((raw, res) => {
      const url = new URL(raw.url ?? '/', 'http://admin');
      const found = this.routes.match(raw.method ?? 'GET', url.pathname);
      if (found === undefined) return sendJson(res, 404, { error: `no such endpoint: ${url.pathname}` });
      if (found === 'method_not_allowed') return sendJson(res, 405, { error: `method ${raw.method} not allowed on ${url.pathname}` });
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
    });
    server.listen(this.endpoint.port, this.endpoint.host);
    await Promise.race([once(server, 'listening'), once(server, 'error').then(([e]) => Promise.reject(e))]);
    this.server = server;
    this.logger.info({ endpoint: `${this.endpoint.host}:${this.port}` }, 'admin server listening');
  }

  async shutdown(): Promise<void> {
    if (!this.server) return;
    const s = this.server;
    this.server = undefined;
    s.closeAllConnections();
    await new Promise<void>((resolve) => s.close(() => resolve()));
  }
}
