// Reference vs current histograms for the HTML report, from summaries: the coarse (PSI) bins of
// numerical columns, the most frequent categories of categorical ones. Shares, not counts.
import type { FeatureSummary } from '../../stats/drift.js';
import type { Histogram } from '../../report/histograms.js';

const TOP_CATEGORIES = 12;

export function summaryHistogram(ref: FeatureSummary, cur: FeatureSummary): Histogram {
  if (ref.kind === 'num' && cur.kind === 'num') {
    const r = ref.coarseCounts();
    const c = cur.coarseCounts();
    // "[lo, hi)" labels (the report's format); the outer bins are closed by the observed min and max.
    const edges = ref.spec.coarse.map((i) => ref.spec.edges[i]);
    const bounds = [Math.min(ref.min, cur.min, edges[0] ?? Infinity), ...edges, Math.max(ref.max, cur.max, edges[edges.length - 1] ?? -Infinity)];
    const labels = Array.from(r, (_, k) => `[${fmt(bounds[k])}, ${fmt(bounds[k + 1])})`);
    return { kind: 'num', labels, reference: shares(Array.from(r)), current: shares(Array.from(c)) };
  }
  if (ref.kind === 'cat' && cur.kind === 'cat') {
    const rc = ref.categoryCounts();
    const cc = cur.categoryCounts();
    const rn = ref.n || 1;
    const cn = cur.n || 1;
    const weight = new Map<string, number>();
    for (const [k, v] of rc) weight.set(k, (weight.get(k) ?? 0) + v / rn);
    for (const [k, v] of cc) weight.set(k, (weight.get(k) ?? 0) + v / cn);
    const keys = [...weight].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).map(([k]) => k);
    const shown = keys.slice(0, TOP_CATEGORIES);
    const side = (m: Map<string, number>, n: number) => {
      const s = shown.map((k) => (m.get(k) ?? 0) / n);
      if (keys.length > shown.length) s.push(Math.max(0, 1 - s.reduce((a, b) => a + b, 0)));
      return s;
    };
    return { kind: 'cat', labels: keys.length > shown.length ? [...shown, 'other'] : shown, reference: side(rc, rn), current: side(cc, cn) };
  }
  return { kind: 'num', labels: [], reference: [], current: [] };
}

function shares(counts: number[]): number[] {
  const n = counts.reduce((a, b) => a + b, 0);
  return counts.map((c) => (n ? c / n : 0));
}

function fmt(x: number): string {
  return Math.abs(x) >= 1e5 || (Math.abs(x) < 1e-3 && x !== 0) ? x.toExponential(2) : String(Number(x.toPrecision(4)));
}
