// The finite values of one raw numerical column. They are sorted at most once, and only when a test
// needs their order (KS, Wasserstein, the reference side's quantile bins): the current side of PSI and
// Jensen–Shannon is binned unsorted, and the automatic test choice counts distinct values by scanning.
import { sortFloat64InPlace } from './sort.js';

export class FiniteSample {
  private ordered: boolean;

  /** `shared`: `own` is the caller's array, copied before it is sorted. */
  private constructor(private own: Float64Array, ordered: boolean, private shared = false) {
    this.ordered = ordered;
  }

  /** The finite values (NaN, ±Infinity and null are left out); the caller's array is never changed. */
  static of(values: ArrayLike<number | null>): FiniteSample {
    if (values instanceof Float64Array) {
      let finite = true;
      for (let i = 0; i < values.length && finite; i++) finite = Number.isFinite(values[i]);
      if (finite) return new FiniteSample(values, false, true);
    }
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
      if (this.shared) this.own = this.own.slice();
      this.shared = false;
      sortFloat64InPlace(this.own);
      this.ordered = true;
    }
    return this.own;
  }
}
