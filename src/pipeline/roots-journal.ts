// The durable copy of an assembler's roots (predictions already handed on, up to 50k per consumer): a
// FifoJournal written in the consumer's checkpoint transaction. The assembler appends each new root to a
// chunk in the stored format as it comes (RootChunk), so a checkpoint only serializes it. Whole, in the
// checkpoint state, the roots cost ~35 ms of the event loop per checkpoint at 10k predictions/s; built
// from a map of changes at each checkpoint, still ~17 ms a second.
import type { Db } from '../storage/database.js';
import { FifoJournal, type EncodedChunk } from '../storage/fifo-journal.js';
import type { Assembler, RootEntry } from './assembler.js';
import { decodeModelChunk, ModelChunk, type ModelColumns } from './model-chunk.js';
import { UnconfirmedChanges } from './unconfirmed-changes.js';

/** Columns; `ids` holds null for a prediction id equal to traceId + spanId (the usual case). Checkpoints
 *  from before the journal held all roots in this form in their state. */
export interface RootColumns extends ModelColumns {
  keys: string[];
  ids: (string | null)[];
}

/** Roots in the order they came, in the journal's format, appended one by one. */
export class RootChunk extends ModelChunk {
  private readonly keys: string[] = [];
  private readonly ids: (string | null)[] = [];

  /** Fields one by one: an object per root only to pass them was garbage at every prediction. */
  add(seq: number, key: string, id: string | null, modelName: string, modelVersion: string, at: number): void {
    this.push(seq, modelName, modelVersion, at);
    this.keys.push(key);
    this.ids.push(id);
  }

  encoded(): EncodedChunk {
    return this.encode({ keys: this.keys, ids: this.ids });
  }
}

function decode(data: unknown): RootEntry[] {
  const c = data as RootColumns;
  return decodeModelChunk(c, c.keys.length, (i, modelName, modelVersion, at) => ({ key: c.keys[i], id: c.ids[i], modelName, modelVersion, at }));
}

const TABLE = 'assembler_roots';

export class RootsJournal {
  private readonly journal: FifoJournal<RootEntry>;
  /** Rewritten until a write commits when there is no checkpoint yet (rows left by an earlier consumer of
   *  this name must go), or one from before the journal (its roots were in the state). */
  private changes = new UnconfirmedChanges<RootChunk>(true);

  constructor(db: Db, private readonly owner: string) {
    this.journal = new FifoJournal(db, TABLE, decode);
  }

  /** Restores the assembler from a checkpoint's state and this journal. */
  restore(assembler: Assembler, state: unknown): void {
    const { hadRoots } = assembler.restore(state, state === undefined ? [] : this.journal.load(this.owner));
    this.changes = new UnconfirmedChanges(state === undefined || hadRoots);
  }

  /** In the checkpoint transaction. */
  persist(assembler: Assembler): void {
    const write = this.changes.take(assembler.takeRootChanges(), assembler.rootCount);
    if (write === 'rewrite') {
      const all = new RootChunk();
      for (const { seq, value: r } of assembler.rootEntries()) all.add(seq, r.key, r.id, r.modelName, r.modelVersion, r.at);
      this.journal.clear(this.owner);
      this.journal.write(this.owner, [all.encoded()], [], assembler.lowRootSeq);
      return;
    }
    this.journal.write(this.owner, write.chunks.map((c) => c.encoded()), write.removed, assembler.lowRootSeq);
  }

  persisted(): void {
    this.changes.confirmed();
  }

  /** Forgets the roots of a consumer no longer configured. */
  static forget(db: Db, owner: string): void {
    new FifoJournal(db, TABLE, decode).clear(owner);
  }
}
