// Reference vs current histograms for the report: 20 equal-width bins over the combined finite range
// for numerical columns; the 12 most frequent categories (the rest as "other") for categorical ones.
// Shares, not counts, so samples of different sizes compare.
import type { Column } from '../stats/dataset_drift.js';

export interface Histogram {
  kind: 'num' | 'cat';
  /** Bin labels: "[lo, hi)" ranges or category names. */
  labels: string[];
  reference: number[];
  current: number[];
}

export function numericHistogram(ref: ArrayLike<number>, cur: ArrayLike<number>, bins = 20): Histogram {
  let lo = Infinity;
  let hi = -Infinity;
  for (const a of [ref, cur]) for (let i = 0; i < a.length; i++) if (Number.isFinite(a[i])) { lo = Math.min(lo, a[i]); hi = Math.max(hi, a[i]); }
  if (!Number.isFinite(lo)) return { kind: 'num', labels: [], reference: [], current: [] };
  if (hi === lo) hi = lo + 1;
  const width = (hi - lo) / bins;
  const share = (a: ArrayLike<number>) => {
    const c = new Array<number>(bins).fill(0);
    let n = 0;
    for (let i = 0; i < a.length; i++) {
      if (!Number.isFinite(a[i])) continue;
      c[Math.min(bins - 1, Math.floor((a[i] - lo) / width))]++;
      n++;
    }
    return c.map((x) => (n ? x / n : 0));
  };
  const labels = Array.from({ length: bins }, (_, k) => `[${fmt(lo + k * width)}, ${fmt(lo + (k + 1) * width)})`);
  return { kind: 'num', labels, reference: share(ref), current: share(cur) };
}

export function categoricalHistogram(ref: readonly (string | null)[], cur: readonly (string | null)[], top = 12): Histogram {
  const count = (a: readonly (string | null)[]) => {
    const m = new Map<string, number>();
    let n = 0;
    for (const v of a) if (v !== null && v !== '') { m.set(v, (m.get(v) ?? 0) + 1); n++; }
    return { m, n };
  };
  const r = count(ref);
  const c = count(cur);
  const all = new Map<string, number>();
  for (const { m, n } of [r, c]) for (const [k, v] of m) all.set(k, (all.get(k) ?? 0) + v / Math.max(n, 1));
  const keys = [...all].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).map(([k]) => k);
  const shown = keys.slice(0, top);
  const shares = ({ m, n }: { m: Map<string, number>; n: number }) => {
    const s = shown.map((k) => (n ? (m.get(k) ?? 0) / n : 0));
    if (keys.length > top) s.push(n ? 1 - s.reduce((a, b) => a + b, 0) : 0);
    return s;
  };
  return { kind: 'cat', labels: keys.length > top ? [...shown, 'other'] : shown, reference: shares(r), current: shares(c) };
}

export function columnHistogram(ref: Column, cur: Column): Histogram {
  if (ref.type === 'num' && cur.type === 'num') return numericHistogram(ref.values as ArrayLike<number>, cur.values as ArrayLike<number>);
  const asText = (c: Column) => (c.type === 'cat' ? c.values : Array.from(c.values as ArrayLike<number>, (v) => (Number.isFinite(v) ? String(v) : null)));
  return categoricalHistogram(asText(ref), asText(cur));
}

function fmt(x: number): string {
  return Math.abs(x) >= 1e5 || (Math.abs(x) < 1e-3 && x !== 0) ? x.toExponential(2) : String(Number(x.toPrecision(4)));
}
