// The label join's predictions awaiting a label (up to 200k by default), held in columns instead of an
// object (and a map entry object) per prediction: at 10k predictions/s those objects were ~40% of the
// live heap, all surviving young-generation collections, which made the scavenges long. One map from
// prediction id to position remains. The columns are rings that grow by doubling and are never sliced:
// arrays grown by push and cut as the head moves are large objects left for the major collections (the
// large-object space held 82 MB before one, 31–52 MB with rings). Positions are in arrival (seq) order; a removed prediction leaves a hole that the head
// passes, or that a compaction drops when the ring is full and holes are at least half of it.
import type { PendingPrediction } from './join.js';

/** Strings many predictions share (model names and versions, classes): one copy each, at most this many. */
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

export class PendingStore {
  /** Prediction id → position (absolute: slot = position & mask, unchanged when the ring grows). */
  private readonly index = new Map<string, number>();
  private capacity = 1024;
  private mask = this.capacity - 1;
  /** Positions [head, tail) hold predictions and holes (null ids). */
  private head = 0;
  private tail = 0;
  private ids: (string | null)[] = new Array(this.capacity).fill(null);
  private seqs = new Float64Array(this.capacity);
  private at = new Float64Array(this.capacity);
  private modelNames: string[] = new Array(this.capacity).fill('');
  private modelVersions: string[] = new Array(this.capacity).fill('');
  private classes: string[] = new Array(this.capacity).fill('');
  private readonly interned = new Interner();

  get size(): number {
    return this.index.size;
  }

  has(id: string): boolean {
    return this.index.has(id);
  }

  get(id: string): PendingPrediction | undefined {
    const pos = this.index.get(id);
    return pos === undefined ? undefined : this.entry(pos & this.mask);
  }

  /** Appends a prediction; its seq must be above every seq held. */
  add(p: PendingPrediction): void {
    if (this.tail - this.head === this.capacity) {
      if (2 * this.index.size <= this.capacity) this.compact();
      else this.resize(this.capacity * 2);
    }
    const slot = this.tail & this.mask;
    this.index.set(p.id, this.tail++);
    this.ids[slot] = p.id;
    this.seqs[slot] = p.seq;
    this.at[slot] = p.atMs;
    this.modelNames[slot] = this.interned.get(p.modelName);
    this.modelVersions[slot] = this.interned.get(p.modelVersion);
    this.classes[slot] = this.interned.get(p.predictedClass);
  }

  /** Removes a prediction; false when it is not held. */
  delete(id: string): boolean {
    const pos = this.index.get(id);
    if (pos === undefined) return false;
    this.index.delete(id);
    this.ids[pos & this.mask] = null;
    return true;
  }

  /** The oldest prediction held. */
  oldest(): PendingPrediction | undefined {
    this.skipHoles();
    return this.head < this.tail ? this.entry(this.head & this.mask) : undefined;
  }

  /** The oldest prediction's queue time and seq, without building it (expiry checks it on every record). */
  oldestAtMs(): number | undefined {
    this.skipHoles();
    return this.head < this.tail ? this.at[this.head & this.mask] : undefined;
  }
  oldestSeq(): number | undefined {
    this.skipHoles();
    return this.head < this.tail ? this.seqs[this.head & this.mask] : undefined;
  }

  /** Removes the oldest prediction. */
  dropOldest(): void {
    this.skipHoles();
    if (this.head < this.tail) this.delete(this.ids[this.head & this.mask]!);
  }

  /** The predictions held with seq ≥ fromSeq, oldest first. */
  *from(fromSeq = -Infinity): IterableIterator<PendingPrediction> {
    this.skipHoles();
    for (let pos = this.firstAtOrAbove(fromSeq); pos < this.tail; pos++) {
      const slot = pos & this.mask;
      if (this.ids[slot] !== null) yield this.entry(slot);
    }
  }

  /** Calls `fn` for each prediction held with seq ≥ fromSeq, oldest first, without building objects. */
  eachFrom(fromSeq: number, fn: (seq: number, id: string, modelName: string, modelVersion: string, predictedClass: string, atMs: number) => void): void {
    this.skipHoles();
    for (let pos = this.firstAtOrAbove(fromSeq); pos < this.tail; pos++) {
      const slot = pos & this.mask;
      const id = this.ids[slot];
      if (id !== null) fn(this.seqs[slot], id, this.modelNames[slot], this.modelVersions[slot], this.classes[slot], this.at[slot]);
    }
  }

  clear(): void {
    this.index.clear();
    this.ids.fill(null);
    this.head = this.tail = 0;
  }

  private entry(slot: number): PendingPrediction {
    return { id: this.ids[slot]!, modelName: this.modelNames[slot], modelVersion: this.modelVersions[slot], predictedClass: this.classes[slot], atMs: this.at[slot], seq: this.seqs[slot] };
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
    while (this.head < this.tail && this.ids[this.head & this.mask] === null) this.head++;
  }

  /** Copies every position into rings of another size: positions, so the index, stay as they are. */
  private resize(capacity: number): void {
    const mask = capacity - 1;
    const ids: (string | null)[] = new Array(capacity).fill(null);
    const seqs = new Float64Array(capacity);
    const at = new Float64Array(capacity);
    const modelNames: string[] = new Array(capacity).fill('');
    const modelVersions: string[] = new Array(capacity).fill('');
    const classes: string[] = new Array(capacity).fill('');
    for (let pos = this.head; pos < this.tail; pos++) {
      const from = pos & this.mask;
      const to = pos & mask;
      ids[to] = this.ids[from];
      seqs[to] = this.seqs[from];
      at[to] = this.at[from];
      modelNames[to] = this.modelNames[from];
      modelVersions[to] = this.modelVersions[from];
      classes[to] = this.classes[from];
    }
    this.capacity = capacity;
    this.mask = mask;
    this.ids = ids;
    this.seqs = seqs;
    this.at = at;
    this.modelNames = modelNames;
    this.modelVersions = modelVersions;
    this.classes = classes;
  }

  /** Moves the predictions held together at the head's end, dropping the holes (labels came for them). */
  private compact(): void {
    let to = this.head;
    for (let pos = this.head; pos < this.tail; pos++) {
      const f = pos & this.mask;
      const id = this.ids[f];
      if (id === null) continue;
      if (to !== pos) {
        const t = to & this.mask;
        this.ids[t] = id;
        this.seqs[t] = this.seqs[f];
        this.at[t] = this.at[f];
        this.modelNames[t] = this.modelNames[f];
        this.modelVersions[t] = this.modelVersions[f];
        this.classes[t] = this.classes[f];
        this.ids[f] = null;
        this.index.set(id, to);
      }
      to++;
    }
    this.tail = to;
  }
}
