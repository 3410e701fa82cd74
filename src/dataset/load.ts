// Reads a CSV or JSON Lines file (by extension: .jsonl / .ndjson are JSON Lines, anything else CSV).
import { open } from 'node:fs/promises';
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
    bytes = await readWhole(path);
  } catch (e) {
    throw new DatasetError(path, undefined, undefined, `cannot read${what ? ` ${what}` : ''}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  return format === 'jsonl' ? parseJsonl(bytes.toString('utf8'), path) : readCsv(bytes, path);
}

/**
 * The whole file in as few reads as the OS allows: fs.readFile reads in 512 KiB chunks, one trip
 * through the thread pool each, which left the event loop idle for a fifth of an offline drift run.
 */
async function readWhole(path: string): Promise<Buffer> {
  const fh = await open(path, 'r');
  try {
    const { size } = await fh.stat();
    const buf = Buffer.allocUnsafe(size);
    let filled = 0;
    while (filled < size) {
      const { bytesRead } = await fh.read(buf, filled, size - filled, filled);
      if (bytesRead === 0) break; // truncated while reading
      filled += bytesRead;
    }
    return filled === size ? buf : buf.subarray(0, filled);
  } finally {
    await fh.close();
  }
}
