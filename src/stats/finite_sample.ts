// The finite values of one raw numerical column. They are sorted at most once, and only when a test
// needs their order (KS, Wasserstein, the reference side's quantile bins): the current side of PSI and
// Jensen–Shannon is binned unsorted, and the automatic test choice counts distinct values by scanning.
import { sortFloat64InPlace } from './sort.js';

export class FiniteSample {
  private ordered: boolean;

  private constructor(private readonly own: Float64Array, ordered: boolean) {
    this.ordered = ordered;
  }

  /** A copy of the finite values (NaN, ±Infinity and null are left out). */
  static of(values: ArrayLike<number | null>): FiniteSample {
    const out = new Float64Array(values.length);
    let k = 0;
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      if (Number.isFinite(v)) out[k++] = v as number;
    }
    return new FiniteSample(k === out.length ? out : out.slice(0, k), false);
  }

  /** Takes an ascending array of finite values as is (no copy). */
  static ofSorted(sorted: Float64Array): FiniteSample {
    return new FiniteSample(sorted, true);
  }

  get n(): number {
    return this.own.length;
  }

  get isSorted(): boolean {
    return this.ordered;
  }

  /** The values in no particular order (ascending once sorted() was called). */
  get values(): Float64Array {
    return this.own;
  }

  /** Ascending values; sorts in place the first time. */
  sorted(): Float64Array {
    if (!this.ordered) {
      sortFloat64InPlace(this.own);
      this.ordered = true;
    }
    return this.own;
  }
}
