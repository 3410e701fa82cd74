// ADWIN2 (Bifet & Gavaldà, "Learning from Time-Changing Data with Adaptive Windowing", SDM 2007).
// Keeps a window of the most recent observations, compressed as an exponential histogram: row i holds at
// most `maxBuckets` buckets of 2^i observations (their sum and sum of squared deviations), so memory is
// O(maxBuckets · log(width)). Every `clock` updates it tests every split of the window into an older part
// W0 and a newer part W1 at bucket boundaries; when the means differ by more than the bound ε_cut it drops
// the oldest bucket and tests again. A change is reported when at least one bucket was dropped.
//
// ε_cut as in the reference implementation (MOA) with a minimum sub-window length ℓ:
//   m = 1/(n0 − ℓ + 1) + 1/(n1 − ℓ + 1),  δ' = δ / ln(n),  ε = sqrt(2 · m · σ² · ln(2/δ')) + 2/3 · m · ln(2/δ')
// where σ² is the variance of the whole window and n its width.

import type { ChangeDetector } from './index.js';
import { booleanField, countField, finiteField } from './checkpoint.js';

export interface AdwinOptions {
  /** Confidence: the false-alarm probability bound per test. Default 0.002. */
  delta?: number;
  /** Test for a change every `clock` updates. Default 32. */
  clock?: number;
  /** Buckets per histogram row before the two oldest merge. Default 5. */
  maxBuckets?: number;
  /** Minimum length of each sub-window compared. Default 5. */
  minWindowLength?: number;
  /** No test until the window holds more than this many observations. Default 10. */
  gracePeriod?: number;
}

export interface AdwinState {
  kind: 'adwin';
  delta: number;
  clock: number;
  maxBuckets: number;
  minWindowLength: number;
  gracePeriod: number;
  width: number;
  total: number;
  /** Sum of squared deviations from the mean over the window. */
  sumSquares: number;
  tick: number;
  detected: boolean;
  detections: number;
  /** rows[i]: buckets of 2^i observations, oldest first. */
  rows: Array<{ totals: number[]; sumSquares: number[] }>;
}

export class Adwin implements ChangeDetector {
  readonly delta: number;
  readonly clock: number;
  readonly maxBuckets: number;
  readonly minWindowLength: number;
  readonly gracePeriod: number;

  private rowTotals: number[][] = [[]];
  private rowSumSquares: number[][] = [[]];
  private windowWidth = 0;
  private total = 0;
  private sumSquares = 0;
  private tick = 0;
  private changed = false;
  private changes = 0;

  constructor(options: AdwinOptions = {}) {
    this.delta = options.delta ?? 0.002;
    this.clock = options.clock ?? 32;
    this.maxBuckets = options.maxBuckets ?? 5;
    this.minWindowLength = options.minWindowLength ?? 5;
    this.gracePeriod = options.gracePeriod ?? 10;
    if (!(this.delta > 0 && this.delta < 1)) throw new RangeError(`ADWIN delta must be in (0, 1), got ${this.delta}`);
    for (const [name, value] of [
      ['clock', this.clock],
      ['maxBuckets', this.maxBuckets],
      ['minWindowLength', this.minWindowLength],
    ] as const) {
      if (!Number.isInteger(value) || value < 1) throw new RangeError(`ADWIN ${name} must be a positive integer`);
    }
    if (!Number.isInteger(this.gracePeriod) || this.gracePeriod < 0) {
      throw new RangeError('ADWIN gracePeriod must be a non-negative integer');
    }
  }

  /** Observations in the current window (everything since the last detected change, roughly). */
  get width(): number {
    return this.windowWidth;
  }

  /** Mean of the window: the error rate since the last change; 0 when empty. */
  get estimate(): number {
    return this.windowWidth === 0 ? 0 : this.total / this.windowWidth;
  }

  /** Population variance of the window. */
  get variance(): number {
    return this.windowWidth === 0 ? 0 : this.sumSquares / this.windowWidth;
  }

  get detected(): boolean {
    return this.changed;
  }

  /** Changes detected since construction or reset. */
  get detections(): number {
    return this.changes;
  }

  /** Histogram buckets held (the memory bound: at most maxBuckets per row). */
  get buckets(): number {
    let n = 0;
    for (const row of this.rowTotals) n += row.length;
    return n;
  }

  update(x: number): boolean {
    this.insert(x);
    this.compress();
    this.tick++;
    this.changed = false;
    if (this.tick % this.clock === 0 && this.windowWidth > this.gracePeriod) {
      while (this.dropOldestIfCut()) this.changed = true;
    }
    if (this.changed) this.changes++;
    return this.changed;
  }

  reset(): void {
    this.rowTotals = [[]];
    this.rowSumSquares = [[]];
    this.windowWidth = 0;
    this.total = 0;
    this.sumSquares = 0;
    this.tick = 0;
    this.changed = false;
    this.changes = 0;
  }

  toJSON(): AdwinState {
    return {
      kind: 'adwin',
      delta: this.delta,
      clock: this.clock,
      maxBuckets: this.maxBuckets,
      minWindowLength: this.minWindowLength,
      gracePeriod: this.gracePeriod,
      width: this.windowWidth,
      total: this.total,
      sumSquares: this.sumSquares,
      tick: this.tick,
      detected: this.changed,
      detections: this.changes,
      rows: this.rowTotals.map((totals, i) => ({ totals: [...totals], sumSquares: [...this.rowSumSquares[i]] })),
    };
  }

  static fromJSON(state: AdwinState): Adwin {
    if (state?.kind !== 'adwin') throw new TypeError('not an ADWIN state');
    const adwin = new Adwin({
      delta: finiteField(state, 'delta'),
      clock: countField(state, 'clock'),
      maxBuckets: countField(state, 'maxBuckets'),
      minWindowLength: countField(state, 'minWindowLength'),
      gracePeriod: countField(state, 'gracePeriod'),
    });
    if (!Array.isArray(state.rows) || state.rows.length === 0) throw new TypeError('ADWIN state: rows missing');
    let width = 0;
    state.rows.forEach((row, i) => {
      const ok =
        Array.isArray(row?.totals) &&
        Array.isArray(row.sumSquares) &&
        row.totals.length === row.sumSquares.length &&
        row.totals.length <= adwin.maxBuckets &&
        [...row.totals, ...row.sumSquares].every(Number.isFinite);
      if (!ok) throw new TypeError(`ADWIN state: row ${i} is malformed`);
      width += row.totals.length * 2 ** i;
    });
    adwin.windowWidth = countField(state, 'width');
    if (width !== adwin.windowWidth) throw new TypeError('ADWIN state: buckets do not add up to the width');
    adwin.rowTotals = state.rows.map((r) => [...r.totals]);
    adwin.rowSumSquares = state.rows.map((r) => [...r.sumSquares]);
    adwin.total = finiteField(state, 'total');
    adwin.sumSquares = finiteField(state, 'sumSquares');
    adwin.tick = countField(state, 'tick');
    adwin.changed = booleanField(state, 'detected');
    adwin.changes = countField(state, 'detections');
    return adwin;
  }

  private insert(x: number): void {
    if (!Number.isFinite(x)) throw new RangeError(`ADWIN input must be finite, got ${x}`);
    const before = this.windowWidth;
    this.windowWidth++;
    if (before > 0) {
      const d = x - this.total / before;
      this.sumSquares += (before * d * d) / this.windowWidth;
    }
    this.total += x;
    this.rowTotals[0].push(x);
    this.rowSumSquares[0].push(0);
  }

  /** Merges the two oldest buckets of any over-full row into one bucket of the next row. */
  private compress(): void {
    for (let i = 0; i < this.rowTotals.length; i++) {
      const totals = this.rowTotals[i];
      if (totals.length <= this.maxBuckets) return;
      const squares = this.rowSumSquares[i];
      const n = 2 ** i;
      const t0 = totals.shift()!;
      const t1 = totals.shift()!;
      const s0 = squares.shift()!;
      const s1 = squares.shift()!;
      const d = (t0 - t1) / n;
      if (i + 1 === this.rowTotals.length) {
        this.rowTotals.push([]);
        this.rowSumSquares.push([]);
      }
      // Combining two groups of n: S = S0 + S1 + n·n/(2n) · (mean0 − mean1)².
      this.rowTotals[i + 1].push(t0 + t1);
      this.rowSumSquares[i + 1].push(s0 + s1 + (n / 2) * d * d);
    }
  }

  /** Tests every split, oldest buckets first; on the first cut found drops the oldest bucket. */
  private dropOldestIfCut(): boolean {
    let n0 = 0;
    let u0 = 0;
    let n1 = this.windowWidth;
    let u1 = this.total;
    for (let i = this.rowTotals.length - 1; i >= 0; i--) {
      const totals = this.rowTotals[i];
      const n = 2 ** i;
      for (let k = 0; k < totals.length; k++) {
        if (n1 - n <= 0) return false; // W1 must keep at least one bucket
        n0 += n;
        n1 -= n;
        u0 += totals[k];
        u1 -= totals[k];
        if (n0 >= this.minWindowLength && n1 >= this.minWindowLength && this.cuts(n0, n1, Math.abs(u0 / n0 - u1 / n1))) {
          this.dropOldestBucket();
          return true;
        }
      }
    }
    return false;
  }

  private cuts(n0: number, n1: number, meanGap: number): boolean {
    const ell = this.minWindowLength;
    const m = 1 / (n0 - ell + 1) + 1 / (n1 - ell + 1);
    const logTerm = Math.log((2 * Math.log(this.windowWidth)) / this.delta);
    const epsilon = Math.sqrt(2 * m * this.variance * logTerm) + (2 / 3) * m * logTerm;
    return meanGap > epsilon;
  }

  private dropOldestBucket(): void {
    const last = this.rowTotals.length - 1;
    const n = 2 ** last;
    const t = this.rowTotals[last].shift()!;
    const s = this.rowSumSquares[last].shift()!;
    const rest = this.windowWidth - n;
    if (rest > 0) {
      const d = t / n - (this.total - t) / rest;
      // Inverse of the combination formula; rounding must not make it negative.
      this.sumSquares = Math.max(0, this.sumSquares - s - ((n * rest) / this.windowWidth) * d * d);
    } else {
      this.sumSquares = 0;
    }
    this.total -= t;
    this.windowWidth = rest;
    if (this.rowTotals[last].length === 0 && last > 0) {
      this.rowTotals.pop();
      this.rowSumSquares.pop();
    }
  }
}
