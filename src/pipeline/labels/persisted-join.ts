// A label join whose predictions awaiting labels live in a table: the in-memory join, its table, and the
// write-behind between them. Restore, persist and the retry of a rolled-back checkpoint are written once
// here; shared-join.ts lets the quality processors of one chain use a single instance.
import type { Db } from '../../storage/database.js';
import type { ConsumerRecord } from '../records.js';
import { joinOptions, type LabelJoinConfig } from './config.js';
import { feedJoin } from './feed.js';
import { LabelJoin, type LabelJoinEvents, type LabelJoinState } from './join.js';
import { PendingChunk, PendingPredictionTable } from './pending-table.js';

export class PersistedLabelJoin {
  private readonly join: LabelJoin;
  private readonly table: PendingPredictionTable;
  /**
   * Until a checkpoint commits, persist() replaces this owner's rows with everything held: before restore()
   * no checkpoint accounts for the rows there (a renamed pipeline's), and after the join lost count of its
   * changes (checkpoints failing for long) the table is behind. Cleared by restore() and persisted().
   */
  private rewrite = true;
  /** Rows restored from another owner id: moved to this one by the first persist() (in its transaction). */
  private adoptFrom?: string;
  /** Owner ids whose rows nobody reads any more: dropped by the first persist(). */
  private orphans: string[] = [];
  /** What persist() wrote since the last committed checkpoint: a rolled-back one is written again. */
  private unconfirmedAdded: PendingChunk[] = [];
  private unconfirmedRemoved: number[] = [];

  constructor(db: Db, readonly owner: string, config: LabelJoinConfig, events: LabelJoinEvents) {
    this.join = new LabelJoin(joinOptions(config), events);
    this.table = new PendingPredictionTable(db, owner);
  }

  /** Hot path: predictions and labels of a batch, no I/O. */
  feed(batch: readonly ConsumerRecord[], at: number): void {
    feedJoin(this.join, batch, at);
  }

  snapshot(): LabelJoinState {
    return this.join.toJSON();
  }

  /**
   * The pending predictions from the table (as written under `from`, by default this owner), then the rest
   * of the join from the checkpoint (if any). Rows of `orphans` are dropped at the next persist().
   */
  restore(state: LabelJoinState | undefined, from = this.owner, orphans: readonly string[] = []): void {
    this.rewrite = false;
    this.join.loadPending(this.table.load(from));
    if (from !== this.owner) this.adoptFrom = from;
    this.orphans = orphans.filter((o) => o !== this.owner && o !== from);
    if (state) this.join.restore(state);
  }

  /** In the checkpoint transaction. Kept until persisted(): a rolled-back checkpoint is written again next time. */
  persist(): void {
    if (this.adoptFrom !== undefined) this.table.adopt(this.adoptFrom);
    for (const o of this.orphans) this.table.clear(o);
    const added = this.join.takeAdded();
    const removed = this.join.takeRemoved();
    if (added !== undefined) {
      this.unconfirmedAdded.push(added);
      this.unconfirmedRemoved.push(...removed);
    }
    // Checkpoints failing for long: the changes kept outnumber the predictions held, and rewriting those is smaller.
    if (added === undefined || this.unconfirmedRemoved.length + this.unconfirmedAdded.reduce((n, c) => n + c.size, 0) > this.join.pendingPredictions) this.rewrite = true;
    if (this.rewrite) {
      this.unconfirmedAdded = [];
      this.unconfirmedRemoved = [];
      const all = new PendingChunk();
      this.join.eachPendingFrom(0, (seq, id, model, version, cls, at) => all.add(seq, id, model, version, cls, at));
      this.table.clear();
      this.table.write([all], [], this.join.lowSeq);
      return;
    }
    this.table.write(this.unconfirmedAdded, this.unconfirmedRemoved, this.join.lowSeq);
  }

  persisted(): void {
    this.rewrite = false;
    this.unconfirmedAdded = [];
    this.unconfirmedRemoved = [];
    this.adoptFrom = undefined;
    this.orphans = [];
  }

  release(): void {
    this.table.release();
  }
}
