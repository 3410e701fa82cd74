// A large first-in-first-out collection of predictions keyed by a string, held in columns instead of an
// object (and a map entry object) per entry: the label join's predictions awaiting a label (up to 200k)
// and each assembler's predictions already handed on (50k per consumer). At 10k predictions/s such
// objects all outlived the young generation and were ~40% of the live heap; the old generation then
// filled with them as they left.
//
// Entries sit at positions that only grow, in arrival (seq) order, in fixed-size chunks of columns: a
// chunk is added as the tail reaches it and retired (kept for reuse) once the head has passed it, so an
// entry never moves while the collection grows. Rings that doubled stalled the event loop for 10–60 ms
// each time (copying every column and rehashing), three times in the first ~30 s at 10k predictions/s.
// A removed entry leaves a hole that the head passes, or that a compaction drops when holes are more
// than half of the positions held (entries then move once, and the table is built again).
//
// Keys are found through a table of (hash, position) pairs (hash-slots.ts), not a Map: a Map held at its
// bound (one key in, the oldest out) keeps each deleted entry as a hole until its table fills, then
// allocates a new table, ~45 bytes per key added, all of it large objects for the major collections.
// The table is sized for the expected bound at the start, so it does not grow under a steady load.
// What a chunk holds, and how: keyed-columns-chunk.ts.

import { HashSlots } from './hash-slots.js';
import { CHUNK, CHUNK_BITS, CHUNK_MASK, Chunk } from './keyed-columns-chunk.js';
import { stringHash } from './string-hash.js';

/** The table holds positions modulo 2^30 (ref + 1 fits an Int32); the positions held span far less. */
const REF_MASK = 2 ** 30 - 1;
/** A table sized up front takes at most this many buckets (8 MiB); a larger one doubles as entries come. */
const MAX_PRESIZED_BUCKETS = 2 ** 20;
const MIN_BUCKETS = 2048;
/** Retired chunks kept for reuse: at the bound one chunk retires as one fills. */
const SPARE_CHUNKS = 2;
/** What each entry holds besides its key: `extra` is the one column that differs between the users. */
export type EachEntry = (seq: number, key: string, modelName: string, modelVersion: string, extra: string | null, atMs: number) => void;

export class KeyedColumns {
  /** Entries held (the positions minus their holes). */
  private count = 0;
  /** Positions [head, tail) hold entries and holes; chunks[0] starts at `base` (a multiple of CHUNK). */
  private head: number;
  private tail: number;
  private base: number;
  private chunks: Chunk[] = [];
  private spare: Chunk[] = [];
  private table: HashSlots;
  /** The last key hashed and its hash: callers look a key up, then add or delete it. */
  private lastKey: string | null = null;
  private lastHash = 0;

  /**
   * `fewExtras`: whether the extra column holds few distinct values (classes), not unique ones (ids).
   * `expectedEntries`: the bound the owner holds it to, for the table's size. `firstPosition` is for tests
   * (positions near 2^30 cross the wrap of the table's refs).
   */
  constructor(private readonly fewExtras: boolean, expectedEntries = 0, firstPosition = 0) {
    this.table = new HashSlots(Math.min(MAX_PRESIZED_BUCKETS, Math.max(MIN_BUCKETS, nextPowerOfTwo(2 * expectedEntries))));
    this.head = this.tail = firstPosition;
    this.base = firstPosition - (firstPosition & CHUNK_MASK);
  }

  get size(): number {
    return this.count;
  }

  /** Chunks of columns held (for tests: memory follows the entries, not the positions passed). */
  get chunksHeld(): number {
    return this.chunks.length;
  }

  has(key: string): boolean {
    return this.bucketOf(key) >= 0;
  }

  /** Appends an entry; its seq must be above every seq held, its key not held. */
  add(key: string, seq: number, modelName: string, modelVersion: string, extra: string | null, atMs: number): void {
    if (this.tail - this.head >= 2 * this.count + 2 * CHUNK) this.compactIfHoley();
    if (2 * (this.count + 1) > this.table.buckets) this.rebuildTable(2 * this.table.buckets);
    const pos = this.tail++;
    const index = (pos - this.base) >>> CHUNK_BITS;
    const c = index < this.chunks.length ? this.chunks[index] : this.newChunk();
    const i = pos & CHUNK_MASK;
    const hash = this.hashOf(key);
    c.setKey(i, key);
    c.hashes[i] = hash;
    c.seqs[i] = seq;
    c.at[i] = atMs;
    c.setValues(i, modelName, modelVersion, extra);
    this.table.insert(hash, pos & REF_MASK);
    this.count++;
  }

  /** Removes an entry; false when it is not held. */
  delete(key: string): boolean {
    const bucket = this.bucketOf(key);
    if (bucket < 0) return false;
    const pos = this.posOf(this.table.refAt(bucket));
    this.table.remove(bucket);
    this.chunkAt(pos).keys[pos & CHUNK_MASK] = null;
    this.count--;
    return true;
  }

  /**
   * Where the entry held under `key` sits (-1: none), for the column getters below; valid until the next
   * add, delete or drop. Slots rather than an object per lookup: lookups run for every record.
   */
  slotOf(key: string): number {
    const bucket = this.bucketOf(key);
    return bucket < 0 ? -1 : this.posOf(this.table.refAt(bucket));
  }

  /** The oldest entry's slot (-1: none). */
  oldestSlot(): number {
    this.skipHoles();
    return this.head < this.tail ? this.head : -1;
  }

  keyAt(slot: number): string {
    return this.chunkAt(slot).keyAt(slot & CHUNK_MASK)!;
  }
  seqAt(slot: number): number {
    return this.chunkAt(slot).seqs[slot & CHUNK_MASK];
  }
  atMsAt(slot: number): number {
    return this.chunkAt(slot).at[slot & CHUNK_MASK];
  }
  modelNameAt(slot: number): string {
    return this.chunkAt(slot).modelName(slot & CHUNK_MASK);
  }
  modelVersionAt(slot: number): string {
    return this.chunkAt(slot).modelVersion(slot & CHUNK_MASK);
  }
  extraAt(slot: number): string | null {
    return this.chunkAt(slot).extra(slot & CHUNK_MASK);
  }

  /** The oldest entry's queue time and seq (expiry checks them on every record). */
  oldestAtMs(): number | undefined {
    const slot = this.oldestSlot();
    return slot < 0 ? undefined : this.atMsAt(slot);
  }
  oldestSeq(): number | undefined {
    const slot = this.oldestSlot();
    return slot < 0 ? undefined : this.seqAt(slot);
  }

  /** Removes the oldest entry: its bucket is found from the hash kept with it, the key not hashed again. */
  dropOldest(): void {
    this.skipHoles();
    if (this.head === this.tail) return;
    const pos = this.head;
    const c = this.chunkAt(pos);
    const i = pos & CHUNK_MASK;
    this.table.remove(this.table.bucketOfRef(c.hashes[i], pos & REF_MASK));
    c.keys[i] = null;
    this.count--;
    this.skipHoles();
  }

  /** Calls `fn` for each entry held with seq ≥ fromSeq, oldest first, without building objects. */
  eachFrom(fromSeq: number, fn: EachEntry): void {
    this.skipHoles();
    for (let pos = this.firstAtOrAbove(fromSeq); pos < this.tail; pos++) {
      const c = this.chunkAt(pos);
      const i = pos & CHUNK_MASK;
      const key = c.keyAt(i);
      if (key !== null) fn(c.seqs[i], key, c.modelName(i), c.modelVersion(i), c.extra(i), c.at[i]);
    }
  }

  clear(): void {
    for (const c of this.chunks) this.retire(c);
    this.chunks = [];
    this.table.clear();
    this.base = this.head = this.tail = 0;
    this.count = 0;
  }

  private chunkAt(pos: number): Chunk {
    return this.chunks[(pos - this.base) >>> CHUNK_BITS];
  }

  /** A position from the table's ref: the one in [head, head + 2^30) with those low bits. */
  private posOf(ref: number): number {
    return this.head + ((ref - this.head) & REF_MASK);
  }

  private hashOf(key: string): number {
    if (key !== this.lastKey) {
      this.lastKey = key;
      this.lastHash = stringHash(key);
    }
    return this.lastHash;
  }

  /** The bucket holding `key` (-1: none). */
  private bucketOf(key: string): number {
    const hash = this.hashOf(key);
    const table = this.table;
    for (let b = table.nextWithHash(hash, table.home(hash)); b >= 0; b = table.nextWithHash(hash, b + 1)) {
      const pos = this.posOf(table.refAt(b));
      if (this.chunkAt(pos).keyIs(pos & CHUNK_MASK, key)) return b;
    }
    return -1;
  }

  private newChunk(): Chunk {
    const c = this.spare.pop() ?? new Chunk(this.fewExtras);
    this.chunks.push(c);
    return c;
  }

  private retire(c: Chunk): void {
    c.release();
    if (this.spare.length < SPARE_CHUNKS) this.spare.push(c);
  }

  /** A table of `buckets` from the entries held, after their positions changed or to grow it. */
  private rebuildTable(buckets: number): void {
    if (this.table.buckets === buckets) this.table.clear();
    else this.table = new HashSlots(buckets);
    for (let pos = this.head; pos < this.tail; pos++) {
      const c = this.chunkAt(pos);
      const i = pos & CHUNK_MASK;
      if (c.keys[i] !== null) this.table.insert(c.hashes[i], pos & REF_MASK);
    }
  }

  /** The first position (from the head) whose seq is ≥ fromSeq: seqs grow along the positions. */
  private firstAtOrAbove(fromSeq: number): number {
    let lo = this.head;
    let hi = this.tail;
    while (lo < hi) {
      const mid = lo + Math.floor((hi - lo) / 2);
      if (this.seqAt(mid) < fromSeq) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Moves the head past holes, retiring the chunks it leaves behind. */
  private skipHoles(): void {
    while (this.head < this.tail && this.chunkAt(this.head).keys[this.head & CHUNK_MASK] === null) this.head++;
    while (this.head - this.base >= CHUNK) {
      this.retire(this.chunks.shift()!);
      this.base += CHUNK;
    }
  }

  /**
   * Moves the entries held together at the head's end, dropping the holes (entries removed from the
   * middle), when they are more than half of the positions held past the head.
   */
  private compactIfHoley(): void {
    this.skipHoles();
    if (this.tail - this.head < 2 * this.count + 2 * CHUNK) return;
    let to = this.head;
    for (let pos = this.head; pos < this.tail; pos++) {
      const f = this.chunkAt(pos);
      const fi = pos & CHUNK_MASK;
      if (f.keys[fi] === null) continue;
      if (to !== pos) {
        const t = this.chunkAt(to);
        const ti = to & CHUNK_MASK;
        t.moveKey(f, fi, ti);
        t.hashes[ti] = f.hashes[fi];
        t.seqs[ti] = f.seqs[fi];
        t.at[ti] = f.at[fi];
        t.moveValues(f, fi, ti);
      }
      to++;
    }
    this.tail = to;
    // Chunks past the new tail's are empty now.
    const keep = ((this.tail - this.base + CHUNK_MASK) >>> CHUNK_BITS);
    while (this.chunks.length > keep) this.retire(this.chunks.pop()!);
    this.rebuildTable(this.table.buckets);
  }
}

function nextPowerOfTwo(n: number): number {
  let p = 1;
  while (p < n) p *= 2;
  return p;
}
