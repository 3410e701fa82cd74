// Order statistics without a full sort (radix select): the values of given ranks (0-based positions
// in ascending order) of finite float64 values. One pass counts the values per bucket of the top 16
// bits of their order-preserving key (as in sort.ts), a second collects the values of the few buckets
// that hold a wanted rank, and only those are sorted. Two passes instead of a sort's nine: the
// quantile bins of a 100k-value reference take about half the time of sorting it. The values are exact order
// statistics (-0 before +0, like the sort), so anything computed from them equals what the sorted
// array gives.

const BUCKETS = 65536;

/** Bucket of a value: the top 16 bits of its order-preserving key, from the high word of its bits. */
function bucketOf(hi: number): number {
  return (hi & 0x80000000 ? ~hi : hi | 0x80000000) >>> 16;
}

/** The values of ranks `ranks` of `a` (finite values; `a` is not changed), in the order of `ranks`. */
export function selectRanks(a: Float64Array, ranks: readonly number[]): number[] {
  const n = a.length;
  for (const r of ranks) if (!Number.isInteger(r) || r < 0 || r >= n) throw new RangeError(`selectRanks: rank ${r} out of range`);
  const words = new Uint32Array(a.buffer, a.byteOffset, n * 2);
  const counts = new Uint32Array(BUCKETS);
  for (let i = 0; i < n; i++) counts[bucketOf(words[2 * i + 1])]++;
  // first rank of each bucket
  const starts = new Float64Array(BUCKETS + 1);
  for (let d = 0; d < BUCKETS; d++) starts[d + 1] = starts[d] + counts[d];
  const bucketOfRank = (r: number) => {
    let lo = 0;
    let hi = BUCKETS - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (starts[mid] <= r) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  };
  const needed = new Map<number, Float64Array>();
  for (const r of ranks) {
    const d = bucketOfRank(r);
    if (!needed.has(d)) needed.set(d, new Float64Array(counts[d]));
  }
  const fill = new Map<number, number>([...needed.keys()].map((d) => [d, 0]));
  const wanted = new Uint8Array(BUCKETS);
  for (const d of needed.keys()) wanted[d] = 1;
  for (let i = 0; i < n; i++) {
    const d = bucketOf(words[2 * i + 1]);
    if (wanted[d]) {
      const k = fill.get(d)!;
      needed.get(d)![k] = a[i];
      fill.set(d, k + 1);
    }
  }
  // small arrays: the built-in sort (numeric, -0 before +0) beats a radix pass over 65536 counters
  for (const v of needed.values()) v.sort();
  return ranks.map((r) => {
    const d = bucketOfRank(r);
    return needed.get(d)![r - starts[d]];
  });
}
