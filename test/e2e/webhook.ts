// A local stand-in for every Alertmanager integration (PagerDuty, Slack, email): one HTTP server that
// records each webhook notification with the receiver named by its path (/hook/<receiver-name>).
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** The alert fields of Alertmanager's webhook payload (version 4) that the test reads. */
export interface WebhookAlert {
  status: 'firing' | 'resolved';
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
}

export interface Delivery {
  /** The receiver named by the request path. */
  path: string;
  /** When the request arrived (ms since epoch). */
  at: number;
  /** The receiver Alertmanager says it notified (payload field), checked against the path. */
  receiver: string;
  status: string;
  alerts: WebhookAlert[];
}

export interface WebhookRecorder {
  /** Base URL, e.g. http://127.0.0.1:40123 */
  url: string;
  deliveries: Delivery[];
  close(): Promise<void>;
}

export async function startWebhookRecorder(): Promise<WebhookRecorder> {
  const deliveries: Delivery[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const m = /^\/hook\/([\w.-]+)$/.exec(req.url ?? '');
      if (req.method !== 'POST' || !m) {
        res.writeHead(404).end();
        return;
      }
      try {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { receiver: string; status: string; alerts: WebhookAlert[] };
        deliveries.push({ path: m[1], at: Date.now(), receiver: body.receiver, status: body.status, alerts: body.alerts });
        res.writeHead(200).end();
      } catch {
        res.writeHead(400).end();
      }
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    deliveries,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The receivers (by path) an alert reached so far, with the time of its first notification to each. */
export function receiversOf(deliveries: readonly Delivery[], alertname: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const d of deliveries) {
    if (!d.alerts.some((a) => a.status === 'firing' && a.labels.alertname === alertname)) continue;
    if (!out.has(d.path)) out.set(d.path, d.at);
  }
  return out;
}
