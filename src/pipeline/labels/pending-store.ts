// The label join's predictions awaiting a label (up to 200k by default), held in columns instead of an
// object (and a map entry object) per prediction: at 10k predictions/s those objects were ~40% of the
// live heap, all surviving young-generation collections, which made the scavenges long. One map from
// prediction id to slot remains. Slots are in arrival (seq) order; a removed prediction leaves a hole
// that the head passes, or that a compaction drops once holes outnumber the predictions held.
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
  /** Prediction id → absolute slot (array index + base). */
  private readonly index = new Map<string, number>();
  private base = 0;
  private head = 0;
  private ids: (string | null)[] = [];
  private seqs: number[] = [];
  private modelNames: string[] = [];
  private modelVersions: string[] = [];
  private classes: string[] = [];
  private at: number[] = [];
  private readonly interned = new Interner();

  get size(): number {
    return this.index.size;
  }

  has(id: string): boolean {
    return this.index.has(id);
  }

  get(id: string): PendingPrediction | undefined {
    const slot = this.index.get(id);
    return slot === undefined ? undefined : this.entry(slot - this.base);
  }

  /** Appends a prediction; its seq must be above every seq held. */
  add(p: PendingPrediction): void {
    if (this.ids.length - this.head > 2 * this.index.size + 1024) this.compact();
    this.index.set(p.id, this.base + this.ids.length);
    this.ids.push(p.id);
    this.seqs.push(p.seq);
    this.modelNames.push(this.interned.get(p.modelName));
    this.modelVersions.push(this.interned.get(p.modelVersion));
    this.classes.push(this.interned.get(p.predictedClass));
    this.at.push(p.atMs);
  }

  /** Removes a prediction; false when it is not held. */
  delete(id: string): boolean {
    const slot = this.index.get(id);
    if (slot === undefined) return false;
    this.index.delete(id);
    this.ids[slot - this.base] = null;
    return true;
  }

  /** The oldest prediction held. */
  oldest(): PendingPrediction | undefined {
    this.skipHoles();
    return this.head < this.ids.length ? this.entry(this.head) : undefined;
  }

  /** The oldest prediction's queue time and seq, without building it (expiry checks it on every record). */
  oldestAtMs(): number | undefined {
    this.skipHoles();
    return this.head < this.ids.length ? this.at[this.head] : undefined;
  }
  oldestSeq(): number | undefined {
    this.skipHoles();
    return this.head < this.ids.length ? this.seqs[this.head] : undefined;
  }

  /** Removes the oldest prediction. */
  dropOldest(): void {
    this.skipHoles();
    if (this.head < this.ids.length) this.delete(this.ids[this.head]!);
  }

  /** The predictions held with seq ≥ fromSeq, oldest first. */
  *from(fromSeq = -Infinity): IterableIterator<PendingPrediction> {
    this.skipHoles();
    for (let i = this.firstAtOrAbove(fromSeq); i < this.ids.length; i++) if (this.ids[i] !== null) yield this.entry(i);
  }

  clear(): void {
    this.index.clear();
    this.base += this.ids.length;
    this.head = 0;
    this.ids = [];
    this.seqs = [];
    this.modelNames = [];
    this.modelVersions = [];
    this.classes = [];
    this.at = [];
  }

  private entry(i: number): PendingPrediction {
    return { id: this.ids[i]!, modelName: this.modelNames[i], modelVersion: this.modelVersions[i], predictedClass: this.classes[i], atMs: this.at[i], seq: this.seqs[i] };
  }

  /** The first slot (from the head) whose seq is ≥ fromSeq: seqs grow along the slots. */
  private firstAtOrAbove(fromSeq: number): number {
    let lo = this.head;
    let hi = this.ids.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.seqs[mid] < fromSeq) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private skipHoles(): void {
    while (this.head < this.ids.length && this.ids[this.head] === null) this.head++;
    // Drop the passed slots once they are half the arrays: slots keep their absolute numbers.
    if (this.head > 4096 && this.head * 2 > this.ids.length) {
      const h = this.head;
      this.ids = this.ids.slice(h);
      this.seqs = this.seqs.slice(h);
      this.modelNames = this.modelNames.slice(h);
      this.modelVersions = this.modelVersions.slice(h);
      this.classes = this.classes.slice(h);
      this.at = this.at.slice(h);
      this.base += h;
      this.head = 0;
    }
  }

  /** Rebuilds the columns without holes (predictions removed from the middle, by their labels). */
  private compact(): void {
    const held = [...this.from()];
    this.clear();
    for (const p of held) this.add(p);
  }
}
