// The changes a journalled collection (the label join's pending predictions, an assembler's roots) owes
// its table (storage/fifo-journal.ts): kept as they come until a checkpoint takes them (ChangesSinceTake),
// then until that checkpoint commits (UnconfirmedChanges), since a rolled-back checkpoint's writes must
// be made again by the next. The table is rewritten
// with what is held instead when no checkpoint accounts for its rows yet, when the source lost count of
// its changes, or when the changes kept outnumber the entries held (checkpoints failing for long): a
// smaller write then, and memory bounded by the collection rather than by the length of an outage.
import type { EncodedChunk } from '../storage/fifo-journal.js';

interface Chunk {
  readonly size: number;
  encoded(): EncodedChunk;
}

/** What one checkpoint takes: the entries added, in the journal's chunk format, and the seqs removed. */
export interface TakenChanges<C> {
  chunk: C;
  removed: number[];
}

/**
 * A collection's changes since a checkpoint last took them. The collection appends each entry it adds to
 * `chunk` (then calls `appended()`) and reports each one it removes from the middle; entries that leave
 * from the old end need nothing (the journal's low mark). Past `bound` added or removed (no checkpoint
 * took them for long) it stops keeping them, and the next take says so: the table is then rewritten.
 */
export class ChangesSinceTake<C extends Chunk> {
  /** Where the collection appends an entry it adds; undefined while not keeping changes. */
  chunk: C | undefined;
  private removed: number[] = [];

  constructor(private readonly newChunk: () => C, private readonly bound: number) {
    this.chunk = newChunk();
  }

  appended(): void {
    if (this.chunk !== undefined && this.chunk.size > this.bound) this.stopKeeping();
  }

  removedSeq(seq: number): void {
    if (this.chunk === undefined) return;
    this.removed.push(seq);
    if (this.removed.length > this.bound) this.stopKeeping();
  }

  /** The changes since the last take (undefined: too many to keep); afresh after. */
  take(): TakenChanges<C> | undefined {
    const taken = this.chunk && { chunk: this.chunk, removed: this.removed };
    this.reset();
    return taken;
  }

  /** Forgets the changes (the collection was loaded from its table: nothing to write back). */
  reset(): void {
    this.chunk = this.newChunk();
    this.removed = [];
  }

  private stopKeeping(): void {
    this.chunk = undefined;
    this.removed = [];
  }
}

/** What the next write must do: replace the rows with everything held, or add these changes. */
export type JournalWrite<C> = 'rewrite' | { chunks: readonly C[]; removed: readonly number[] };

export class UnconfirmedChanges<C extends Chunk> {
  private chunks: C[] = [];
  private removed: number[] = [];

  /** `rewrite`: the table's rows are not this collection's (yet), so the first write replaces them. */
  constructor(private rewrite: boolean) {}

  /**
   * A checkpoint's take (undefined when the collection stopped keeping its changes); `held` is how many
   * entries the collection holds now. Call in the checkpoint's transaction.
   */
  take(taken: TakenChanges<C> | undefined, held: number): JournalWrite<C> {
    if (taken === undefined) this.rewrite = true;
    else {
      this.chunks.push(taken.chunk);
      for (const seq of taken.removed) this.removed.push(seq);
    }
    if (!this.rewrite && this.removed.length + this.chunks.reduce((n, c) => n + c.size, 0) > held) this.rewrite = true;
    if (!this.rewrite) return { chunks: this.chunks, removed: this.removed };
    this.chunks = [];
    this.removed = [];
    return 'rewrite';
  }

  /** The checkpoint committed: its writes are in the table. */
  confirmed(): void {
    this.rewrite = false;
    this.chunks = [];
    this.removed = [];
  }
}
