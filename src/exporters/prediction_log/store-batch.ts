// Records to rows to upserts, the part of writing a batch that needs no logger: map and collapse the
// records to one patch per prediction id, set aside records the store can never take, and when the store
// rejects rows (not when it is down: that throws) isolate them by bisection and write the rest. Runs in
// the exporter (writer.ts) or, for SQLite, on the writer thread (sqlite-writer-thread.ts).
import type { ConsumerRecord } from '../../pipeline/records.js';
import type { LogDriver } from './driver.js';
import { collapse, toRow, type Clean, type LogRow, type Refusal } from './row.js';

/** Writes what can be written; returns what was refused and why. Throws when the store is down. */
export async function storeBatch(driver: LogDriver, batch: readonly ConsumerRecord[], clean: Clean | undefined, maxRows: number): Promise<Refusal[]> {
  const rows: LogRow[] = [];
  const refused: Refusal[] = [];
  for (const rec of batch) {
    const m = toRow(rec, clean);
    if ('row' in m) rows.push(m.row);
    else refused.push(m.refused);
  }
  await writeIsolating(driver, collapse(rows), refused, maxRows);
  return refused;
}

async function writeIsolating(driver: LogDriver, rows: LogRow[], refused: Refusal[], maxRows: number): Promise<void> {
  if (rows.length === 0) return;
  try {
    await driver.write(rows, maxRows);
  } catch (err) {
    if (!driver.isDataError(err)) throw err;
    if (rows.length === 1) {
      refused.push({ id: rows[0].prediction_id.slice(0, 100), reason: `rejected by the store: ${(err as Error).message}` });
      return;
    }
    const half = rows.length >> 1;
    await writeIsolating(driver, rows.slice(0, half), refused, maxRows);
    await writeIsolating(driver, rows.slice(half), refused, maxRows);
  }
}
