// A large first-in-first-out collection of predictions keyed by a string, held in columns instead of an
// object (and a map entry object) per entry: the label join's predictions awaiting a label (up to 200k)
// and each assembler's predictions already handed on (50k per consumer). At 10k predictions/s such
// objects all outlived the young generation and were ~40% of the live heap; the old generation then
// filled with them as they left. One map from key to position remains. The columns are rings that grow
// by doubling and are never sliced (arrays grown by push and cut as the head moves were large objects
// left for the major collections). Positions are in arrival (seq) order; a removed entry leaves a hole
// that the head passes, or that a compaction drops when the ring is full and holes are at least half.

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
  /** Key → position (absolute: slot = position & mask, unchanged when the ring grows). */
  private readonly index = new Map<string, number>();
  private capacity = 1024;
  private mask = this.capacity - 1;
  /** Positions [head, tail) hold entries and holes (null keys). */
  private head = 0;
  private tail = 0;
  private keys: (string | null)[] = new Array(this.capacity).fill(null);
  private seqs = new Float64Array(this.capacity);
  private at = new Float64Array(this.capacity);
  private modelNames: string[] = new Array(this.capacity).fill('');
  private modelVersions: string[] = new Array(this.capacity).fill('');
  private extras: (string | null)[] = new Array(this.capacity).fill(null);
  private readonly interned = new Interner();

  /** `internExtra`: whether the extra column holds few distinct values (classes), not unique ones (ids). */
  constructor(private readonly internExtra: boolean) {}

  get size(): number {
    return this.index.size;
  }

  has(key: string): boolean {
    return this.index.has(key);
  }

  /** Appends an entry; its seq must be above every seq held, its key not held. */
  add(key: string, seq: number, modelName: string, modelVersion: string, extra: string | null, atMs: number): void {
    if (this.tail - this.head === this.capacity) {
      if (2 * this.index.size <= this.capacity) this.compact();
      else this.resize(this.capacity * 2);
    }
    const slot = this.tail & this.mask;
    this.index.set(key, this.tail++);
    this.keys[slot] = key;
    this.seqs[slot] = seq;
    this.at[slot] = atMs;
    this.modelNames[slot] = this.interned.get(modelName);
    this.modelVersions[slot] = this.interned.get(modelVersion);
    this.extras[slot] = this.internExtra && extra !== null ? this.interned.get(extra) : extra;
  }

  /** Removes an entry; false when it is not held. */
  delete(key: string): boolean {
    const pos = this.index.get(key);
    if (pos === undefined) return false;
    this.index.delete(key);
    this.keys[pos & this.mask] = null;
    return true;
  }

  /**
   * Where the entry held under `key` sits (-1: none), for the column getters below; valid until the next
   * add, delete or drop. Slots rather than an object per lookup: lookups run for every record.
   */
  slotOf(key: string): number {
    const pos = this.index.get(key);
    return pos === undefined ? -1 : pos & this.mask;
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

  /** Removes the oldest entry (its slot is known: no lookup of its key, as delete() needs). */
  dropOldest(): void {
    this.skipHoles();
    if (this.head === this.tail) return;
    const slot = this.head & this.mask;
    this.index.delete(this.keys[slot]!);
    this.keys[slot] = null;
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
    this.index.clear();
    this.keys.fill(null);
    this.head = this.tail = 0;
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

  /** Copies every position into rings of another size: positions, so the index, stay as they are. */
  private resize(capacity: number): void {
    const mask = capacity - 1;
    const keys: (string | null)[] = new Array(capacity).fill(null);
    const seqs = new Float64Array(capacity);
    const at = new Float64Array(capacity);
    const modelNames: string[] = new Array(capacity).fill('');
    const modelVersions: string[] = new Array(capacity).fill('');
    const extras: (string | null)[] = new Array(capacity).fill(null);
    for (let pos = this.head; pos < this.tail; pos++) {
      const from = pos & this.mask;
      const to = pos & mask;
      keys[to] = this.keys[from];
      seqs[to] = this.seqs[from];
      at[to] = this.at[from];
      modelNames[to] = this.modelNames[from];
      modelVersions[to] = this.modelVersions[from];
      extras[to] = this.extras[from];
    }
    this.capacity = capacity;
    this.mask = mask;
    this.keys = keys;
    this.seqs = seqs;
    this.at = at;
    this.modelNames = modelNames;
    this.modelVersions = modelVersions;
    this.extras = extras;
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
        this.seqs[t] = this.seqs[f];
        this.at[t] = this.at[f];
        this.modelNames[t] = this.modelNames[f];
        this.modelVersions[t] = this.modelVersions[f];
        this.extras[t] = this.extras[f];
        this.keys[f] = null;
        this.index.set(key, to);
      }
      to++;
    }
    this.tail = to;
  }
}
