// Components add their own endpoints to the admin port (history, drift runs, reports) through this table.
import type { IncomingMessage, ServerResponse } from 'node:http';

export interface AdminRequest {
  method: string;
  url: URL;
  params: Record<string, string>;
  raw: IncomingMessage;
  body(): Promise<Buffer>;
}

export type AdminHandler = (req: AdminRequest, res: ServerResponse) => void | Promise<void>;

export interface RouteOptions {
  /** Deletes data or changes the running agent: always needs the admin token. DELETE routes are. */
  destructive?: boolean;
}

interface Route {
  method: string;
  pattern: RegExp;
  names: string[];
  handler: AdminHandler;
  destructive: boolean;
}

export class AdminRoutes {
  private readonly routes: Route[] = [];

  /** `path` may hold `:name` segments and end in `*` (the rest of the path, as param "rest"). */
  add(method: string, path: string, handler: AdminHandler, opts: RouteOptions = {}): void {
    const names: string[] = [];
    const source = path
      .split('/')
      .map((seg) => {
        if (seg.startsWith(':')) {
          names.push(seg.slice(1));
          return '([^/]+)';
        }
        if (seg === '*') {
          names.push('rest');
          return '(.*)';
        }
        return seg.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      })
      .join('/');
    const m = method.toUpperCase();
    this.routes.push({ method: m, pattern: new RegExp(`^${source}$`), names, handler, destructive: opts.destructive ?? m === 'DELETE' });
  }

  match(method: string, pathname: string): { handler: AdminHandler; params: Record<string, string>; destructive: boolean } | 'method_not_allowed' | undefined {
    let pathMatched = false;
    for (const r of this.routes) {
      const m = r.pattern.exec(pathname);
      if (!m) continue;
      pathMatched = true;
      if (r.method !== method && !(r.method === 'GET' && method === 'HEAD')) continue;
      const params: Record<string, string> = {};
      r.names.forEach((n, i) => {
        params[n] = decodeURIComponent(m[i + 1]);
      });
      return { handler: r.handler, params, destructive: r.destructive };
    }
    return pathMatched ? 'method_not_allowed' : undefined;
  }
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}
