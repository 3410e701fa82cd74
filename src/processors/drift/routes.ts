// The drift processor's admin endpoints: run on demand, the latest result, and the reports.
//   POST /api/v1/drift/run[?model=NAME[&version=V]]  → { runs: [result per model version] }
//   GET  /api/v1/drift/latest?model=NAME             → { model, runs: [last result per version] }
//   GET  /reports/                                   → index of the HTML reports, newest first
//   GET  /reports/<file>                             → one report (text/html)
import type { ServerResponse } from 'node:http';
import { sendJson, type AdminRoutes } from '../../admin/routes.js';
import { escapeHtml } from '../../report/escape.js';
import type { DriftProcessor } from './processor.js';

export function registerDriftRoutes(admin: AdminRoutes, p: DriftProcessor): void {
  admin.add('POST', '/api/v1/drift/run', async (req, res) => {
    const model = req.url.searchParams.get('model') ?? undefined;
    const version = req.url.searchParams.get('version') ?? undefined;
    if (model !== undefined && !p.hasModel(model)) return sendJson(res, 404, { error: `no predictions of model "${model}" seen yet` });
    const runs = await p.run({ model, version });
    if (runs.length === 0) return sendJson(res, 404, { error: `no such model version: ${model} ${version ?? ''}`.trim() });
    sendJson(res, 200, { runs });
  });

  admin.add('GET', '/api/v1/drift/latest', async (req, res) => {
    const model = req.url.searchParams.get('model');
    if (!model) return sendJson(res, 400, { error: 'the model query parameter is required' });
    const runs = await p.latestOf(model);
    if (runs.length === 0) return sendJson(res, 404, { error: `no drift run of model "${model}" yet` });
    sendJson(res, 200, { model, runs });
  });

  const index = async (_req: unknown, res: ServerResponse) => {
    const items = (await p.reports.list())
      .map((r) => `<li><a href="/reports/${encodeURIComponent(r.file)}">${escapeHtml(r.file)}</a> <small>${new Date(r.time).toISOString()}</small></li>`)
      .join('\n');
    sendHtml(res, 200, `<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>Drift reports</title></head><body>\n<h1>Drift reports</h1>\n<ul>\n${items || '<li>No report yet.</li>'}\n</ul>\n</body></html>\n`);
  };
  admin.add('GET', '/reports', index);
  admin.add('GET', '/reports/', index);
  admin.add('GET', '/reports/:file', async (req, res) => {
    // read() accepts only plain report file names of the directory: no path can escape it.
    const html = await p.reports.read(req.params.file);
    if (html === undefined) return sendJson(res, 404, { error: 'no such report' });
    sendHtml(res, 200, html);
  });
}

function sendHtml(res: ServerResponse, status: number, html: string): void {
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'content-length': Buffer.byteLength(html), 'x-content-type-options': 'nosniff' });
  res.end(html);
}
