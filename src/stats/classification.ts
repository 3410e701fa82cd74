// The last N labelled predictions of one model version and their quality metrics.
// Entries are (predicted class, actual class) in the order their labels arrived; adding beyond N evicts the
// oldest. Per-class counts and the sparse confusion matrix are kept incrementally, so an add costs O(1)
// and a metrics read costs O(classes log classes), independent of N.

import {
  averageScores,
  scoresOf,
  type Average,
  type ClassCounts,
  type ClassScores,
  type Scores,
} from './classification_metrics.js';

export type { Average, ClassCounts, ClassScores, Scores } from './classification_metrics.js';

export const DEFAULT_WINDOW_SIZE = 1000;
// Class indices stay below 2 * size (see release()), and pair keys are index * 2 * size + index:
// this bound keeps those keys exact integers in a double.
const MAX_WINDOW_SIZE = 1 << 24;

/** Quality of the window. All NaN when the window is empty: callers apply their own minimum count. */
export interface WindowMetrics extends Scores {
  accuracy: number;
  count: number;
}

/** How `metrics()` reads the window: one positive class, or a multiclass average. */
export type MetricsMode = { mode: 'binary'; positiveClass: string } | { mode: 'multiclass'; average?: Average };

/** The checkpoint form: entries oldest first, as indices into `labels`. */
export interface SlidingConfusionWindowState {
  version: 1;
  size: number;
  labels: string[];
  predicted: number[];
  actual: number[];
}

export class SlidingConfusionWindow {
  /** Capacity N. */
  readonly size: number;
  private readonly ringPredicted: Int32Array;
  private readonly ringActual: Int32Array;
  /** Ring slot of the oldest entry. */
  private oldest = 0;
  private filled = 0;
  private correct = 0;

  // Class interning. An index is released when its class leaves the window entirely, so a stream of
  // ever-new class names cannot grow memory past 2N classes.
  private readonly indexOfLabel = new Map<string, number>();
  private labelOfIndex: string[] = [];
  private freeIndices: number[] = [];
  private truePositives: Int32Array;
  private predictedCount: Int32Array;
  private actualCount: Int32Array;
  /** Confusion matrix cells that are non-zero: key predicted * 2N + actual → count. */
  private readonly cells = new Map<number, number>();
  private readonly keyStride: number;

  constructor(size: number = DEFAULT_WINDOW_SIZE) {
    if (!Number.isInteger(size) || size < 1 || size > MAX_WINDOW_SIZE) {
      throw new RangeError(`window size must be an integer in [1, ${MAX_WINDOW_SIZE}], got ${size}`);
    }
    this.size = size;
    this.ringPredicted = new Int32Array(size);
    this.ringActual = new Int32Array(size);
    this.keyStride = 2 * size;
    const initial = Math.min(16, 2 * size);
    this.truePositives = new Int32Array(initial);
    this.predictedCount = new Int32Array(initial);
    this.actualCount = new Int32Array(initial);
  }

  /** Labelled predictions currently in the window (≤ size). */
  get count(): number {
    return this.filled;
  }

  /** Adds one labelled prediction, evicting the oldest when the window is full. */
  add(predicted: string, actual: string): void {
    let slot: number;
    if (this.filled === this.size) {
      slot = this.oldest;
      this.evict(this.ringPredicted[slot], this.ringActual[slot]);
      this.oldest = slot + 1 === this.size ? 0 : slot + 1;
    } else {
      slot = this.oldest + this.filled;
      if (slot >= this.size) slot -= this.size;
      this.filled++;
    }
    const p = this.intern(predicted);
    const a = this.intern(actual);
    this.ringPredicted[slot] = p;
    this.ringActual[slot] = a;
    this.predictedCount[p]++;
    this.actualCount[a]++;
    if (p === a) {
      this.truePositives[p]++;
      this.correct++;
    }
    const key = p * this.keyStride + a;
    this.cells.set(key, (this.cells.get(key) ?? 0) + 1);
  }

  /** Share of correct predictions; NaN when empty. */
  accuracy(): number {
    return this.filled === 0 ? NaN : this.correct / this.filled;
  }

  /** Counts of every class present in the window, sorted by label (code-unit order, deterministic). */
  classCounts(): ClassCounts[] {
    const out: ClassCounts[] = [];
    for (const [label, i] of this.indexOfLabel) {
      out.push({
        label,
        truePositives: this.truePositives[i],
        predicted: this.predictedCount[i],
        actual: this.actualCount[i],
      });
    }
    return out.sort((x, y) => (x.label < y.label ? -1 : x.label > y.label ? 1 : 0));
  }

  /** Per-class precision, recall, F1 and support, sorted by label. */
  perClass(): ClassScores[] {
    return this.classCounts().map(scoresOf);
  }

  /**
   * Scores of `positiveClass` against all others (sklearn average='binary'). If that class is absent
   * from the window its scores are 0 (zero_division=0); NaN when the window is empty.
   */
  binary(positiveClass: string): Scores {
    if (this.filled === 0) return { precision: NaN, recall: NaN, f1: NaN };
    const i = this.indexOfLabel.get(positiveClass);
    if (i === undefined) return { precision: 0, recall: 0, f1: 0 };
    const { precision, recall, f1 } = scoresOf({
      label: positiveClass,
      truePositives: this.truePositives[i],
      predicted: this.predictedCount[i],
      actual: this.actualCount[i],
    });
    return { precision, recall, f1 };
  }

  /** Multiclass averaged scores over the classes present in the window (see Average). */
  multiclass(average: Average = 'macro'): Scores {
    return averageScores(this.classCounts(), average);
  }

  /** Accuracy, precision, recall and F1 in one read, as the window processor reports them. */
  metrics(mode: MetricsMode = { mode: 'multiclass' }): WindowMetrics {
    const scores = mode.mode === 'binary' ? this.binary(mode.positiveClass) : this.multiclass(mode.average);
    return { accuracy: this.accuracy(), count: this.filled, ...scores };
  }

  /** The confusion matrix of the window: matrix[i][j] = predicted labels[j] when the truth was labels[i]. */
  confusionMatrix(): { labels: string[]; matrix: number[][] } {
    const labels = this.classCounts().map((c) => c.label);
    const position = new Map(labels.map((label, k) => [label, k] as const));
    const matrix = labels.map(() => labels.map(() => 0));
    for (const [key, n] of this.cells) {
      const p = Math.floor(key / this.keyStride);
      const a = key - p * this.keyStride;
      matrix[position.get(this.labelOfIndex[a])!][position.get(this.labelOfIndex[p])!] = n;
    }
    return { labels, matrix };
  }

  /** Entries oldest first (for checkpoints and tests). */
  entries(): Array<[predicted: string, actual: string]> {
    const out: Array<[string, string]> = [];
    for (let k = 0; k < this.filled; k++) {
      const slot = (this.oldest + k) % this.size;
      out.push([this.labelOfIndex[this.ringPredicted[slot]], this.labelOfIndex[this.ringActual[slot]]]);
    }
    return out;
  }

  toJSON(): SlidingConfusionWindowState {
    const labels: string[] = [];
    const position = new Map<string, number>();
    const predicted: number[] = [];
    const actual: number[] = [];
    const indexOf = (label: string): number => {
      let k = position.get(label);
      if (k === undefined) {
        k = labels.length;
        labels.push(label);
        position.set(label, k);
      }
      return k;
    };
    for (const [p, a] of this.entries()) {
      predicted.push(indexOf(p));
      actual.push(indexOf(a));
    }
    return { version: 1, size: this.size, labels, predicted, actual };
  }

  /** Rebuilds a window whose every read equals the checkpointed one's. Throws on a malformed state. */
  static fromJSON(state: SlidingConfusionWindowState): SlidingConfusionWindow {
    if (state === null || typeof state !== 'object' || state.version !== 1) {
      throw new TypeError('not a SlidingConfusionWindow state (version 1)');
    }
    const { labels, predicted, actual } = state;
    if (!Array.isArray(labels) || !Array.isArray(predicted) || !Array.isArray(actual)) {
      throw new TypeError('SlidingConfusionWindow state: labels, predicted and actual must be arrays');
    }
    if (predicted.length !== actual.length) {
      throw new TypeError('SlidingConfusionWindow state: predicted and actual differ in length');
    }
    const window = new SlidingConfusionWindow(state.size);
    if (predicted.length > window.size) {
      throw new TypeError(`SlidingConfusionWindow state: ${predicted.length} entries exceed size ${window.size}`);
    }
    const label = (k: unknown): string => {
      if (!Number.isInteger(k) || (k as number) < 0 || (k as number) >= labels.length) {
        throw new TypeError(`SlidingConfusionWindow state: label index ${String(k)} out of range`);
      }
      const name = labels[k as number];
      if (typeof name !== 'string') throw new TypeError('SlidingConfusionWindow state: labels must be strings');
      return name;
    };
    for (let k = 0; k < predicted.length; k++) window.add(label(predicted[k]), label(actual[k]));
    return window;
  }

  private evict(p: number, a: number): void {
    this.predictedCount[p]--;
    this.actualCount[a]--;
    if (p === a) {
      this.truePositives[p]--;
      this.correct--;
    }
    const key = p * this.keyStride + a;
    const n = this.cells.get(key)! - 1;
    if (n === 0) this.cells.delete(key);
    else this.cells.set(key, n);
    this.releaseIfAbsent(p);
    if (a !== p) this.releaseIfAbsent(a);
  }

  private releaseIfAbsent(i: number): void {
    if (this.predictedCount[i] !== 0 || this.actualCount[i] !== 0) return;
    this.indexOfLabel.delete(this.labelOfIndex[i]);
    this.freeIndices.push(i);
  }

  private intern(label: string): number {
    const known = this.indexOfLabel.get(label);
    if (known !== undefined) return known;
    let i = this.freeIndices.pop();
    if (i === undefined) {
      i = this.labelOfIndex.length;
      if (i >= this.truePositives.length) this.grow();
      this.labelOfIndex.push(label);
    } else {
      this.labelOfIndex[i] = label;
    }
    this.indexOfLabel.set(label, i);
    return i;
  }

  private grow(): void {
    const capacity = Math.min(this.truePositives.length * 2, this.keyStride);
    const widen = (from: Int32Array): Int32Array => {
      const to = new Int32Array(capacity);
      to.set(from);
      return to;
    };
    this.truePositives = widen(this.truePositives);
    this.predictedCount = widen(this.predictedCount);
    this.actualCount = widen(this.actualCount);
  }
}
