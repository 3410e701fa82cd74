// Reading and rewriting archive files (layout in archive.ts) row by row, for data-subject requests:
// an export reads every archived row of a subject, a deletion rewrites just the files that hold one.
// A rewrite goes to a temporary file renamed over the original, so a file is always whole; it keeps
// every other line byte for byte.
import { createReadStream, createWriteStream, existsSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip, createGzip } from 'node:zlib';

/** A JSON Lines row of an archive, parsed. */
export type ArchivedRow = Record<string, unknown> & { prediction_id: string };

/** Decides on a row; `hint` is a string every matching line contains, to skip parsing the others. */
export interface RowMatch {
  hint?: string;
  test(row: ArchivedRow): boolean;
}

/** The archive files of a table, oldest day first (temporary files of unfinished writes left out). */
export function archiveFiles(dir: string, table: string): string[] {
  const root = join(dir, table);
  if (!existsSync(root)) return [];
  const files: string[] = [];
  const digits = (n: number) => new RegExp(`^\\d{${n}}$`);
  for (const y of readdirSync(root).filter((e) => digits(4).test(e)).sort()) {
    for (const m of readdirSync(join(root, y)).filter((e) => digits(2).test(e)).sort()) {
      for (const d of readdirSync(join(root, y, m)).filter((e) => /^\d{2}\.jsonl\.gz$/.test(e)).sort()) files.push(join(root, y, m, d));
    }
  }
  return files;
}

async function* lines(file: string): AsyncGenerator<string> {
  const rl = createInterface({ input: createReadStream(file).pipe(createGunzip()), crlfDelay: Infinity });
  for await (const line of rl) if (line !== '') yield line;
}

function matches(line: string, m: RowMatch): boolean {
  return (m.hint === undefined || line.includes(m.hint)) && m.test(JSON.parse(line) as ArchivedRow);
}

/** Every archived row that matches, file by file. */
export async function* matchingArchivedRows(dir: string, table: string, m: RowMatch): AsyncGenerator<ArchivedRow> {
  for (const file of archiveFiles(dir, table)) {
    for await (const line of lines(file)) if (matches(line, m)) yield JSON.parse(line) as ArchivedRow;
  }
}

/** Removes the matching rows from every archive file of the table; files and rows rewritten. */
export async function removeArchivedRows(dir: string, table: string, m: RowMatch): Promise<{ files: number; rows: number }> {
  const out = { files: 0, rows: 0 };
  for (const file of archiveFiles(dir, table)) {
    // A first read decides; only files holding a match are written again.
    let found = false;
    for await (const line of lines(file)) {
      if (matches(line, m)) {
        found = true;
        break;
      }
    }
    if (!found) continue;
    let removed = 0;
    async function* kept(): AsyncGenerator<string> {
      for await (const line of lines(file)) {
        if (matches(line, m)) removed++;
        else yield `${line}\n`;
      }
    }
    const tmp = `${file}.tmp-${process.pid}`;
    try {
      await pipeline(Readable.from(kept()), createGzip(), createWriteStream(tmp));
      renameSync(tmp, file);
    } catch (err) {
      rmSync(tmp, { force: true });
      throw err;
    }
    out.files++;
    out.rows += removed;
  }
  return out;
}
