// Bounded-memory, mergeable summaries of one feature over a window, for streaming drift: one summary
// per sub-window (e.g. an hour), merged over the last 7 days, checkpointed as JSON.
//  - NumericSummary: counts in fixed bins derived once from the reference (fine reference-quantile
//    bins; the PSI/JS bins are every (fine/coarse)-th edge, so PSI and JS from summaries equal the
//    exact values), min/max, missing count, the distinct values while there are few (for the
//    chi-square / z-test auto choice), and optionally the raw values (exact mode, for small windows).
//  - CategoricalSummary: counts of at most maxCategories categories; later new ones go to OTHER.
import { quantileEdges, binIndex } from './quantile_bins.js';
import { sortedFinite } from './ks.js';
import type { CategoryCounts } from './counts.js';

export const DEFAULT_FINE_BINS = 200;
export const DEFAULT_COARSE_BINS = 10;
/** Distinct values kept per numeric summary (enough for the auto rule's "<= 5 values"). */
export const DISTINCT_LIMIT = 32;
export const DEFAULT_MAX_CATEGORIES = 1000;
export const OTHER_CATEGORY = '__other__';

/** Bins shared by every summary of one feature; derived from the reference. */
export interface NumericBinSpec {
  fineBins: number;
  coarseBins: number;
  /** Interior fine reference-quantile edges, strictly increasing. */
  edges: number[];
  /** Indices into `edges` of the coarse (PSI/JS) edges. */
  coarse: number[];
}

export function numericBinSpec(reference: ArrayLike<number>, fineBins = DEFAULT_FINE_BINS, coarseBins = DEFAULT_COARSE_BINS): NumericBinSpec {
  if (fineBins % coarseBins !== 0) throw new RangeError(`fine bins (${fineBins}) must be a multiple of coarse bins (${coarseBins})`);
  const sorted = sortedFinite(reference);
  if (sorted.length === 0) throw new RangeError('numericBinSpec: reference has no finite value');
  const edges = quantileEdges(sorted, fineBins);
  // Same quantile positions, so each coarse edge equals some fine edge exactly.
  const coarse = quantileEdges(sorted, coarseBins).map((e) => {
    const i = binIndex(edges, e) - 1;
    if (edges[i] !== e) throw new Error('coarse edge not among fine edges');
    return i;
  });
  return { fineBins, coarseBins, edges, coarse };
}

export interface NumericSummaryJSON {
  kind: 'num';
  spec: NumericBinSpec;
  counts: number[];
  missing: number;
  finite: number;
  mean: number;
  m2: number;
  min: number | null;
  max: number | null;
  distinct: [number, number][] | null;
  exact: number[] | null;
  maxExact: number;
}

export class NumericSummary {
  readonly kind = 'num' as const;
  counts: Float64Array;
  missing = 0;
  min = Infinity;
  max = -Infinity;
  /** Finite values counted, their mean and sum of squared deviations (Welford; merged with Chan's rule). */
  finite = 0;
  mean = 0;
  m2 = 0;
  /** value → count while at most DISTINCT_LIMIT distinct values were seen; null after. */
  distinct: Map<number, number> | null = new Map();
  /** Raw values in exact mode; dropped (null) once more than maxExact arrive. */
  exact: number[] | null;

  constructor(readonly spec: NumericBinSpec, readonly maxExact = 0) {
    this.counts = new Float64Array(spec.edges.length + 1);
    this.exact = maxExact > 0 ? [] : null;
  }

  /** Finite values tested. */
  get n(): number {
    return this.finite;
  }

  /** Population standard deviation (ddof = 0) of the finite values. */
  get std(): number {
    return this.finite > 0 ? Math.sqrt(this.m2 / this.finite) : NaN;
  }

  add(x: number | null | undefined): void {
    if (typeof x !== 'number' || !Number.isFinite(x)) {
      this.missing++;
      return;
    }
    this.finite++;
    const delta = x - this.mean;
    this.mean += delta / this.finite;
    this.m2 += delta * (x - this.mean);
    this.counts[binIndex(this.spec.edges, x)]++;
    if (x < this.min) this.min = x;
    if (x > this.max) this.max = x;
    if (this.distinct) {
      this.distinct.set(x, (this.distinct.get(x) ?? 0) + 1);
      if (this.distinct.size > DISTINCT_LIMIT) this.distinct = null;
    }
    if (this.exact) {
      if (this.exact.length < this.maxExact) this.exact.push(x);
      else this.exact = null;
    }
  }

  addAll(values: ArrayLike<number | null>): this {
    for (let i = 0; i < values.length; i++) this.add(values[i]);
    return this;
  }

  /** Adds `other` into this summary (same spec required). */
  merge(other: NumericSummary): this {
    if (!sameSpec(this.spec, other.spec)) throw new Error('NumericSummary.merge: different bin specs');
    for (let i = 0; i < this.counts.length; i++) this.counts[i] += other.counts[i];
    this.missing += other.missing;
    const n = this.finite + other.finite;
    if (n > 0) {
      const delta = other.mean - this.mean;
      this.m2 += other.m2 + (delta * delta * this.finite * other.finite) / n;
      this.mean += (delta * other.finite) / n;
    }
    this.finite = n;
    this.min = Math.min(this.min, other.min);
    this.max = Math.max(this.max, other.max);
    if (this.distinct && other.distinct) {
      for (const [v, c] of other.distinct) this.distinct.set(v, (this.distinct.get(v) ?? 0) + c);
      if (this.distinct.size > DISTINCT_LIMIT) this.distinct = null;
    } else this.distinct = null;
    if (this.exact && other.exact && this.exact.length + other.exact.length <= this.maxExact) this.exact.push(...other.exact);
    else this.exact = null;
    return this;
  }

  /** Counts in the coarse (PSI / Jensen–Shannon) bins. */
  coarseCounts(): Float64Array {
    const out = new Float64Array(this.spec.coarse.length + 1);
    let b = 0;
    for (let i = 0; i < this.counts.length; i++) {
      // fine bin i lies at or above coarse edge b when i > coarse[b]
      while (b < this.spec.coarse.length && i > this.spec.coarse[b]) b++;
      out[b] += this.counts[i];
    }
    return out;
  }

  toJSON(): NumericSummaryJSON {
    return {
      kind: 'num',
      spec: this.spec,
      counts: Array.from(this.counts),
      missing: this.missing,
      finite: this.finite,
      mean: this.mean,
      m2: this.m2,
      min: Number.isFinite(this.min) ? this.min : null,
      max: Number.isFinite(this.max) ? this.max : null,
      distinct: this.distinct ? [...this.distinct] : null,
      exact: this.exact ? [...this.exact] : null,
      maxExact: this.maxExact,
    };
  }

  static fromJSON(j: NumericSummaryJSON): NumericSummary {
    const s = new NumericSummary(j.spec, j.maxExact);
    if (j.counts.length !== s.counts.length) throw new Error('NumericSummary.fromJSON: counts do not match the spec');
    s.counts = Float64Array.from(j.counts);
    s.missing = j.missing;
    s.finite = j.finite;
    s.mean = j.mean;
    s.m2 = j.m2;
    s.min = j.min ?? Infinity;
    s.max = j.max ?? -Infinity;
    s.distinct = j.distinct ? new Map(j.distinct) : null;
    s.exact = j.exact ? [...j.exact] : null;
    return s;
  }
}

function sameSpec(a: NumericBinSpec, b: NumericBinSpec): boolean {
  return a === b || (a.edges.length === b.edges.length && a.edges.every((e, i) => e === b.edges[i]) &&
    a.coarse.length === b.coarse.length && a.coarse.every((c, i) => c === b.coarse[i]));
}

export interface CategoricalSummaryJSON {
  kind: 'cat';
  counts: [string, number][];
  other: number;
  missing: number;
  maxCategories: number;
}

export class CategoricalSummary {
  readonly kind = 'cat' as const;
  counts: CategoryCounts = new Map();
  /** Values of categories that arrived after the category map was full. */
  other = 0;
  missing = 0;

  constructor(readonly maxCategories = DEFAULT_MAX_CATEGORIES) {}

  get n(): number {
    let s = this.other;
    for (const c of this.counts.values()) s += c;
    return s;
  }

  add(v: string | null | undefined): void {
    if (v === null || v === undefined || v === '') {
      this.missing++;
      return;
    }
    const c = this.counts.get(v);
    if (c !== undefined) this.counts.set(v, c + 1);
    else if (this.counts.size < this.maxCategories) this.counts.set(v, 1);
    else this.other++;
  }

  addAll(values: Iterable<string | null>): this {
    for (const v of values) this.add(v);
    return this;
  }

  /** Adds `other` in; past maxCategories the least frequent categories fold into OTHER. */
  merge(o: CategoricalSummary): this {
    for (const [k, c] of o.counts) this.counts.set(k, (this.counts.get(k) ?? 0) + c);
    this.other += o.other;
    this.missing += o.missing;
    if (this.counts.size > this.maxCategories) {
      const kept = [...this.counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
      for (const [, c] of kept.slice(this.maxCategories)) this.other += c;
      this.counts = new Map(kept.slice(0, this.maxCategories));
    }
    return this;
  }

  /** Counts including the OTHER bucket when it is used. */
  categoryCounts(): CategoryCounts {
    const m = new Map(this.counts);
    if (this.other > 0) m.set(OTHER_CATEGORY, this.other);
    return m;
  }

  toJSON(): CategoricalSummaryJSON {
    return { kind: 'cat', counts: [...this.counts], other: this.other, missing: this.missing, maxCategories: this.maxCategories };
  }

  static fromJSON(j: CategoricalSummaryJSON): CategoricalSummary {
    const s = new CategoricalSummary(j.maxCategories);
    s.counts = new Map(j.counts);
    s.other = j.other;
    s.missing = j.missing;
    return s;
  }
}

export type FeatureSummary = NumericSummary | CategoricalSummary;
export type FeatureSummaryJSON = NumericSummaryJSON | CategoricalSummaryJSON;

export function summaryFromJSON(j: FeatureSummaryJSON): FeatureSummary {
  return j.kind === 'num' ? NumericSummary.fromJSON(j) : CategoricalSummary.fromJSON(j);
}
