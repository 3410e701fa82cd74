// CSV per RFC 4180: comma delimiter, header row, fields optionally in double quotes ("" escapes a
// quote; quoted fields may hold commas and line breaks), CRLF or LF line ends. Every row must have
// as many fields as the header.
import { DatasetError } from './errors.js';
import type { Table, RawValue } from './table.js';

export function parseCsv(text: string, file: string): Table {
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  if (text.trim() === '') throw new DatasetError(file, 1, undefined, 'the file is empty (expected a header row)');
  const records: string[][] = [];
  const lines: number[] = [];
  let line = 1;
  let field = '';
  let record: string[] = [];
  let recordLine = 1;
  let i = 0;
  const n = text.length;
  const endRecord = () => {
    record.push(field);
    field = '';
    // skip blank lines (a lone empty field)
    if (!(record.length === 1 && record[0] === '')) {
      records.push(record);
      lines.push(recordLine);
    }
    record = [];
  };
  let nextQuote = text.indexOf('"');
  while (i < n) {
    // Fast path: a whole line without quotes is split at once.
    if (field === '' && record.length === 0) {
      if (nextQuote >= 0 && nextQuote < i) nextQuote = text.indexOf('"', i);
      let e = text.indexOf('\n', i);
      if (e < 0) e = n;
      if (nextQuote < 0 || nextQuote > e) {
        const end = e > i && text.charCodeAt(e - 1) === 13 ? e - 1 : e;
        const seg = text.slice(i, end);
        if (!seg.includes('\r')) {
          if (seg !== '') {
            records.push(seg.split(','));
            lines.push(line);
          }
          i = e + 1;
          line++;
          recordLine = line;
          continue;
        }
      }
    }
    const ch = text.charCodeAt(i);
    if (ch === 34 /* " */ && field === '') {
      // quoted field
      const startLine = line;
      i++;
      let start = i;
      let out = '';
      for (;;) {
        const q = text.indexOf('"', i);
        if (q < 0) throw new DatasetError(file, startLine, undefined, 'unterminated quoted field');
        for (let k = i; k < q; k++) if (text.charCodeAt(k) === 10) line++;
        if (text.charCodeAt(q + 1) === 34) {
          out += text.slice(start, q + 1);
          i = q + 2;
          start = i;
          continue;
        }
        out += text.slice(start, q);
        i = q + 1;
        break;
      }
      field = out;
      const next = text.charCodeAt(i);
      if (i < n && next !== 44 && next !== 10 && next !== 13) {
        throw new DatasetError(file, line, undefined, 'unexpected character after a closing quote');
      }
      if (field === '') field = '\u0000quoted-empty';
      continue;
    }
    if (ch === 44 /* , */) {
      record.push(field);
      field = '';
      i++;
    } else if (ch === 10 || ch === 13) {
      endRecord();
      if (ch === 13 && text.charCodeAt(i + 1) === 10) i++;
      i++;
      line++;
      recordLine = line;
    } else {
      // plain run up to the next delimiter or line end
      let j = i;
      while (j < n) {
        const c = text.charCodeAt(j);
        if (c === 44 || c === 10 || c === 13) break;
        j++;
      }
      field += text.slice(i, j);
      i = j;
    }
  }
  if (field !== '' || record.length > 0) endRecord();

  const header = records[0].map((h) => (h === '\u0000quoted-empty' ? '' : h.trim()));
  if (header.length === 1 && /[;\t|]/.test(header[0])) {
    const d = header[0].includes(';') ? ';' : header[0].includes('\t') ? 'tab' : '|';
    throw new DatasetError(file, lines[0], undefined, `the header looks ${d}-delimited; CSV files must be comma-separated`);
  }
  const seen = new Set<string>();
  header.forEach((h, k) => {
    if (h === '') throw new DatasetError(file, lines[0], undefined, `header field ${k + 1} is empty`);
    if (seen.has(h)) throw new DatasetError(file, lines[0], h, 'duplicate column name');
    seen.add(h);
  });
  const values = new Map<string, RawValue[]>(header.map((h) => [h, new Array<RawValue>(records.length - 1)]));
  const cols = header.map((h) => values.get(h)!);
  for (let r = 1; r < records.length; r++) {
    const rec = records[r];
    if (rec.length !== header.length) {
      throw new DatasetError(file, lines[r], undefined, `expected ${header.length} fields (as in the header), found ${rec.length}`);
    }
    for (let c = 0; c < rec.length; c++) {
      const v = rec[c];
      // A quoted empty string is an empty string, an unquoted one is missing: both are missing here.
      cols[c][r - 1] = v === '' || v === '\u0000quoted-empty' ? null : v;
    }
  }
  return { file, columns: header, values, lines: lines.slice(1) };
}
