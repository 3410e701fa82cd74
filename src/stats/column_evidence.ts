// What a statistical test needs from one column of one dataset, whether it comes from raw values
// (exact) or from a streaming summary (binned), and running one named test on a reference/current pair.
import type { ColumnType, StatTestName } from './drift_types.js';
import { alignCounts, countCategories, type CategoryCounts } from './counts.js';
import { ks2sampSorted } from './ks.js';
import { chiSquare } from './chisquare.js';
import { zTestProportions } from './ztest.js';
import { psiFromCounts } from './psi.js';
import { jensenShannon } from './jensen_shannon.js';
import { wassersteinNormedSorted } from './wasserstein.js';
import { binCountsFinite, binCountsSorted, quantileEdges, quantileEdgesUnsorted } from './quantile_bins.js';
import { FiniteSample } from './finite_sample.js';
import { sortFloat64InPlace } from './sort.js';
import type { FeatureSummary, NumericSummary } from './feature_summary.js';
import { binnedKs, binnedWassersteinNormed } from './summary_tests.js';

export type ColumnEvidence =
  | { type: 'num'; n: number; missing: number; sample: FiniteSample }
  | { type: 'num'; n: number; missing: number; summary: NumericSummary }
  | { type: 'cat'; n: number; missing: number; counts: CategoryCounts };

/** Raw numbers: NaN and ±Infinity (and null) are missing. */
export function numericEvidence(values: ArrayLike<number | null>): ColumnEvidence {
  const sample = FiniteSample.of(values);
  return { type: 'num', n: sample.n, missing: values.length - sample.n, sample };
}

/** Raw categories: null, undefined and '' are missing. */
export function categoricalEvidence(values: readonly (string | null | undefined)[]): ColumnEvidence {
  const counts = countCategories(values.map((v) => (v === '' ? null : v)));
  let n = 0;
  for (const c of counts.values()) n += c;
  return { type: 'cat', n, missing: values.length - n, counts };
}

/** From a summary; a numeric summary still holding its raw values gives exact evidence. */
export function summaryEvidence(s: FeatureSummary): ColumnEvidence {
  if (s.kind === 'cat') return { type: 'cat', n: s.n, missing: s.missing, counts: s.categoryCounts() };
  if (s.exact) return { type: 'num', n: s.n, missing: s.missing, sample: FiniteSample.ofSorted(sortFloat64InPlace(Float64Array.from(s.exact))) };
  return { type: 'num', n: s.n, missing: s.missing, summary: s };
}

/** Category counts of a column; numbers become categories by their decimal text. */
export function categoryCounts(e: ColumnEvidence): CategoryCounts | null {
  if (e.type === 'cat') return e.counts;
  if ('sample' in e) {
    const m: CategoryCounts = new Map();
    for (const v of e.sample.sorted()) {
      const k = String(v);
      m.set(k, (m.get(k) ?? 0) + 1);
    }
    return m;
  }
  if (!e.summary.distinct) return null;
  return new Map([...e.summary.distinct].map(([v, c]) => [String(v), c]));
}

/** Distinct non-missing values over both columns (Infinity when a summary stopped counting them). */
export function distinctValues(ref: ColumnEvidence, cur: ColumnEvidence): number {
  if (ref.type === 'num' && cur.type === 'num' && 'sample' in ref && 'sample' in cur) {
    // the auto rule only asks "<= 5": stop at the 6th distinct value (continuous data: at once)
    const seen = new Set<number>();
    for (const a of [ref.sample.values, cur.sample.values]) {
      for (let i = 0; i < a.length; i++) {
        seen.add(a[i]);
        if (seen.size > 5) return 6;
      }
    }
    return seen.size;
  }
  const rc = categoryCounts(ref);
  const cc = categoryCounts(cur);
  if (!rc || !cc) return Infinity;
  return new Set([...rc.keys(), ...cc.keys()]).size;
}

export interface TestOutcome {
  score: number;
  statistic?: number;
  errorBound?: number;
}

export function runStatTest(test: StatTestName, ref: ColumnEvidence, cur: ColumnEvidence, bins: number): TestOutcome {
  const type: ColumnType = ref.type;
  if (test === 'ks' || test === 'wasserstein') {
    if (ref.type !== 'num' || cur.type !== 'num') throw new Error(`${test} needs a numerical column`);
    if ('sample' in ref && 'sample' in cur) {
      if (test === 'ks') {
        const r = ks2sampSorted(ref.sample.sorted(), cur.sample.sorted());
        return { score: r.pvalue, statistic: r.statistic };
      }
      return { score: wassersteinNormedSorted(ref.sample.sorted(), cur.sample.sorted()) };
    }
    const rs = asSummary(ref);
    const cs = asSummary(cur);
    if (test === 'ks') {
      const r = binnedKs(rs, cs);
      return { score: r.pvalue!, statistic: r.statistic, errorBound: r.errorBound };
    }
    const r = binnedWassersteinNormed(rs, cs);
    return { score: r.statistic, errorBound: r.errorBound };
  }
  if ((test === 'psi' || test === 'jensenshannon') && type === 'num') {
    const [rc, cc] = numericBinCounts(ref, cur, bins);
    return { score: test === 'psi' ? psiFromCounts(rc, cc) : jensenShannon(rc, cc) };
  }
  const rc = categoryCounts(ref);
  const cc = categoryCounts(cur);
  if (!rc || !cc) throw new Error(`${test} on a numerical summary needs few distinct values (the summary stopped counting them)`);
  const aligned = alignCounts(rc, cc);
  if (test === 'psi') return { score: psiFromCounts(aligned.reference, aligned.current) };
  if (test === 'jensenshannon') return { score: jensenShannon(aligned.reference, aligned.current) };
  if (test === 'chisquare') {
    const r = chiSquare(aligned.reference, aligned.current);
    return { score: r.pvalue, statistic: r.statistic };
  }
  // ztest: share of the first category (sorted) in each sample
  if (aligned.keys.length > 2) throw new Error(`ztest needs a binary column, found ${aligned.keys.length} categories`);
  const r = zTestProportions(aligned.reference[0], ref.n, aligned.current[0], cur.n);
  return { score: r.pvalue, statistic: r.statistic };
}

function asSummary(e: ColumnEvidence): NumericSummary {
  if (e.type === 'num' && 'summary' in e) return e.summary;
  throw new Error('binned test needs two numeric summaries (or raw values on both sides)');
}

function numericBinCounts(ref: ColumnEvidence, cur: ColumnEvidence, bins: number): [Float64Array, Float64Array] {
  if (ref.type === 'num' && cur.type === 'num') {
    if ('sample' in ref && 'sample' in cur) {
      // Edges and counts are the same sorted or not: nothing is sorted here that no other test needs.
      const r = ref.sample;
      const c = cur.sample;
      const edges = r.isSorted ? quantileEdges(r.values, bins) : quantileEdgesUnsorted(r.values, bins);
      const count = (s: FiniteSample) => (s.isSorted ? binCountsSorted(s.values, edges) : binCountsFinite(s.values, edges));
      return [count(r), count(c)];
    }
    // Summaries carry their own (coarse) bins: `bins` was fixed when the bin spec was made.
    return [asSummary(ref).coarseCounts(), asSummary(cur).coarseCounts()];
  }
  throw new Error('numerical bins need two numerical columns');
}
