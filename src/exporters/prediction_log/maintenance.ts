// Retention and archiving of the prediction log, on a timer (hourly by default) with the component's
// clock, so tests can move time. Whole UTC days whose end is older than archive_after are archived
// (archive.ts); then rows older than retention are deleted — never a row of a day not yet archived.
import type { Clock } from '../../pipeline/component.js';
import type { Logger } from '../../telemetry/logger.js';
import { archiveDay, DAY_MS } from './archive.js';
import type { LogDriver } from './driver.js';

export interface MaintenanceOptions {
  table: string;
  /** 0: keep rows forever. */
  retentionMs: number;
  /** 0: no archive. */
  archiveAfterMs: number;
  archiveDir: string;
  intervalMs: number;
  clock: Clock;
  logger: Logger;
}

export interface MaintenanceResult {
  /** Days (YYYY-MM-DD) archived in this run, and their row counts. */
  archived: { day: string; rows: number }[];
  deleted: number;
}

const EPOCH_ISO = new Date(-62135596800000).toISOString();
const startOfDay = (ms: number): number => Math.floor(ms / DAY_MS) * DAY_MS;

export class Maintenance {
  private timer?: NodeJS.Timeout;
  private running?: Promise<unknown>;

  constructor(
    private readonly driver: LogDriver,
    private readonly opts: MaintenanceOptions,
  ) {}

  start(): void {
    // A first run soon after start, then on the interval.
    setTimeout(() => void this.runGuarded(), 1_000).unref();
    this.timer = setInterval(() => void this.runGuarded(), this.opts.intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.running?.catch(() => undefined);
  }

  /**
   * Runs `work` when no maintenance run is in progress and holds runs back until it ends, so a
   * data-subject deletion never races an archive file being written.
   */
  async exclusive<T>(work: () => Promise<T>): Promise<T> {
    while (this.running) await this.running.catch(() => undefined);
    const done = work();
    this.running = done.catch(() => undefined).finally(() => (this.running = undefined));
    return done;
  }

  private async runGuarded(): Promise<void> {
    if (this.running) return;
    this.running = this.runOnce()
      .catch((err) => this.opts.logger.warn({ err: (err as Error).message, target: this.driver.target }, 'prediction log retention/archive failed; retrying at the next run'))
      .finally(() => (this.running = undefined));
    await this.running;
  }

  async runOnce(): Promise<MaintenanceResult> {
    const now = this.opts.clock.now();
    const result: MaintenanceResult = { archived: [], deleted: 0 };
    let deleteCutoff = this.opts.retentionMs > 0 ? now - this.opts.retentionMs : undefined;
    if (this.opts.archiveAfterMs > 0) {
      const archiveCutoff = startOfDay(now - this.opts.archiveAfterMs);
      const cutoffIso = new Date(archiveCutoff).toISOString();
      // Walk only the days that hold rows: the first row at or after the previous day's end.
      let next = await this.driver.firstTime(EPOCH_ISO, cutoffIso);
      while (next !== undefined) {
        const day = startOfDay(Date.parse(next));
        const rows = await archiveDay(this.driver, this.opts.archiveDir, this.opts.table, day);
        if (rows !== undefined) result.archived.push({ day: new Date(day).toISOString().slice(0, 10), rows });
        next = await this.driver.firstTime(new Date(day + DAY_MS).toISOString(), cutoffIso);
      }
      if (deleteCutoff !== undefined) deleteCutoff = Math.min(deleteCutoff, archiveCutoff);
    }
    if (deleteCutoff !== undefined) result.deleted = await this.driver.deleteBefore(new Date(deleteCutoff).toISOString());
    if (result.archived.length > 0 || result.deleted > 0) this.opts.logger.info({ target: this.driver.target, ...result }, 'prediction log maintenance');
    return result;
  }
}
