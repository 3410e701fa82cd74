// One label join per processor chain and label settings. The window and concept_drift processors read
// the same predictions and labels, so they share one join — its map of predictions awaiting a label and
// its table — instead of each keeping every prediction (two maps of up to 200k entries and two table
// writes per prediction). Each processor still gets the join's events during its own feed(), as if the
// join were its alone.
import type { Db } from '../../storage/database.js';
import type { ConsumerRecord } from '../records.js';
import type { LabelJoinConfig } from './config.js';
import type { LabelJoinEvents, LabelJoinState } from './join.js';
import { PersistedLabelJoin } from './persisted-join.js';

/** The join's checkpointed state, with the owner id its table rows are written under. */
export type SharedLabelJoinState = LabelJoinState & { owner?: string };

/** What a processor holds: the PersistedLabelJoin calls, made once for all subscribers. */
export interface LabelJoinHandle {
  feed(batch: readonly ConsumerRecord[], at: number): void;
  snapshot(): SharedLabelJoinState;
  restore(state: SharedLabelJoinState | undefined): void;
  persist(): void;
  persisted(): void;
  release(): void;
}

/** The joins of one processor chain, by label settings (processors with other settings get their own). */
export class LabelJoins {
  private readonly joins = new Map<string, SharedLabelJoin>();

  constructor(private readonly db: Db) {}

  subscribe(id: string, config: LabelJoinConfig, events: LabelJoinEvents): LabelJoinHandle {
    const key = JSON.stringify(config);
    let join = this.joins.get(key);
    if (!join) {
      // Its rows are written under the first subscriber's id: a chain with one quality processor keeps
      // the table it had before joins were shared.
      join = new SharedLabelJoin(this.db, id, config, () => this.joins.delete(key));
      this.joins.set(key, join);
    }
    return join.subscribe(id, events);
  }
}

interface Subscriber {
  id: string;
  events: LabelJoinEvents;
  /** Events raised for this subscriber since its last feed(). */
  pending: (() => void)[];
  /** Batches this subscriber fed, and checkpoints it persisted. */
  fed: number;
  persists: number;
}

class SharedLabelJoin {
  private readonly join: PersistedLabelJoin;
  private readonly subscribers: Subscriber[] = [];
  /** Batches the join has taken: the first subscriber to feed a new batch feeds the join. */
  private rounds = 0;
  private restoreAsked = false;
  private offered?: { state: SharedLabelJoinState; from: string };
  private materialized = false;
  /** Checkpoints the join has persisted: the first subscriber to persist a new one writes the table. */
  private persistRounds = 0;

  constructor(db: Db, owner: string, config: LabelJoinConfig, private readonly onEmpty: () => void) {
    this.join = new PersistedLabelJoin(db, owner, config, {
      labelled: (l) => {
        for (const s of this.subscribers) s.pending.push(() => s.events.labelled(l));
      },
      unmatched: (model, reason) => {
        for (const s of this.subscribers) s.pending.push(() => s.events.unmatched(model, reason));
      },
    });
  }

  subscribe(id: string, events: LabelJoinEvents): LabelJoinHandle {
    const sub: Subscriber = { id, events, pending: [], fed: this.rounds, persists: this.persistRounds };
    this.subscribers.push(sub);
    return {
      feed: (batch, at) => this.feed(sub, batch, at),
      snapshot: () => this.snapshot(),
      restore: (state) => this.restore(sub, state),
      persist: () => this.persist(sub),
      persisted: () => this.join.persisted(),
      release: () => this.release(sub),
    };
  }

  private feed(sub: Subscriber, batch: readonly ConsumerRecord[], at: number): void {
    this.materialize();
    // Counted, not compared by identity: one subscriber alone may be fed the same array twice.
    sub.fed++;
    if (sub.fed > this.rounds) {
      this.rounds = sub.fed;
      this.join.feed(batch, at);
    }
    const due = sub.pending;
    sub.pending = [];
    for (const deliver of due) deliver();
  }

  private snapshot(): SharedLabelJoinState {
    this.materialize();
    return { ...this.join.snapshot(), owner: this.join.owner };
  }

  /** Every subscriber offers its checkpointed copy; they are equal, the first one is used. */
  private restore(sub: Subscriber, state: SharedLabelJoinState | undefined): void {
    this.restoreAsked = true;
    // A state without an owner was checkpointed before joins were shared: its rows are under its own id.
    if (state && !this.offered) this.offered = { state, from: state.owner ?? sub.id };
  }

  /** Restores once every subscriber has offered its state (before the first batch or checkpoint). */
  private materialize(): void {
    if (this.materialized) return;
    this.materialized = true;
    if (!this.restoreAsked) return;
    const others = this.subscribers.map((s) => s.id);
    this.join.restore(this.offered?.state, this.offered?.from ?? this.join.owner, others);
  }

  private persist(sub: Subscriber): void {
    this.materialize();
    sub.persists++;
    if (sub.persists <= this.persistRounds) return;
    this.persistRounds = sub.persists;
    this.join.persist();
  }

  private release(sub: Subscriber): void {
    const i = this.subscribers.indexOf(sub);
    if (i >= 0) this.subscribers.splice(i, 1);
    if (this.subscribers.length === 0) {
      this.join.release();
      this.onEmpty();
    }
  }
}
