// Receivers hand batches here; a batch is committed to the queue before the client gets its answer.
// When the queue is full, a call is first held back (consumers may free room) and refused with a retry
// hint only when the wait runs out: the OTel JS gRPC exporter retries nothing, so holding back saves data.
import { setTimeout as sleep } from 'node:timers/promises';
import type { Queue } from '../storage/queue.js';
import type { Logger } from '../telemetry/logger.js';
import { attachBatchStages } from './batch-stages.js';
import type { Admission, AppendResult, IntakeSink } from './component.js';
import { processMemory, type MemoryProbe } from './memory.js';
import type { WireRecord } from './records.js';

export interface IntakeOptions {
  backpressureWaitMs: number;
  /** Applied before anything is stored (privacy: mask and hash features and tags). */
  transform?: (records: readonly WireRecord[]) => readonly WireRecord[];
  /** Resident memory above which requests are held back, then refused (0: no limit). */
  maxMemoryBytes: number;
  /** Resident memory now, and a collection to run before refusing for memory (injectable for tests). */
  memory?: MemoryProbe;
  /** Called after each commit, so consumers wake at once. */
  onAppend: () => void;
  logger: Logger;
}

/**
 * How much memory a request takes while it is read, decoded and queued, per byte on the wire: the body,
 * its text, the decoded records and their serialized copy (measured with 3 MiB OTLP/JSON requests: ~8).
 */
const DECODE_EXPANSION = 8;
const MEMORY_HEADROOM = 0.95;

export class QueueIntake {
  private lastFullLog = 0;
  private writeFailing = false;
  private pending: { receiver: string; items: number; payload: Buffer; records: readonly WireRecord[]; resolve: (r: AppendResult) => void }[] = [];
  private pendingBytes = 0;
  private flushScheduled = false;
  constructor(private readonly queue: Queue, private readonly opts: IntakeOptions) {}

  /** The sink one receiver writes through; rows are tagged with the receiver id for pipeline routing. */
  sinkFor(receiverId: string): IntakeSink {
    return { append: (records, items) => this.append(receiverId, records, items), admit: (bytes) => this.admit(bytes) };
  }

  private lastMemoryLog = 0;
  private memory?: MemoryProbe;
  /** Memory promised to requests admitted and not yet answered: what they will take while decoded. */
  private inflightBytes = 0;

  private async admit(requestBytes: number): Promise<Admission> {
    const memory = (this.memory ??= this.opts.memory ?? processMemory());
    // 5% headroom: allocation between two checks (consumers, exporters, timers) is not accounted for.
    const limit = this.opts.maxMemoryBytes * MEMORY_HEADROOM;
    // A decoded request takes several times its wire size (objects, the serialized copy).
    const cost = requestBytes * DECODE_EXPANSION;
    const overMemory = () => {
      if (limit <= 0 || memory.rss() + this.inflightBytes + cost <= limit) return false;
      // Garbage first: only what a collection cannot free is a reason to refuse.
      return !memory.collect() || memory.rss() + this.inflightBytes + cost > limit;
    };
    // The wire size stands in for the stored size, which is known only after decoding.
    const noRoom = () => this.queue.usedBytes + this.pendingBytes + requestBytes > this.queue.capacityBytes;
    const grant = (): Admission => {
      this.inflightBytes += cost;
      let released = false;
      return {
        ok: true,
        release: () => {
          if (released) return;
          released = true;
          this.inflightBytes -= cost;
        },
      };
    };
    const deadline = Date.now() + this.opts.backpressureWaitMs;
    // The refusal names what the last check found short: checking memory again after it (a collection
    // may have run meanwhile) once turned a refusal for memory into a "queue full" 429.
    let memoryShort: boolean;
    for (;;) {
      memoryShort = overMemory();
      if (!memoryShort && !noRoom()) return grant();
      if (Date.now() >= deadline) break;
      await sleep(25);
    }
    if (memoryShort) {
      if (Date.now() - this.lastMemoryLog > 10_000) {
        this.lastMemoryLog = Date.now();
        this.opts.logger.warn({ rssBytes: memory.rss(), limitBytes: this.opts.maxMemoryBytes }, 'over the memory limit (limits.memory): refusing data with a retryable status');
      }
      return { ok: false, reason: 'memory_limit', retryAfterMs: 2000, message: 'modelwatch is over its memory limit; retry later' };
    }
    return { ok: false, reason: 'queue_full', retryAfterMs: 5000, message: 'modelwatch queue is full; retry later' };
  }

  private async append(receiver: string, raw: readonly WireRecord[], items: number): Promise<AppendResult> {
    if (raw.length === 0) return { ok: true };
    const joined = attachBatchStages(raw);
    const records = this.opts.transform ? this.opts.transform(joined) : joined;
    const payload = this.queue.encode(records);
    if (payload.length > this.queue.capacityBytes) {
      return { ok: false, reason: 'queue_full', retryAfterMs: 0, message: 'batch larger than the whole queue capacity (storage.max_bytes)' };
    }
    const deadline = Date.now() + this.opts.backpressureWaitMs;
    // Room counts batches already waiting for the group commit.
    while (!this.queue.hasRoomFor(this.pendingBytes + payload.length)) {
      if (Date.now() >= deadline) {
        const now = Date.now();
        if (now - this.lastFullLog > 10_000) {
          this.lastFullLog = now;
          this.opts.logger.warn({ usedBytes: this.queue.usedBytes, capacityBytes: this.queue.capacityBytes }, 'queue full: refusing data with a retryable status until consumers catch up');
        }
        return { ok: false, reason: 'queue_full', retryAfterMs: 5000, message: 'modelwatch queue is full; retry later' };
      }
      await sleep(25);
    }
    return this.commit(receiver, items, payload, records);
  }

  /**
   * Group commit: appends that arrive while the event loop is busy (most of all while the previous
   * commit waits for fsync) are written in one transaction, so one fsync acknowledges many Export calls.
   */
  private commit(receiver: string, items: number, payload: Buffer, records: readonly WireRecord[]): Promise<AppendResult> {
    return new Promise((resolve) => {
      this.pending.push({ receiver, items, payload, records, resolve });
      this.pendingBytes += payload.length;
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  private flush(): void {
    const batch = this.pending;
    this.pending = [];
    this.pendingBytes = 0;
    this.flushScheduled = false;
    let result: AppendResult = { ok: true };
    try {
      this.queue.appendMany(batch);
    } catch (err) {
      // Once per failure streak (a full disk fails every commit): one clear line, not one per request.
      if (!this.writeFailing) this.opts.logger.error({ err: (err as Error).message, code: (err as { code?: string }).code }, 'cannot write to the queue: refusing data with a retryable status');
      this.writeFailing = true;
      result = { ok: false, reason: 'storage_error', retryAfterMs: 5000, message: `storage error: ${(err as Error).message}` };
    }
    if (result.ok && this.writeFailing) {
      this.writeFailing = false;
      this.opts.logger.info('queue writable again');
    }
    for (const p of batch) p.resolve(result);
    // Wake the consumers on the next turn of the event loop: woken now, their continuation would run in
    // the same microtask queue as the acknowledgements, and a whole batch of processing (~10 ms at 512
    // records) would go before the answers (measured: 9 ms of every ack at 10k spans/s).
    if (result.ok) setImmediate(() => this.opts.onAppend());
  }
}
