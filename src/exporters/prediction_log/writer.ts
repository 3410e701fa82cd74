// Turns batches of records into upserts through a driver (store-batch.ts), refuses (logs, never retries)
// records the store can never take, and tells apart a store that is down (throw: the pipeline offers the
// batch again) from rows it rejects. The outage is logged once when it starts and once when it ends.
import type { Logger } from '../../telemetry/logger.js';
import type { ConsumerRecord } from '../../pipeline/records.js';
import type { LogDriver } from './driver.js';
import type { Clean, Refusal } from './row.js';
import { sampler } from './sample.js';
import { storeBatch } from './store-batch.js';

export interface WriterOptions {
  maxRows: number;
  logger: Logger;
  /** String cleaning the store needs (see row.ts). */
  clean?: Clean;
  onRefused?(n: number): void;
  /** Share of predictions to store (sample.ts); 1: all. */
  sampleRatio?: number;
}

export class PredictionLogWriter {
  private storeDown = false;
  private readonly sample;

  constructor(
    readonly driver: LogDriver,
    private readonly opts: WriterOptions,
  ) {
    this.sample = sampler(opts.sampleRatio ?? 1);
  }

  get healthy(): boolean {
    return !this.storeDown;
  }

  async write(all: readonly ConsumerRecord[]): Promise<void> {
    const batch = this.sample ? this.sample(all) : all;
    if (batch.length === 0) return;
    let refused: Refusal[];
    try {
      // A driver that stores records itself (SQLite, on its writer thread) does the mapping there too.
      refused = this.driver.storeRecords ? await this.driver.storeRecords(batch) : await storeBatch(this.driver, batch, this.opts.clean, this.opts.maxRows);
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
