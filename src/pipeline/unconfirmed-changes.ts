// What a journal (storage/fifo-journal.ts) owes its table since the last committed checkpoint: the chunks
// of entries added and the seqs removed from the middle, taken at each checkpoint and kept until one
// commits, since a rolled-back checkpoint's writes must be made again by the next. The table is rewritten
// with what is held instead when no checkpoint accounts for its rows yet, when the source lost count of
// its changes, or when the changes kept outnumber the entries held (checkpoints failing for long): a
// smaller write then, and memory bounded by the collection rather than by the length of an outage.
import type { EncodedChunk } from '../storage/fifo-journal.js';

interface Chunk {
  readonly size: number;
  encoded(): EncodedChunk;
}

/** What the next write must do: replace the rows with everything held, or add these changes. */
export type JournalWrite<C> = 'rewrite' | { chunks: readonly C[]; removed: readonly number[] };

export class UnconfirmedChanges<C extends Chunk> {
  private chunks: C[] = [];
  private removed: number[] = [];

  /** `rewrite`: the table's rows are not this collection's (yet), so the first write replaces them. */
  constructor(private rewrite: boolean) {}

  /**
   * A checkpoint's take: the entries `added` since the last one (undefined when the source lost count) and
   * those `removed` from the middle; `held` is how many the collection holds now. Call in the transaction.
   */
  take(added: C | undefined, removed: readonly number[], held: number): JournalWrite<C> {
    if (added === undefined) this.rewrite = true;
    else {
      this.chunks.push(added);
      for (const seq of removed) this.removed.push(seq);
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
