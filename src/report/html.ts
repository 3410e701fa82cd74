// The HTML drift report: one self-contained page (inline CSS and SVG, no scripts, fonts or links):
// a summary line, then one row per feature with its test, score, threshold, verdict and histograms.
// Every string that comes from data (title, model, column names, categories) is escaped.
import type { DriftResult } from '../stats/drift_types.js';
import { escapeHtml } from './escape.js';
import type { Histogram } from './histograms.js';
import { svgHistogram } from './svg_histogram.js';

export interface ReportOptions {
  title: string;
  generatedAt: Date;
  model?: string;
  histograms: Record<string, Histogram>;
}

const STYLE = `
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:24px;color:#222;background:#fff}
h1{font-size:22px;margin:0 0 4px}.meta{color:#666;font-size:13px;margin-bottom:16px}
.summary{font-size:18px;padding:12px 16px;border-radius:6px;margin-bottom:18px}
.summary.drift{background:#fdecea;border:1px solid #f5c2bd}.summary.ok{background:#e8f5e9;border:1px solid #b9dfbb}
table{border-collapse:collapse;width:100%}th,td{border-bottom:1px solid #e3e3e3;padding:6px 8px;text-align:left;vertical-align:middle;font-size:14px}
th{background:#f6f6f6}td.num{font-variant-numeric:tabular-nums;white-space:nowrap}
.verdict{font-weight:600;border-radius:4px;padding:2px 8px;white-space:nowrap}.verdict.drift{background:#d93025;color:#fff}.verdict.ok{background:#1e8e3e;color:#fff}
.hist rect.ref{fill:#9aa0a6}.hist rect.cur{fill:#1a73e8}.hist .axis{font-size:10px;fill:#555}
.legend span{display:inline-block;width:10px;height:10px;margin:0 4px 0 12px}.warn{color:#b06000}`;

export function renderDriftReport(result: DriftResult, opts: ReportOptions): string {
  const names = Object.keys(result.columns);
  const drifted = result.number_drifted_columns;
  const rows = names.map((name) => {
    const c = result.columns[name];
    const h = opts.histograms[name];
    const missing = c.missing_share ? ` <span class="warn" title="share of missing or non-finite values in current">(${(c.missing_share * 100).toFixed(1)}% missing)</span>` : '';
    const adj = c.p_value_adjusted !== undefined ? `<br><small>adjusted ${fmt(c.p_value_adjusted)}</small>` : '';
    return `<tr data-column="${escapeHtml(name)}"><td>${escapeHtml(name)}${missing}</td><td>${c.column_type}</td><td>${escapeHtml(c.stattest)}</td>` +
      `<td class="num">${fmt(c.score)}${adj}</td><td class="num">${fmt(c.threshold)}</td>` +
      `<td><span class="verdict ${c.drift_detected ? 'drift' : 'ok'}">${c.drift_detected ? 'Drift' : 'No drift'}</span></td>` +
      `<td class="num">${c.n_reference} / ${c.n_current}</td><td>${h ? svgHistogram(h) : ''}</td></tr>`;
  });
  const absent = result.absent_in_current?.length
    ? `<p class="warn">Absent from current data (not tested): ${result.absent_in_current.map(escapeHtml).join(', ')}</p>` : '';
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(opts.title)}</title><style>${STYLE}</style></head>
<body>
<h1>${escapeHtml(opts.title)}</h1>
<div class="meta">${opts.model ? `Model ${escapeHtml(opts.model)} · ` : ''}generated ${escapeHtml(opts.generatedAt.toISOString())}</div>
<div class="summary ${result.dataset_drift ? 'drift' : 'ok'}">Drift detected for ${drifted} of ${result.number_of_columns} features` +
    ` (${(result.share_drifted_columns * 100).toFixed(1)}%; dataset drift ${result.dataset_drift ? 'detected' : 'not detected'} at drift share ${result.drift_share})</div>
${absent}<div class="legend">Histograms:<span style="background:#9aa0a6"></span>reference<span style="background:#1a73e8"></span>current</div>
<table><thead><tr><th>Feature</th><th>Type</th><th>Test</th><th>Score</th><th>Threshold</th><th>Verdict</th><th>Rows (ref / cur)</th><th>Distribution</th></tr></thead>
<tbody>
${rows.join('\n')}
</tbody></table>
</body></html>
`;
}

function fmt(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  if (x === 0) return '0';
  return Math.abs(x) < 1e-4 ? x.toExponential(2) : String(Number(x.toPrecision(4)));
}
