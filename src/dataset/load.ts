// Reads a CSV or JSON Lines file (by extension: .jsonl / .ndjson are JSON Lines, anything else CSV).
import { readFile } from 'node:fs/promises';
import { readCsv } from './csv.js';
import { parseJsonl } from './jsonl.js';
import { DatasetError } from './errors.js';
import type { Table } from './table.js';

export type TableFormat = 'csv' | 'jsonl';

export function formatOf(path: string): TableFormat {
  return /\.(jsonl|ndjson)$/i.test(path) ? 'jsonl' : 'csv';
}

/** `what` names the file in the error when it cannot be read ("the reference"). */
export async function loadTable(path: string, format: TableFormat = formatOf(path), what?: string): Promise<Table> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (e) {
    throw new DatasetError(path, undefined, undefined, `cannot read${what ? ` ${what}` : ''}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  return format === 'jsonl' ? parseJsonl(bytes.toString('utf8'), path) : readCsv(bytes, path);
}
