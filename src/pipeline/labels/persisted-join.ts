// A label join whose predictions awaiting labels live in a table: the in-memory join, its table, and the
// write-behind between them. Restore, persist and the retry of a rolled-back checkpoint are written once
// here; shared-join.ts lets the quality processors of one chain use a single instance.
import type { Db } from '../../storage/database.js';
import type { ConsumerRecord } from '../records.js';
import { joinOptions, type LabelJoinConfig } from './config.js';
import { feedJoin } from './feed.js';
import { LabelJoin, type LabelJoinEvents, type LabelJoinState } from './join.js';
import { PendingChunk, PendingPredictionTable } from './pending-table.js';
import { UnconfirmedChanges } from '../unconfirmed-changes.js';

export class PersistedLabelJoin {
  private readonly join: LabelJoin;
  private readonly table: PendingPredictionTable;
  /** Until restore(), no checkpoint accounts for the rows under this owner (a renamed pipeline's): the
   *  first write replaces them. */
  private changes = new UnconfirmedChanges<PendingChunk>(true);
  /** Rows restored from another owner id: moved to this one by the first persist() (in its transaction). */
  private adoptFrom?: string;
  /** Owner ids whose rows nobody reads any more: dropped by the first persist(). */
  private orphans: string[] = [];

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
    this.changes = new UnconfirmedChanges(false);
    this.join.loadPending(this.table.load(from));
    if (from !== this.owner) this.adoptFrom = from;
    this.orphans = orphans.filter((o) => o !== this.owner && o !== from);
    if (state) this.join.restore(state);
  }

  /** In the checkpoint transaction. Kept until persisted(): a rolled-back checkpoint is written again next time. */
  persist(): void {
    if (this.adoptFrom !== undefined) this.table.adopt(this.adoptFrom);
    for (const o of this.orphans) this.table.clear(o);
    const write = this.changes.take(this.join.takeChanges(), this.join.pendingPredictions);
    if (write === 'rewrite') {
      const all = new PendingChunk();
      this.join.eachPendingFrom(0, (seq, id, model, version, cls, at) => all.add(seq, id, model, version, cls, at));
      this.table.clear();
      this.table.write([all], [], this.join.lowSeq);
      return;
    }
    this.table.write(write.chunks, write.removed, this.join.lowSeq);
  }

  persisted(): void {
    this.changes.confirmed();
    this.adoptFrom = undefined;
    this.orphans = [];
  }

  release(): void {
    this.table.release();
  }
}
