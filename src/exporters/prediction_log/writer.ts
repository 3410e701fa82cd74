// Turns batches of records into upserts through a driver: maps and collapses records to one patch per
// prediction id, refuses (logs, never retries) records the store can never take, and tells apart a
// store that is down (throw: the pipeline offers the batch again) from rows it rejects (isolate them by
// bisection, refuse those, write the rest). The outage is logged once when it starts and once when it ends.
import type { Logger } from '../../telemetry/logger.js';
import type { ConsumerRecord } from '../../pipeline/records.js';
import type { LogDriver } from './driver.js';
import { collapse, toRow, type Clean, type LogRow, type Refusal } from './row.js';

export interface WriterOptions {
  maxRows: number;
  logger: Logger;
  /** String cleaning the store needs (see row.ts). */
  clean?: Clean;
  onRefused?(n: number): void;
}

export class PredictionLogWriter {
  private storeDown = false;

  constructor(
    readonly driver: LogDriver,
    private readonly opts: WriterOptions,
  ) {}

  get healthy(): boolean {
    return !this.storeDown;
  }

  async write(batch: readonly ConsumerRecord[]): Promise<void> {
    const rows: LogRow[] = [];
    const refused: Refusal[] = [];
    for (const rec of batch) {
      const m = toRow(rec, this.opts.clean);
      if ('row' in m) rows.push(m.row);
      else refused.push(m.refused);
    }
    try {
      await this.writeIsolating(collapse(rows), refused);
    } catch (err) {
      if (!this.storeDown) {
        this.storeDown = true;
        this.opts.logger.error({ target: this.driver.target, err: (err as Error).message }, 'prediction log store failing; records stay in the queue and are retried');
      }
      throw err;
    }
    if (this.storeDown) {
      this.storeDown = false;
      this.opts.logger.info({ target: this.driver.target }, 'prediction log store is writable again');
    }
    this.report(refused);
  }

  private async writeIsolating(rows: LogRow[], refused: Refusal[]): Promise<void> {
    if (rows.length === 0) return;
    try {
      await this.driver.write(rows, this.opts.maxRows);
    } catch (err) {
      if (!this.driver.isDataError(err)) throw err;
      if (rows.length === 1) {
        refused.push({ id: rows[0].prediction_id.slice(0, 100), reason: `rejected by the store: ${(err as Error).message}` });
        return;
      }
      const half = rows.length >> 1;
      await this.writeIsolating(rows.slice(0, half), refused);
      await this.writeIsolating(rows.slice(half), refused);
    }
  }

  private report(refused: Refusal[]): void {
    if (refused.length === 0) return;
    this.opts.onRefused?.(refused.length);
    const byReason = new Map<string, string[]>();
    for (const r of refused) {
      const ids = byReason.get(r.reason) ?? [];
      ids.push(r.id);
      byReason.set(r.reason, ids);
    }
    for (const [reason, ids] of byReason) {
      this.opts.logger.warn({ target: this.driver.target, reason, count: ids.length, examples: ids.slice(0, 3) }, 'records refused by the prediction log');
    }
  }
}
