// The ids of the log's rows past the watermark (at most a run's worth), with their seqs. A Map did this
// for ~6% of the writer's time (its lookups, inserts and string hashing) and allocated its table anew
// after every run written; here the hashes the Bloom filters need anyway (hashId) find the entry, in a
// table of typed arrays (hash-slots.ts) that is cleared, not reallocated, and the next run's filter is
// built from the hashes kept, not by reading the run's ids back.
import { HashSlots } from '../../../pipeline/hash-slots.js';
import { type IdHash } from './bloom.js';

export class RecentIds {
  private ids: (string | undefined)[] = [];
  private seqs = new Float64Array(1024);
  private hashA = new Int32Array(1024);
  private hashB = new Int32Array(1024);
  /** Entries by id, in twice as many buckets as there is room for entries. */
  private table = new HashSlots(2048);
  private count = 0;

  get size(): number {
    return this.count;
  }

  /** The seq held for `id` (whose hashId is `h`), or -1. */
  get(id: string, h: IdHash): number {
    const b = this.table.bucketOf(h.a | 0, id, this.ids);
    return b < 0 ? -1 : this.seqs[this.table.refAt(b)];
  }

  /** Holds `seq` for `id`: a newer row of an id replaces the older one, as Map.set would. */
  set(id: string, seq: number, h: IdHash): void {
    const a = h.a | 0;
    const found = this.table.bucketOf(a, id, this.ids);
    if (found >= 0) {
      this.seqs[this.table.refAt(found)] = seq;
      return;
    }
    if (this.count === this.seqs.length) this.grow();
    const e = this.count++;
    this.ids[e] = id;
    this.seqs[e] = seq;
    this.hashA[e] = a;
    this.hashB[e] = h.b | 0;
    this.table.insert(a, e);
  }

  /** Calls `fn` with each id's hashes (for a run's filter); `h` is reused between calls. */
  eachHash(h: IdHash, fn: (h: IdHash) => void): void {
    for (let e = 0; e < this.count; e++) {
      h.a = this.hashA[e] >>> 0;
      h.b = this.hashB[e] >>> 0;
      fn(h);
    }
  }

  /** Empties the table, keeping its arrays for the next run's ids. */
  clear(): void {
    this.ids.fill(undefined, 0, this.count);
    this.table.clear();
    this.count = 0;
  }

  /** Doubles every array (the first run's ids only: after that the table is at its size). */
  private grow(): void {
    const n = 2 * this.seqs.length;
    const widen = <T extends Float64Array | Int32Array>(from: T, to: T): T => {
      to.set(from);
      return to;
    };
    this.seqs = widen(this.seqs, new Float64Array(n));
    this.hashA = widen(this.hashA, new Int32Array(n));
    this.hashB = widen(this.hashB, new Int32Array(n));
    this.table = new HashSlots(2 * n);
    for (let e = 0; e < this.count; e++) this.table.insert(this.hashA[e], e);
  }
}
