// A reader of the durable queue with its own position: the processor chain of a pipeline is one, each
// record exporter is another. It assembles stage children onto predictions, delivers in queue order,
// and checkpoints its position together with the state that reflects it.
import { setTimeout as sleep } from 'node:timers/promises';
import type { Checkpoints } from '../storage/checkpoints.js';
import type { Queue } from '../storage/queue.js';
import type { Logger } from '../telemetry/logger.js';
import { Assembler, type AssemblerOptions } from './assembler.js';
import type { ConsumerRecord } from './records.js';
import { RootsJournal } from './roots-journal.js';

export interface ConsumerOptions {
  name: string;
  queue: Queue;
  checkpoints: Checkpoints;
  /** Receiver ids whose rows this consumer takes; others are passed over. */
  receivers: ReadonlySet<string>;
  assembler: AssemblerOptions;
  /** Delivers one batch. Throwing means "not delivered": retried after a backoff. */
  deliver(batch: ConsumerRecord[], at: number): void | Promise<void>;
  /** State to checkpoint with the position (besides the assembler's). */
  snapshot?(): unknown;
  restore?(state: unknown): void;
  /** Writes of the consumer's own tables, run in the checkpoint's transaction. */
  persist?(): void;
  /** The checkpoint transaction committed. */
  persisted?(): void;
  checkpointIntervalMs: number;
  /** Queue rows read per delivery, at most. */
  rowsPerBatch: number;
  /**
   * Records per delivery, about: a delivery runs on the one event loop (a SQLite transaction is
   * synchronous), so a bounded batch keeps Export acknowledgements from waiting behind it.
   */
  maxRecordsPerBatch: number;
  logger: Logger;
  onDeliveryError?(err: unknown): void;
  onDelivered?(records: number): void;
  /** After the position moved past a delivered batch. */
  onAdvanced?(): void;
  /** After a checkpoint committed, with the seconds it held the event loop. */
  onCheckpoint?(seconds: number): void;
  /** Backoff between failed deliveries: doubles from min to max, and goes on forever. */
  retry?: { minMs: number; maxMs: number };
}

interface Saved {
  assembler: unknown;
  state: unknown;
}

export class QueueConsumer {
  readonly assembler: Assembler;
  position = 0;
  private running = false;
  private loop?: Promise<void>;
  private wakeUp?: () => void;
  private lastCheckpoint = 0;
  private dirty = false;
  /** Set by stop(): a consumer stuck retrying gives up its batch (it stays in the queue) and exits. */
  private stopNow = false;
  private aborted = false;
  private checkpointFailing = false;
  /** Set while deliveries fail; cleared on the next success. */
  lastError?: string;

  private readonly roots: RootsJournal;

  constructor(private readonly opts: ConsumerOptions) {
    this.assembler = new Assembler(opts.assembler);
    this.roots = new RootsJournal(opts.checkpoints.db, opts.name);
  }

  get name(): string {
    return this.opts.name;
  }

  /** What this consumer has still to process: the records, and how long the oldest of their rows has waited. */
  lag(nowMs: number): { records: number; seconds: number } {
    const backlog = this.opts.queue.backlogAfter(this.position);
    return { records: backlog.records, seconds: backlog.oldestMs === undefined ? 0 : Math.max(0, nowMs - backlog.oldestMs) / 1000 };
  }

  restoreCheckpoint(): void {
    const cp = this.opts.checkpoints.load(this.opts.name);
    if (!cp) {
      // A new consumer starts at the oldest row still held.
      this.position = 0;
      return;
    }
    this.position = cp.position;
    const saved = cp.state as Saved | undefined;
    this.roots.restore(this.assembler, saved?.assembler);
    this.opts.restore?.(saved?.state);
  }

  start(): void {
    this.running = true;
    this.loop = this.run();
  }

  wake(): void {
    this.wakeUp?.();
  }

  /** Waits until the queue head is consumed or the deadline passes; then stops and checkpoints. */
  async stop(drainMs: number): Promise<void> {
    const deadline = Date.now() + drainMs;
    while (this.running && this.position < this.opts.queue.headId && Date.now() < deadline && !this.lastError) await sleep(20);
    this.running = false;
    this.stopNow = true;
    this.wake();
    await this.loop;
    this.checkpoint();
  }

  checkpoint(): void {
    if (!this.dirty || this.aborted) return;
    const t0 = performance.now();
    const saved: Saved = { assembler: this.assembler.snapshot(), state: this.opts.snapshot?.() };
    try {
      this.opts.checkpoints.save(this.opts.name, this.position, saved, () => {
        this.roots.persist(this.assembler);
        this.opts.persist?.();
      });
    } catch (err) {
      // A full disk must not kill the agent: the transaction rolled back, the last checkpoint stands
      // (a restart replays from it), and this one is tried again at the next interval.
      this.lastCheckpoint = Date.now();
      if (!this.checkpointFailing) this.opts.logger.error({ consumer: this.opts.name, err: (err as Error).message }, 'cannot save a checkpoint; will retry');
      this.checkpointFailing = true;
      return;
    }
    this.roots.persisted();
    this.opts.persisted?.();
    if (this.checkpointFailing) this.opts.logger.info({ consumer: this.opts.name }, 'checkpoints saved again');
    this.checkpointFailing = false;
    this.lastCheckpoint = Date.now();
    this.dirty = false;
    // It blocks the event loop while it runs: worth seeing when state grows.
    const ms = performance.now() - t0;
    this.opts.onCheckpoint?.(ms / 1000);
    this.opts.logger.debug({ consumer: this.opts.name, ms: Math.round(ms) }, 'checkpoint');
  }

  private async run(): Promise<void> {
    let backoff = this.opts.retry?.minMs ?? 100;
    while (this.running) {
      const rows = this.opts.queue.read(this.position, this.opts.rowsPerBatch, this.opts.maxRecordsPerBatch);
      // Cut after the row that reaches the record bound (at least one row goes, however large).
      let records = 0;
      for (let i = 0; i < rows.length; i++) {
        records += rows[i].records.length;
        if (records >= this.opts.maxRecordsPerBatch) {
          rows.length = i + 1;
          break;
        }
      }
      if (rows.length === 0) {
        if (Date.now() - this.lastCheckpoint >= this.opts.checkpointIntervalMs) this.checkpoint();
        await new Promise<void>((resolve) => {
          this.wakeUp = resolve;
          setTimeout(resolve, 200).unref();
        });
        this.wakeUp = undefined;
        continue;
      }
      const batch: ConsumerRecord[] = [];
      let at = 0;
      for (const row of rows) {
        if (!this.opts.receivers.has(row.receiver)) continue;
        this.assembler.process(row.records, row.receivedMs, batch);
        at = row.receivedMs;
      }
      // The assembled batch is offered again until it is delivered; the position moves only then.
      while (batch.length > 0) {
        try {
          await this.opts.deliver(batch, at);
          break;
        } catch (err) {
          const first = this.lastError === undefined;
          this.lastError = (err as Error).message ?? String(err);
          this.opts.onDeliveryError?.(err);
          // Warn when an outage starts; each further retry only at debug, so a long outage does not flood the log.
          this.opts.logger[first ? 'warn' : 'debug']({ consumer: this.opts.name, err: this.lastError, retryInMs: backoff }, 'delivery failed; will retry');
          await sleep(backoff);
          backoff = Math.min(backoff * 2, this.opts.retry?.maxMs ?? 30_000);
          if (!this.running && this.stopNow) {
            // The assembler has moved past the checkpointed position: keep the last checkpoint as it is.
            this.aborted = true;
            return;
          }
        }
      }
      backoff = this.opts.retry?.minMs ?? 100;
      if (this.lastError !== undefined) this.opts.logger.info({ consumer: this.opts.name }, 'delivery recovered');
      this.lastError = undefined;
      this.opts.onDelivered?.(batch.length);
      this.position = rows[rows.length - 1].id;
      this.opts.onAdvanced?.();
      this.dirty = true;
      // Let receivers' I/O in between batches on the one event loop, and between a batch and the
      // checkpoint after it: two shorter holds of the loop instead of one long one.
      await new Promise((r) => setImmediate(r));
      if (this.running && Date.now() - this.lastCheckpoint >= this.opts.checkpointIntervalMs) this.checkpoint();
    }
  }
}
