// The HTML report: right rows and verdicts, escaping, self-contained; rendered by headless Chromium
// into a PNG that must exist and not be blank.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, existsSync, statSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { inflateSync } from 'node:zlib';
import { renderDriftReport } from '../../../src/report/html.js';
import { columnHistogram } from '../../../src/report/histograms.js';
import { computeDatasetDrift, type Columns } from '../../../src/stats/dataset_drift.js';
import { normals, choices } from '../stats/seeded.js';

const ref: Columns = {
  age: { type: 'num', values: normals(1, 800, 40, 10) },
  income: { type: 'num', values: normals(2, 800, 50000, 9000) },
  '<script>alert(1)</script>': { type: 'cat', values: choices(3, 800, ['a&b', '<i>x</i>', 'plain'], [3, 2, 1]) },
};
const cur: Columns = {
  age: { type: 'num', values: normals(4, 900, 47, 10) },
  income: { type: 'num', values: normals(5, 900, 50000, 9000) },
  '<script>alert(1)</script>': { type: 'cat', values: choices(6, 900, ['a&b', '<i>x</i>', 'plain'], [3, 2, 1]) },
};
const result = computeDatasetDrift(ref, cur);
const histograms = Object.fromEntries(Object.keys(ref).map((k) => [k, columnHistogram(ref[k], cur[k])]));
const html = renderDriftReport(result, { title: 'Drift "weekly" <report>', generatedAt: new Date('2026-01-05T02:00:00Z'), model: 'churn&co', histograms });

test('summary and one row per feature with test, score, threshold and verdict', () => {
  assert.match(html, /Drift detected for 1 of 3 features/);
  const rows = [...html.matchAll(/<tr data-column="([^"]*)">(.*?)<\/tr>/gs)];
  assert.equal(rows.length, 3);
  const age = rows.find((r) => r[1] === 'age')![2];
  assert.match(age, /<td>ks<\/td>/);
  assert.match(age, />Drift</);
  assert.match(age, /<td class="num">0\.05<\/td>/);
  const income = rows.find((r) => r[1] === 'income')![2];
  assert.match(income, />No drift</);
  assert.ok(income.includes(`>${Number(result.columns.income.score.toPrecision(4))}<`));
  assert.equal((html.match(/<svg class="hist"/g) ?? []).length, 3);
});

test('strings from data are escaped; no external resources or scripts', () => {
  assert.ok(!html.includes('<script>alert'));
  assert.ok(html.includes('&lt;script&gt;alert(1)&lt;/script&gt;'));
  assert.ok(html.includes('&lt;i&gt;x&lt;/i&gt;'));
  assert.ok(html.includes('a&amp;b'));
  assert.ok(html.includes('Drift &quot;weekly&quot; &lt;report&gt;'));
  assert.ok(html.includes('churn&amp;co'));
  assert.ok(!/<script|<link|@import|url\(|src=/i.test(html));
});

/** Distinct colours in an 8-bit RGB/RGBA non-interlaced PNG (enough to tell blank from drawn). */
function pngColours(file: string): number {
  const buf = readFileSync(file);
  let pos = 8;
  let width = 0, height = 0, colorType = 0;
  const idat: Buffer[] = [];
  while (pos < buf.length) {
    const len = buf.readUInt32BE(pos);
    const type = buf.toString('ascii', pos + 4, pos + 8);
    const data = buf.subarray(pos + 8, pos + 8 + len);
    if (type === 'IHDR') { width = data.readUInt32BE(0); height = data.readUInt32BE(4); colorType = data[9]; }
    if (type === 'IDAT') idat.push(data);
    pos += 12 + len;
  }
  const bpp = colorType === 6 ? 4 : 3;
  const raw = inflateSync(Buffer.concat(idat));
  const stride = width * bpp;
  const prev = Buffer.alloc(stride);
  const row = Buffer.alloc(stride);
  const colours = new Set<number>();
  for (let y = 0; y < height; y++) {
    const f = raw[y * (stride + 1)];
    for (let x = 0; x < stride; x++) {
      const v = raw[y * (stride + 1) + 1 + x];
      const a = x >= bpp ? row[x - bpp] : 0;
      const b = prev[x];
      const c = x >= bpp ? prev[x - bpp] : 0;
      let p = 0;
      if (f === 1) p = a; else if (f === 2) p = b; else if (f === 3) p = (a + b) >> 1;
      else if (f === 4) { const q = a + b - c; const pa = Math.abs(q - a), pb = Math.abs(q - b), pc = Math.abs(q - c); p = pa <= pb && pa <= pc ? a : pb <= pc ? b : c; }
      row[x] = (v + p) & 255;
    }
    for (let x = 0; x < stride; x += bpp * 7) colours.add((row[x] << 16) | (row[x + 1] << 8) | row[x + 2]);
    row.copy(prev);
  }
  return colours.size;
}

test('headless Chromium renders the report to a non-blank PNG', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mw-report-'));
  const page = join(dir, 'report.html');
  const png = join(dir, 'report.png');
  writeFileSync(page, html);
  const r = spawnSync('/usr/bin/chromium', ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync', `--user-data-dir=${join(dir, 'profile')}`,
    `--screenshot=${png}`, '--window-size=1200,1000', `file://${page}`], { encoding: 'utf8', timeout: 60000 });
  assert.ok(existsSync(png), `no screenshot; chromium said: ${r.stderr}`);
  assert.ok(statSync(png).size > 10000, 'screenshot suspiciously small');
  assert.ok(pngColours(png) > 8, 'screenshot looks blank');
  if (process.env.KEEP_REPORT_PNG) writeFileSync(process.env.KEEP_REPORT_PNG, readFileSync(png));
});
