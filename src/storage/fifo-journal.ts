// The durable copy of a large first-in-first-out collection (the label join's predictions awaiting a
// label, the assembler's predictions already handed on), written a little at each checkpoint instead of
// whole. Entries carry a sequence number that only grows; at a checkpoint:
//   - the entries added since the last one go in as one chunk (one row, one blob);
//   - entries that left from the old end (evicted, expired) cost nothing: a low mark says where the
//     collection starts, and chunks wholly below it are deleted;
//   - entries removed from the middle (a label arrived) get a tombstone, dropped with the low mark.
// One row per entry, as before, cost ~30 ms of the event loop per checkpoint at 10k predictions/s, and
// the whole assembler snapshot as much again: that was the p99 of the acknowledgements.
// Written only inside the checkpoint transaction, so after `kill -9` the copy matches the checkpoint.
import { deserialize, serialize } from 'node:v8';
import type { Db } from './database.js';

export interface JournalEntry<T> {
  seq: number;
  value: T;
}

/**
 * A chunk ready to store: the seqs (ascending) and their values, structured-clonable (columns are smaller
 * and faster than objects). Callers build chunks as entries come (see roots-journal.ts, pending-table.ts).
 */
export interface EncodedChunk {
  seqs: Float64Array;
  values: unknown;
}

/** Turns a stored chunk's values back into one value per seq. */
export type ChunkDecoder<T> = (values: unknown) => T[];

export class FifoJournal<T> {
  private readonly insertChunk;
  private readonly insertTombstone;
  private readonly setLow;
  private readonly dropChunks;
  private readonly dropTombstones;

  /** Tables `<name>_chunks`, `<name>_removed` and `<name>_low`, rows keyed by owner. */
  constructor(private readonly db: Db, private readonly name: string, private readonly decode: ChunkDecoder<T>) {
    db.exec(`CREATE TABLE IF NOT EXISTS ${name}_chunks (owner TEXT NOT NULL, first_seq INTEGER NOT NULL, last_seq INTEGER NOT NULL,
        data BLOB NOT NULL, PRIMARY KEY (owner, first_seq));
      CREATE TABLE IF NOT EXISTS ${name}_removed (owner TEXT NOT NULL, seq INTEGER NOT NULL, PRIMARY KEY (owner, seq)) WITHOUT ROWID;
      CREATE TABLE IF NOT EXISTS ${name}_low (owner TEXT PRIMARY KEY NOT NULL, low_seq INTEGER NOT NULL) WITHOUT ROWID;`);
    // A chunk is written once (plain INSERT): writing one twice would be a bug, and must not pass silently.
    this.insertChunk = db.prepare(`INSERT INTO ${name}_chunks (owner, first_seq, last_seq, data) VALUES (?, ?, ?, ?)`);
    this.insertTombstone = db.prepare(`INSERT OR IGNORE INTO ${name}_removed (owner, seq) VALUES (?, ?)`);
    this.setLow = db.prepare(`INSERT INTO ${name}_low (owner, low_seq) VALUES (?, ?) ON CONFLICT (owner) DO UPDATE SET low_seq = excluded.low_seq`);
    this.dropChunks = db.prepare(`DELETE FROM ${name}_chunks WHERE owner = ? AND last_seq < ?`);
    this.dropTombstones = db.prepare(`DELETE FROM ${name}_removed WHERE owner = ? AND seq < ?`);
  }

  /**
   * Call inside the checkpoint transaction. `chunks` hold entries never written before; `removed` the seqs
   * that left (those below `low` need nothing); `low` is the oldest seq still held (or the next seq to come).
   */
  write(owner: string, chunks: readonly EncodedChunk[], removed: Iterable<number>, low: number): void {
    for (const c of chunks) {
      if (c.seqs.length > 0) this.insertChunk.run(owner, c.seqs[0], c.seqs[c.seqs.length - 1], serialize(c));
    }
    for (const seq of removed) if (seq >= low) this.insertTombstone.run(owner, seq);
    this.setLow.run(owner, low);
    this.dropChunks.run(owner, low);
    this.dropTombstones.run(owner, low);
  }

  /** The entries held, oldest first. */
  load(owner: string): JournalEntry<T>[] {
    const lowRow = this.db.prepare(`SELECT low_seq FROM ${this.name}_low WHERE owner = ?`).get(owner) as { low_seq: number } | undefined;
    const low = lowRow?.low_seq ?? -Infinity;
    const removed = new Set((this.db.prepare(`SELECT seq FROM ${this.name}_removed WHERE owner = ?`).all(owner) as { seq: number }[]).map((r) => r.seq));
    const out: JournalEntry<T>[] = [];
    for (const row of this.db.prepare(`SELECT data FROM ${this.name}_chunks WHERE owner = ? ORDER BY first_seq`).iterate(owner) as Iterable<{ data: Buffer }>) {
      const chunk = deserialize(row.data) as EncodedChunk;
      const values = this.decode(chunk.values);
      for (let i = 0; i < chunk.seqs.length; i++) {
        const seq = chunk.seqs[i];
        if (seq >= low && !removed.has(seq)) out.push({ seq, value: values[i] });
      }
    }
    return out;
  }

  /** Forgets everything written under `owner`. */
  clear(owner: string): void {
    for (const t of ['chunks', 'removed', 'low']) this.db.prepare(`DELETE FROM ${this.name}_${t} WHERE owner = ?`).run(owner);
  }

  /** Moves what `from` wrote to `to`, dropping what `to` had. */
  rename(from: string, to: string): void {
    this.clear(to);
    for (const t of ['chunks', 'removed', 'low']) this.db.prepare(`UPDATE ${this.name}_${t} SET owner = ? WHERE owner = ?`).run(to, from);
  }

  /** Owners with rows (for diagnostics and tests). */
  owners(): string[] {
    return (this.db.prepare(`SELECT owner FROM ${this.name}_low ORDER BY owner`).all() as { owner: string }[]).map((r) => r.owner);
  }
}
