// Copies the agent database's WAL into its file on a thread of its own. SQLite otherwise runs that copy
// (and, with synchronous FULL, an fsync of the database file) inside whichever commit takes the WAL past
// its 4 MiB mark: on the event loop, about once a second at 10k predictions/s, 5–10 ms each time, in an
// acknowledgement's commit or a consumer's checkpoint.
//
// The thread runs a PASSIVE checkpoint every interval: it copies what the writers have committed without
// waiting for them or blocking them. But a WAL starts again from its beginning only when a writer begins
// a transaction with every page copied, which a steady writer on another thread rarely lets happen; so
// once the WAL is past a mark, the event loop runs a checkpoint itself, right after one of the thread's:
// it copies only the pages committed since (milliseconds' worth), and its next write restarts the WAL.
// SQLite's automatic checkpoint stays on as a fallback at a larger mark, for a thread that has stopped;
// a stopped thread is started again after a delay that doubles while it keeps stopping.
import { Worker } from 'node:worker_threads';
import { threadModule } from '../pipeline/thread-module.js';
import type { Logger } from '../telemetry/logger.js';
import { ThreadBusyTime } from '../telemetry/thread-busy.js';
import type { Db } from './database.js';
import { fitWalToDisk } from './wal-fit.js';

/** How often the thread copies the WAL: about what SQLite's 4 MiB mark gave at 10k predictions/s. */
const INTERVAL_MS = 500;
/** The WAL's length (4 KiB pages) past which the event loop lets it restart: 16 MiB. */
const RESTART_PAGES = 4096;
/** SQLite's automatic checkpoint on the event loop, the fallback: 64 MiB (less on a small disk: wal-fit.ts). */
const FALLBACK_PAGES = 16384;
/** A thread that stopped is started again after this long, doubled at each stop in a row up to a minute. */
const RESTART_DELAY_MS = 1000;
const MAX_RESTART_DELAY_MS = 60_000;
/** A thread that ran this long before it stopped is started again after the first delay, not a longer one. */
const HEALTHY_AFTER_MS = 60_000;

export interface CheckpointerOptions {
  intervalMs?: number;
  restartDelayMs?: number;
  healthyAfterMs?: number;
}

export interface CheckpointerData {
  path: string;
  sync: 'normal' | 'full';
  intervalMs: number;
}

export type CheckpointReport = { ok: true; walPages: number; copiedPages: number } | { ok: false; error: string };

export class WalCheckpointer {
  private worker?: Worker;
  private closed = false;
  private failing = false;
  private restartPages = RESTART_PAGES;
  /** Across the threads started so far. */
  private readonly busy = new ThreadBusyTime();
  private restartDelayMs: number;
  private respawn?: NodeJS.Timeout;
  private startedAt = 0;
  /** Threads started again after one stopped. */
  respawns = 0;
  /** The thread's checkpoints, and the WAL's length and the pages not yet copied after the last one. */
  checkpoints = 0;
  walPages = 0;
  behindPages = 0;
  /** Checkpoints the event loop ran to let the WAL restart. */
  restarts = 0;

  /** Starts the thread for a database on disk (an in-memory one has no WAL); undefined otherwise. */
  static start(db: Db, sync: 'normal' | 'full', logger: Logger, opts: CheckpointerOptions = {}): WalCheckpointer | undefined {
    if (db.memory) return undefined;
    const data = { path: db.name, sync, intervalMs: opts.intervalMs ?? INTERVAL_MS };
    const c = new WalCheckpointer(db, data, logger, opts.restartDelayMs ?? RESTART_DELAY_MS, opts.healthyAfterMs ?? HEALTHY_AFTER_MS);
    c.fit();
    c.spawn();
    return c;
  }

  private constructor(
    private readonly db: Db,
    private readonly data: CheckpointerData,
    private readonly logger: Logger,
    private readonly firstRestartDelayMs: number,
    private readonly healthyAfterMs: number,
  ) {
    this.restartDelayMs = firstRestartDelayMs;
  }

  /** The marks again from the disk's free space: call it about once a second. */
  fit(): void {
    const fallback = fitWalToDisk(this.db, FALLBACK_PAGES);
    this.restartPages = Math.min(RESTART_PAGES, Math.floor(fallback / 2));
  }

  /** Seconds the thread spent running (for modelwatch_event_loop_busy_seconds_total). */
  busySeconds(): number {
    return this.busy.read(this.worker);
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.respawn);
    this.busy.ended(this.worker);
    const w = this.worker;
    this.worker = undefined;
    if (w) await w.terminate();
  }

  private spawn(): void {
    const worker = new Worker(threadModule(import.meta.url, 'wal-checkpointer-thread'), {
      workerData: this.data,
      // It allocates almost nothing: a small heap.
      resourceLimits: { maxYoungGenerationSizeMb: 1, maxOldGenerationSizeMb: 16 },
    });
    worker.unref();
    worker.on('message', (r: CheckpointReport) => this.report(r));
    worker.on('error', (err) => this.stopped(worker, err.message));
    worker.on('exit', (code) => this.stopped(worker, `exited with code ${code}`));
    this.worker = worker;
    this.startedAt = Date.now();
  }

  /** The thread died (an error, or it exited): SQLite's own checkpoint covers the WAL until it is back. */
  private stopped(worker: Worker, why: string): void {
    if (this.worker !== worker || this.closed) return;
    this.busy.ended(worker);
    this.worker = undefined;
    // The delay doubles only while threads keep stopping soon after they start: one good checkpoint
    // between two stops is not enough to start again from the first delay.
    if (Date.now() - this.startedAt >= this.healthyAfterMs) this.restartDelayMs = this.firstRestartDelayMs;
    this.logger.error({ err: why, restartInMs: this.restartDelayMs }, 'the WAL checkpoint thread stopped; SQLite checkpoints on the event loop until it is started again');
    this.respawn = setTimeout(() => {
      if (this.closed) return;
      this.respawns++;
      this.spawn();
    }, this.restartDelayMs);
    this.respawn.unref();
    this.restartDelayMs = Math.min(this.restartDelayMs * 2, MAX_RESTART_DELAY_MS);
  }

  private report(r: CheckpointReport): void {
    if (!r.ok) {
      // A full disk, say: the fallback checkpoint still runs; say so once per outage.
      if (!this.failing) this.logger.warn({ err: r.error }, 'WAL checkpoint failed; will retry');
      this.failing = true;
      return;
    }
    if (this.failing) this.logger.info('WAL checkpoints work again');
    this.failing = false;
    this.checkpoints++;
    this.walPages = r.walPages;
    this.behindPages = r.walPages - r.copiedPages;
    if (r.walPages >= this.restartPages) this.restart();
  }

  private restart(): void {
    try {
      this.db.pragma('wal_checkpoint(PASSIVE)');
      this.restarts++;
    } catch (err) {
      // The next report tries again; the fallback mark bounds the WAL meanwhile.
      this.logger.debug({ err: (err as Error).message }, 'WAL restart checkpoint failed');
    }
  }
}
