// One histogram as inline SVG: reference (grey) and current (blue) bars side by side per bin, with a
// <title> on each bar for the exact share. Labels come from data and are escaped.
import { escapeHtml } from './escape.js';
import type { Histogram } from './histograms.js';

export function svgHistogram(h: Histogram, width = 420, height = 140): string {
  const n = h.labels.length;
  if (n === 0) return '<svg class="hist" width="0" height="0"></svg>';
  const pad = { l: 34, r: 6, t: 6, b: h.kind === 'cat' ? 34 : 18 };
  const plotW = width - pad.l - pad.r;
  const plotH = height - pad.t - pad.b;
  const max = Math.max(...h.reference, ...h.current, 1e-12);
  const slot = plotW / n;
  const barW = Math.max(1, slot * 0.42);
  const y = (v: number) => pad.t + plotH - (v / max) * plotH;
  const parts: string[] = [];
  parts.push(`<line x1="${pad.l}" y1="${pad.t + plotH}" x2="${width - pad.r}" y2="${pad.t + plotH}" stroke="#999"/>`);
  parts.push(`<text x="${pad.l - 4}" y="${pad.t + 8}" text-anchor="end" class="axis">${(max * 100).toFixed(0)}%</text>`);
  parts.push(`<text x="${pad.l - 4}" y="${pad.t + plotH}" text-anchor="end" class="axis">0</text>`);
  for (let k = 0; k < n; k++) {
    const x0 = pad.l + k * slot + slot * 0.06;
    const label = escapeHtml(h.labels[k]);
    for (const [side, v, cls] of [[0, h.reference[k], 'ref'], [1, h.current[k], 'cur']] as const) {
      const top = y(v);
      parts.push(`<rect class="${cls}" x="${(x0 + side * barW).toFixed(1)}" y="${top.toFixed(1)}" width="${barW.toFixed(1)}" height="${(pad.t + plotH - top).toFixed(1)}"><title>${label} ${cls === 'ref' ? 'reference' : 'current'}: ${(v * 100).toFixed(1)}%</title></rect>`);
    }
    if (h.kind === 'cat') {
      const short = h.labels[k].length > 10 ? `${h.labels[k].slice(0, 9)}…` : h.labels[k];
      parts.push(`<text x="${(x0 + barW).toFixed(1)}" y="${pad.t + plotH + 12}" text-anchor="middle" class="axis">${escapeHtml(short)}</text>`);
    }
  }
  if (h.kind === 'num') {
    const first = h.labels[0].slice(1).split(',')[0];
    const last = h.labels[n - 1].split(', ')[1].replace(')', '');
    parts.push(`<text x="${pad.l}" y="${height - 4}" class="axis">${escapeHtml(first)}</text>`);
    parts.push(`<text x="${width - pad.r}" y="${height - 4}" text-anchor="end" class="axis">${escapeHtml(last)}</text>`);
  }
  return `<svg class="hist" xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img">${parts.join('')}</svg>`;
}
