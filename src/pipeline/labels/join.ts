// The join of ground truth to predictions by prediction id, shared by the quality processors (window,
// concept_drift): one per processor chain and label settings (shared-join.ts), so neither depends on the
// other being configured.
// Pure and in memory (consume() does no I/O). What must outlive a restart is handed over two ways:
// toJSON() for the small parts (early labels, recently joined ids) that go into the processor snapshot,
// and, for the pending predictions, which are many, `takeChanges()` (those added since, already in the
// table's chunk format, and tombstones for those removed): they live in a table (see pending-table.ts),
// written only in the checkpoint transaction, a chunk at a time.
//
// Time is the queue's receive time (`at`), never the wall clock, so a replay after a crash expires and
// evicts exactly what the uninterrupted run did. Ages are kept in insertion order, which is
// age order because `at` only grows along the queue.

import { FifoMap } from '../fifo-map.js';
import { PendingStore } from './pending-store.js';
import { ChangesSinceTake, type TakenChanges } from '../unconfirmed-changes.js';
import { PendingChunk } from './pending-table.js';

/** A prediction that can still receive its label. */
export interface PendingPrediction {
  id: string;
  modelName: string;
  modelVersion: string;
  predictedClass: string;
  /** Queue time the prediction arrived (ms). */
  atMs: number;
  /** Insertion order, kept so a reload from the table restores the exact age order. */
  seq: number;
}

/** A label that came before its prediction. */
export interface EarlyLabel {
  id: string;
  actualClass: string;
  modelName?: string;
  atMs: number;
}

/** A prediction joined to its ground truth: what the quality processors consume. */
export interface LabelledPrediction {
  predictionId: string;
  modelName: string;
  modelVersion: string;
  predictedClass: string;
  actualClass: string;
}

export type UnmatchedReason = 'expired' | 'evicted';

export interface LabelJoinOptions {
  /** Predictions awaiting a label, at most. The oldest goes first. */
  maxPendingPredictions: number;
  /** A prediction waits this long (ms of queue time) for its label. */
  predictionTtlMs: number;
  /** Labels awaiting their prediction, at most. */
  maxPendingLabels: number;
  labelTtlMs: number;
  /** Ids joined lately, remembered so a label delivered twice (at-least-once sources) is not "unmatched". */
  rememberJoined: number;
}

export interface LabelJoinEvents {
  labelled(l: LabelledPrediction): void;
  unmatched(modelName: string, reason: UnmatchedReason): void;
}

export interface LabelJoinState {
  version: 1;
  nextSeq: number;
  early: EarlyLabel[];
  joined: string[];
}

export class LabelJoin {
  private readonly pending: PendingStore;
  private readonly early = new FifoMap<string, EarlyLabel>();
  private readonly joined = new FifoMap<string, true>();
  /**
   * Pending predictions added since the last takeChanges(), appended as they come (built at the checkpoint,
   * the chunk of ~10k predictions a second held the event loop ~2 ms more), and those removed from the
   * middle (a label came, the id came again): tombstones for the table.
   */
  private readonly changes: ChangesSinceTake<PendingChunk>;
  private nextSeq = 0;

  constructor(private readonly opts: LabelJoinOptions, private readonly events: LabelJoinEvents) {
    this.pending = new PendingStore(opts.maxPendingPredictions);
    this.changes = new ChangesSinceTake(() => new PendingChunk(), opts.maxPendingPredictions);
  }

  get pendingPredictions(): number {
    return this.pending.size;
  }
  get pendingLabels(): number {
    return this.early.size;
  }
  /** The oldest pending prediction's seq, or the next seq when none waits: everything below it is gone. */
  get lowSeq(): number {
    return this.pending.oldestSeq() ?? this.nextSeq;
  }

  /** A classification prediction: labelled at once, joined to an early label, or left waiting. */
  prediction(p: { id: string; modelName: string; modelVersion: string; predictedClass: string; groundTruthClass?: string }, at: number): void {
    this.expire(at);
    if (p.groundTruthClass !== undefined) {
      this.emit(p.id, p.modelName, p.modelVersion, p.predictedClass, p.groundTruthClass);
      return;
    }
    const label = this.early.get(p.id);
    if (label !== undefined) {
      this.early.delete(p.id);
      this.emit(p.id, p.modelName, p.modelVersion, p.predictedClass, label.actualClass);
      return;
    }
    // The same id again (a retried send): the newer prediction waits, at the young end.
    this.removePending(p.id);
    const entry: PendingPrediction = { id: p.id, modelName: p.modelName, modelVersion: p.modelVersion, predictedClass: p.predictedClass, atMs: at, seq: this.nextSeq++ };
    this.pending.addPrediction(entry);
    this.changes.chunk?.add(entry.seq, p.id, p.modelName, p.modelVersion, p.predictedClass, at);
    this.changes.appended();
    while (this.pending.size > this.opts.maxPendingPredictions) this.pending.dropOldest();
  }

  /** Ground truth that came later (feedback span, log record, SQL row). */
  label(f: { predictionId: string; actualClass: string; modelName?: string }, at: number): void {
    this.expire(at);
    const p = this.pending.get(f.predictionId);
    if (p !== undefined) {
      this.removePending(p.id);
      this.emit(p.id, p.modelName, p.modelVersion, p.predictedClass, f.actualClass);
      return;
    }
    if (this.joined.has(f.predictionId)) return; // delivered twice: already counted
    this.early.delete(f.predictionId);
    this.early.set(f.predictionId, { id: f.predictionId, actualClass: f.actualClass, modelName: f.modelName, atMs: at });
    while (this.early.size > this.opts.maxPendingLabels) {
      const oldest = this.early.shift()!;
      this.events.unmatched(oldest.modelName ?? '', 'evicted');
    }
  }

  /** Drops predictions and labels that waited too long (called on every record; also callable alone). */
  expire(at: number): void {
    for (let t = this.pending.oldestAtMs(); t !== undefined && t + this.opts.predictionTtlMs <= at; t = this.pending.oldestAtMs()) {
      this.pending.dropOldest();
    }
    for (let l = this.early.oldest(); l !== undefined && l.atMs + this.opts.labelTtlMs <= at; l = this.early.oldest()) {
      this.early.shift();
      this.events.unmatched(l.modelName ?? '', 'expired');
    }
  }

  /**
   * The predictions added (oldest first, as a chunk for the table) and removed since the last call;
   * undefined when they were too many to keep (then the table is rewritten from `eachPendingFrom(0, ...)`).
   */
  takeChanges(): TakenChanges<PendingChunk> | undefined {
    return this.changes.take();
  }

  /** The next prediction's seq: everything held is below it. */
  get seqEnd(): number {
    return this.nextSeq;
  }

  /** Calls `fn` for each pending prediction with seq ≥ fromSeq, oldest first. */
  eachPendingFrom(fromSeq: number, fn: Parameters<PendingStore['eachFrom']>[1]): void {
    this.pending.eachFrom(fromSeq, fn);
  }

  /** Loads the pending predictions read back from the table, oldest first (seq order). */
  loadPending(rows: Iterable<PendingPrediction>): void {
    this.pending.clear();
    // They come from the table: nothing to write back.
    this.changes.reset();
    const sorted = [...rows].sort((a, b) => a.seq - b.seq);
    for (const r of sorted) this.pending.addPrediction(r);
    if (sorted.length > 0) this.nextSeq = Math.max(this.nextSeq, sorted[sorted.length - 1].seq + 1);
  }

  toJSON(): LabelJoinState {
    return { version: 1, nextSeq: this.nextSeq, early: [...this.early.values()], joined: [...this.joined.keys()] };
  }

  restore(state: LabelJoinState): void {
    if (state?.version !== 1) throw new TypeError('not a LabelJoin state (version 1)');
    this.nextSeq = state.nextSeq;
    this.early.clear();
    for (const l of state.early) this.early.set(l.id, l);
    this.joined.clear();
    for (const id of state.joined) this.joined.set(id, true);
    this.changes.reset();
  }

  private removePending(id: string): void {
    const e = this.pending.get(id);
    if (e === undefined) return;
    this.pending.delete(id);
    this.changes.removedSeq(e.seq);
  }

  private emit(id: string, modelName: string, modelVersion: string, predictedClass: string, actualClass: string): void {
    if (this.opts.rememberJoined > 0) {
      this.joined.delete(id);
      this.joined.set(id, true);
      if (this.joined.size > this.opts.rememberJoined) this.joined.shift();
    }
    this.events.labelled({ predictionId: id, modelName, modelVersion, predictedClass, actualClass });
  }
}
