// JSON Lines: one JSON object per line; blank lines are skipped. Values may be numbers, strings,
// booleans or null; a key absent from a row is missing there. Columns are the keys in order of first use.
import { DatasetError } from './errors.js';
import type { Table, RawValue } from './table.js';

export function parseJsonl(text: string, file: string): Table {
  const rows: Record<string, unknown>[] = [];
  const lines: number[] = [];
  const columns: string[] = [];
  const known = new Set<string>();
  let lineNo = 0;
  for (const raw of text.split('\n')) {
    lineNo++;
    const s = raw.trim();
    if (s === '') continue;
    let obj: unknown;
    try {
      obj = JSON.parse(s);
    } catch (e) {
      throw new DatasetError(file, lineNo, undefined, `not valid JSON (${(e as Error).message})`);
    }
    if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) throw new DatasetError(file, lineNo, undefined, 'each line must be a JSON object');
    for (const [k, v] of Object.entries(obj)) {
      if (v !== null && typeof v === 'object') throw new DatasetError(file, lineNo, k, 'nested objects and arrays are not supported');
      if (!known.has(k)) {
        known.add(k);
        columns.push(k);
      }
    }
    rows.push(obj as Record<string, unknown>);
    lines.push(lineNo);
  }
  if (rows.length === 0) throw new DatasetError(file, 1, undefined, 'the file is empty (expected JSON objects, one per line)');
  const values = new Map<string, RawValue[]>();
  for (const c of columns) values.set(c, rows.map((r) => (r[c] === undefined || r[c] === '' ? null : (r[c] as RawValue))));
  return { file, columns, values, lines };
}
