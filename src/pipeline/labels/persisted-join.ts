// A label join whose predictions awaiting labels live in a table of the processor's own: the in-memory
// join, its table, and the write-behind between them. Both the window and the concept_drift processor
// use it, so restore, persist and the retry of a rolled-back checkpoint are written once.
import type { Db } from '../../storage/database.js';
import type { ConsumerRecord } from '../records.js';
import { joinOptions, type LabelJoinConfig } from './config.js';
import { feedJoin } from './feed.js';
import { LabelJoin, type LabelJoinEvents, type LabelJoinState, type PendingChanges } from './join.js';
import { PendingPredictionTable } from './pending-table.js';

export class PersistedLabelJoin {
  private readonly join: LabelJoin;
  private readonly table: PendingPredictionTable;
  /** False until restore(): the first persist() then clears rows no checkpoint accounts for. */
  private restored = false;
  /** What the last persist() wrote, until its checkpoint commits (persisted()). */
  private unconfirmed?: PendingChanges;

  constructor(db: Db, componentId: string, config: LabelJoinConfig, events: LabelJoinEvents) {
    this.join = new LabelJoin(joinOptions(config), events);
    this.table = new PendingPredictionTable(db, componentId);
  }

  /** Hot path: predictions and labels of a batch, no I/O. */
  feed(batch: readonly ConsumerRecord[], at: number): void {
    feedJoin(this.join, batch, at);
  }

  snapshot(): LabelJoinState {
    return this.join.toJSON();
  }

  /** The pending predictions from the table, then the rest of the join from the checkpoint (if any). */
  restore(state: LabelJoinState | undefined): void {
    this.restored = true;
    this.join.loadPending(this.table.load());
    if (state) this.join.restore(state);
  }

  /** In the checkpoint transaction. Kept until persisted(): a rolled-back checkpoint is written again next time. */
  persist(): void {
    if (!this.restored) {
      this.table.clear();
      this.restored = true;
    }
    const taken = this.join.takeChanges();
    this.unconfirmed = this.unconfirmed ? new Map([...this.unconfirmed, ...taken]) : taken;
    this.table.apply(this.unconfirmed);
  }

  persisted(): void {
    this.unconfirmed = undefined;
  }

  release(): void {
    this.table.release();
  }
}
