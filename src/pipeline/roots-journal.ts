// The durable copy of an assembler's roots (predictions already handed on, up to 50k per consumer): a
// FifoJournal written in the consumer's checkpoint transaction, a chunk of new roots at a time. Whole,
// in the checkpoint state, they cost ~35 ms of the event loop per checkpoint at 10k predictions/s.
import type { Db } from '../storage/database.js';
import { FifoJournal, type JournalCodec } from '../storage/fifo-journal.js';
import { derivedId, type Assembler, type RootChanges, type RootEntry } from './assembler.js';
import { ModelPairs } from './model-pairs.js';

/** Columns; a prediction id equal to traceId + spanId (the usual case) is stored as null. */
interface RootColumns {
  keys: string[];
  ids: (string | null)[];
  models: [string, string][];
  model: number[];
  at: Float64Array;
}

/** derivedId(key) === id, without building the string. */
function isDerivedId(id: string, key: string): boolean {
  const slash = key.indexOf('/');
  return id.length === key.length - 1 && key.startsWith(id.slice(0, slash)) && id.endsWith(key.slice(slash + 1));
}

const codec: JournalCodec<RootEntry> = {
  encode(values) {
    const pairs = new ModelPairs();
    const cols: RootColumns = { keys: [], ids: [], models: pairs.pairs, model: [], at: new Float64Array(values.length) };
    values.forEach((r, i) => {
      cols.keys.push(r.key);
      cols.ids.push(isDerivedId(r.id, r.key) ? null : r.id);
      cols.model.push(pairs.indexOf(r.modelName, r.modelVersion));
      cols.at[i] = r.at;
    });
    return cols;
  },
  decode(data) {
    const c = data as RootColumns;
    return c.keys.map((key, i) => {
      const [modelName, modelVersion] = c.models[c.model[i]];
      return { key, id: c.ids[i] ?? derivedId(key), modelName, modelVersion, at: c.at[i] };
    });
  },
};

const TABLE = 'assembler_roots';

export class RootsJournal {
  private readonly journal: FifoJournal<RootEntry>;
  /** What the last persist() wrote, until its checkpoint commits: a rolled-back one is written again. */
  private unconfirmed?: RootChanges;
  /** Until a write commits, everything held is written afresh: no checkpoint yet (rows left by an earlier
   *  consumer of this name must go), or one from before the journal (its roots were in the state). */
  private rewrite = true;

  constructor(db: Db, private readonly owner: string) {
    this.journal = new FifoJournal(db, TABLE, codec);
  }

  /** Restores the assembler from a checkpoint's state and this journal. */
  restore(assembler: Assembler, state: unknown): void {
    const { hadRoots } = assembler.restore(state, state === undefined ? [] : this.journal.load(this.owner));
    this.rewrite = state === undefined || hadRoots;
  }

  /** In the checkpoint transaction. */
  persist(assembler: Assembler): void {
    const taken = assembler.takeRootChanges();
    if (this.rewrite) {
      this.journal.clear(this.owner);
      this.journal.write(this.owner, assembler.rootEntries(), [], assembler.lowRootSeq);
      return;
    }
    this.unconfirmed = this.unconfirmed ? new Map([...this.unconfirmed, ...taken]) : taken;
    const added: { seq: number; value: RootEntry }[] = [];
    const removed: number[] = [];
    for (const [seq, r] of this.unconfirmed) {
      if (r === null) removed.push(seq);
      else added.push({ seq, value: r });
    }
    this.journal.write(this.owner, added, removed, assembler.lowRootSeq);
  }

  persisted(): void {
    this.unconfirmed = undefined;
    this.rewrite = false;
  }

  /** Forgets the roots of a consumer no longer configured. */
  static forget(db: Db, owner: string): void {
    new FifoJournal(db, TABLE, codec).clear(owner);
  }
}
