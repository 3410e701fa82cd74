// A large first-in-first-out collection of predictions keyed by a string, held in columns instead of an
// object (and a map entry object) per entry: the label join's predictions awaiting a label (up to 200k)
// and each assembler's predictions already handed on (50k per consumer). At 10k predictions/s such
// objects all outlived the young generation and were ~40% of the live heap; the old generation then
// filled with them as they left. The columns are rings that grow by doubling and are never sliced
// (arrays grown by push and cut as the head moves were large objects left for the major collections).
// Positions are in arrival (seq) order; a removed entry leaves a hole that the head passes, or that a
// compaction drops when the ring is full and holes are at least half.
//
// Keys are found through a table of (hash, slot) pairs (hash-slots.ts), not a Map: a Map held at its
// bound (one key in, the oldest out) keeps each deleted entry as a hole until its table fills, then
// allocates a new table, ~45 bytes per key added, all of it large objects for the major collections
// (~1.4 MB/s of old-generation garbage at 10k predictions/s over the three collections). The table
// allocates only when the ring grows; the key is compared in the ring's key column.

import { HashSlots } from './hash-slots.js';
import { stringHash } from './string-hash.js';

/** Strings many entries share (model names and versions, classes): one copy each, at most this many. */
const INTERN_LIMIT = 4096;

class Interner {
  private readonly seen = new Map<string, string>();
  get(s: string): string {
    const hit = this.seen.get(s);
    if (hit !== undefined) return hit;
    if (this.seen.size >= INTERN_LIMIT) this.seen.clear();
    this.seen.set(s, s);
    return s;
  }
}

/** What each entry holds besides its key: `extra` is the one column that differs between the users. */
export type EachEntry = (seq: number, key: string, modelName: string, modelVersion: string, extra: string | null, atMs: number) => void;

export class KeyedColumns {
  /** Entries held (the ring's positions minus its holes). */
  private count = 0;
  private capacity = 1024;
  private mask = this.capacity - 1;
  /** Positions [head, tail) hold entries and holes (null keys). */
  private head = 0;
  private tail = 0;
  private keys: (string | null)[] = new Array(this.capacity).fill(null);
  private hashes = new Int32Array(this.capacity);
  private seqs = new Float64Array(this.capacity);
  private at = new Float64Array(this.capacity);
  private modelNames: string[] = new Array(this.capacity).fill('');
  private modelVersions: string[] = new Array(this.capacity).fill('');
  private extras: (string | null)[] = new Array(this.capacity).fill(null);
  /** Slots by key, in twice as many buckets as the ring has slots. */
  private table = new HashSlots(2 * this.capacity);
  private readonly interned = new Interner();
  /** The last key hashed and its hash: callers look a key up, then add or delete it. */
  private lastKey: string | null = null;
  private lastHash = 0;

  /** `internExtra`: whether the extra column holds few distinct values (classes), not unique ones (ids). */
  constructor(private readonly internExtra: boolean) {}

  get size(): number {
    return this.count;
  }

  has(key: string): boolean {
    return this.bucketOf(key) >= 0;
  }

  /** Appends an entry; its seq must be above every seq held, its key not held. */
  add(key: string, seq: number, modelName: string, modelVersion: string, extra: string | null, atMs: number): void {
    if (this.tail - this.head === this.capacity) {
      if (2 * this.count <= this.capacity) this.compact();
      else this.resize(this.capacity * 2);
    }
    const slot = this.tail++ & this.mask;
    const hash = this.hashOf(key);
    this.keys[slot] = key;
    this.hashes[slot] = hash;
    this.seqs[slot] = seq;
    this.at[slot] = atMs;
    this.modelNames[slot] = this.interned.get(modelName);
    this.modelVersions[slot] = this.interned.get(modelVersion);
    this.extras[slot] = this.internExtra && extra !== null ? this.interned.get(extra) : extra;
    this.table.insert(hash, slot);
    this.count++;
  }

  /** Removes an entry; false when it is not held. */
  delete(key: string): boolean {
    const bucket = this.bucketOf(key);
    if (bucket < 0) return false;
    const slot = this.table.refAt(bucket);
    this.table.remove(bucket);
    this.keys[slot] = null;
    this.count--;
    return true;
  }

  /**
   * Where the entry held under `key` sits (-1: none), for the column getters below; valid until the next
   * add, delete or drop. Slots rather than an object per lookup: lookups run for every record.
   */
  slotOf(key: string): number {
    const bucket = this.bucketOf(key);
    return bucket < 0 ? -1 : this.table.refAt(bucket);
  }

  /** The oldest entry's slot (-1: none). */
  oldestSlot(): number {
    this.skipHoles();
    return this.head < this.tail ? this.head & this.mask : -1;
  }

  keyAt(slot: number): string {
    return this.keys[slot]!;
  }
  seqAt(slot: number): number {
    return this.seqs[slot];
  }
  atMsAt(slot: number): number {
    return this.at[slot];
  }
  modelNameAt(slot: number): string {
    return this.modelNames[slot];
  }
  modelVersionAt(slot: number): string {
    return this.modelVersions[slot];
  }
  extraAt(slot: number): string | null {
    return this.extras[slot];
  }

  /** The oldest entry's queue time and seq (expiry checks them on every record). */
  oldestAtMs(): number | undefined {
    const slot = this.oldestSlot();
    return slot < 0 ? undefined : this.at[slot];
  }
  oldestSeq(): number | undefined {
    const slot = this.oldestSlot();
    return slot < 0 ? undefined : this.seqs[slot];
  }

  /** Removes the oldest entry: its bucket is found from the hash kept in the ring, the key not hashed again. */
  dropOldest(): void {
    this.skipHoles();
    if (this.head === this.tail) return;
    const slot = this.head & this.mask;
    this.table.remove(this.table.bucketOfRef(this.hashes[slot], slot));
    this.keys[slot] = null;
    this.count--;
  }

  /** Calls `fn` for each entry held with seq ≥ fromSeq, oldest first, without building objects. */
  eachFrom(fromSeq: number, fn: EachEntry): void {
    this.skipHoles();
    for (let pos = this.firstAtOrAbove(fromSeq); pos < this.tail; pos++) {
      const slot = pos & this.mask;
      if (this.keys[slot] !== null) fn(this.seqs[slot], this.keys[slot]!, this.modelNames[slot], this.modelVersions[slot], this.extras[slot], this.at[slot]);
    }
  }

  clear(): void {
    this.keys.fill(null);
    this.table.clear();
    this.head = this.tail = this.count = 0;
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
    return this.table.bucketOf(this.hashOf(key), key, this.keys);
  }

  /** The table again from the ring, after entries changed slots (resize, compaction). */
  private rebuildTable(): void {
    if (this.table.buckets === 2 * this.capacity) this.table.clear();
    else this.table = new HashSlots(2 * this.capacity);
    for (let pos = this.head; pos < this.tail; pos++) {
      const slot = pos & this.mask;
      if (this.keys[slot] !== null) this.table.insert(this.hashes[slot], slot);
    }
  }

  /** The first position (from the head) whose seq is ≥ fromSeq: seqs grow along the positions. */
  private firstAtOrAbove(fromSeq: number): number {
    let lo = this.head;
    let hi = this.tail;
    while (lo < hi) {
      const mid = lo + Math.floor((hi - lo) / 2);
      if (this.seqs[mid & this.mask] < fromSeq) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private skipHoles(): void {
    while (this.head < this.tail && this.keys[this.head & this.mask] === null) this.head++;
  }

  /** Copies every position into rings of another size, then the table, whose slots changed with the mask. */
  private resize(capacity: number): void {
    const mask = capacity - 1;
    const keys: (string | null)[] = new Array(capacity).fill(null);
    const hashes = new Int32Array(capacity);
    const seqs = new Float64Array(capacity);
    const at = new Float64Array(capacity);
    const modelNames: string[] = new Array(capacity).fill('');
    const modelVersions: string[] = new Array(capacity).fill('');
    const extras: (string | null)[] = new Array(capacity).fill(null);
    for (let pos = this.head; pos < this.tail; pos++) {
      const from = pos & this.mask;
      const to = pos & mask;
      keys[to] = this.keys[from];
      hashes[to] = this.hashes[from];
      seqs[to] = this.seqs[from];
      at[to] = this.at[from];
      modelNames[to] = this.modelNames[from];
      modelVersions[to] = this.modelVersions[from];
      extras[to] = this.extras[from];
    }
    this.capacity = capacity;
    this.mask = mask;
    this.keys = keys;
    this.hashes = hashes;
    this.seqs = seqs;
    this.at = at;
    this.modelNames = modelNames;
    this.modelVersions = modelVersions;
    this.extras = extras;
    this.rebuildTable();
  }

  /** Moves the entries held together at the head's end, dropping the holes (entries removed from the middle). */
  private compact(): void {
    let to = this.head;
    for (let pos = this.head; pos < this.tail; pos++) {
      const f = pos & this.mask;
      const key = this.keys[f];
      if (key === null) continue;
      if (to !== pos) {
        const t = to & this.mask;
        this.keys[t] = key;
        this.hashes[t] = this.hashes[f];
        this.seqs[t] = this.seqs[f];
        this.at[t] = this.at[f];
        this.modelNames[t] = this.modelNames[f];
        this.modelVersions[t] = this.modelVersions[f];
        this.extras[t] = this.extras[f];
        this.keys[f] = null;
      }
      to++;
    }
    this.tail = to;
    this.rebuildTable();
  }
}
