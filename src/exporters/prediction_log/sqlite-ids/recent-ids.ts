// The ids of the log's rows past the watermark (at most a run's worth), with their seqs. A Map did this
// for ~6% of the writer's time (its lookups, inserts and string hashing) and allocated its table anew
// after every run written; here the hashes the Bloom filters need anyway (hashId) find the entry, in an
// open-addressing table of Int32Arrays that is cleared, not reallocated, and the next run's filter is
// built from the hashes kept, not by reading the run's ids back.
import { type IdHash } from './bloom.js';

export class RecentIds {
  private ids: (string | undefined)[] = [];
  private seqs = new Float64Array(1024);
  private hashA = new Int32Array(1024);
  private hashB = new Int32Array(1024);
  /** Entry index + 1 per bucket (0: empty); twice as many buckets as entries at most. */
  private buckets = new Int32Array(2048);
  private count = 0;

  get size(): number {
    return this.count;
  }

  /** The seq held for `id` (whose hashId is `h`), or -1. */
  get(id: string, h: IdHash): number {
    const e = this.entryOf(id, h.a | 0);
    return e < 0 ? -1 : this.seqs[e];
  }

  /** Holds `seq` for `id`: a newer row of an id replaces the older one, as Map.set would. */
  set(id: string, seq: number, h: IdHash): void {
    const a = h.a | 0;
    const found = this.entryOf(id, a);
    if (found >= 0) {
      this.seqs[found] = seq;
      return;
    }
    if (this.count === this.seqs.length) this.grow();
    const e = this.count++;
    this.ids[e] = id;
    this.seqs[e] = seq;
    this.hashA[e] = a;
    this.hashB[e] = h.b | 0;
    this.place(a, e);
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
    this.buckets.fill(0);
    this.count = 0;
  }

  private entryOf(id: string, a: number): number {
    const mask = this.buckets.length - 1;
    for (let b = a & mask; ; b = (b + 1) & mask) {
      const e = this.buckets[b] - 1;
      if (e < 0) return -1;
      if (this.hashA[e] === a && this.ids[e] === id) return e;
    }
  }

  private place(a: number, e: number): void {
    const mask = this.buckets.length - 1;
    let b = a & mask;
    while (this.buckets[b] !== 0) b = (b + 1) & mask;
    this.buckets[b] = e + 1;
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
    this.buckets = new Int32Array(2 * n);
    for (let e = 0; e < this.count; e++) this.place(this.hashA[e], e);
  }
}
