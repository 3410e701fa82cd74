// Reads a CSV or JSON Lines file (by extension: .jsonl / .ndjson are JSON Lines, anything else CSV).
import { readFile } from 'node:fs/promises';
import { parseCsv } from './csv.js';
import { parseJsonl } from './jsonl.js';
import { DatasetError } from './errors.js';
import type { Table } from './table.js';

export async function loadTable(path: string): Promise<Table> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw new DatasetError(path, undefined, undefined, `cannot read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  return /\.(jsonl|ndjson)$/i.test(path) ? parseJsonl(text, path) : parseCsv(text, path);
}
