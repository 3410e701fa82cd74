// Archive files of the prediction log.
//
// Layout: <archive_dir>/<table>/YYYY/MM/DD.jsonl.gz — one file per UTC day of prediction time, gzip-
// compressed JSON Lines, one row per line ordered by (time, prediction_id), with the log's column names;
// JSON columns are nested objects, times ISO-8601 UTC, non-finite numbers the strings "NaN", "Infinity",
// "-Infinity". A file is written once, to a temporary name then renamed, so an existing file is always
// complete and marks its day as archived. It is a snapshot: labels or predictions that reach the log for
// an archived day afterwards are in the database only (until retention deletes them).
// A data-subject deletion rewrites the files holding the subject's rows (archive-rows.ts), same way.
import { createWriteStream, existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import type { LogDriver } from './driver.js';
import { toJson } from './row.js';

export const DAY_MS = 86_400_000;
const PAGE_ROWS = 5_000;

export function archivePath(dir: string, table: string, dayStartMs: number): string {
  const [y, m, d] = new Date(dayStartMs).toISOString().slice(0, 10).split('-');
  return join(dir, table, y, m, `${d}.jsonl.gz`);
}

/** Writes the file of the day starting at dayStartMs unless it exists; the number of rows written. */
export async function archiveDay(driver: LogDriver, dir: string, table: string, dayStartMs: number): Promise<number | undefined> {
  const file = archivePath(dir, table, dayStartMs);
  if (existsSync(file)) return undefined;
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.tmp-${process.pid}`;
  const from = new Date(dayStartMs).toISOString();
  const to = new Date(dayStartMs + DAY_MS).toISOString();
  let rows = 0;
  async function* lines(): AsyncGenerator<string> {
    let after: { time: string; id: string } | undefined;
    for (;;) {
      const page = await driver.page(from, to, after, PAGE_ROWS);
      for (const r of page) yield toJson(r, (s) => s) + '\n';
      rows += page.length;
      if (page.length < PAGE_ROWS) return;
      const last = page[page.length - 1];
      after = { time: last.time!, id: last.prediction_id };
    }
  }
  try {
    await pipeline(lines, createGzip(), createWriteStream(tmp));
    renameSync(tmp, file);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
  return rows;
}
