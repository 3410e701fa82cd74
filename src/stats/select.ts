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
  // negative: all bits flipped; positive: the sign bit set (branch-free: the sign decides the mask)
  return ((hi ^ ((hi >> 31) | 0x80000000)) >>> 16) & 0xffff;
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
  // the buckets holding a wanted rank get a slot: an array for their values
  const slotOf = new Int32Array(BUCKETS).fill(-1);
  const slots: Float64Array[] = [];
  for (const r of ranks) {
    const d = bucketOfRank(r);
    if (slotOf[d] < 0) {
      slotOf[d] = slots.length;
      slots.push(new Float64Array(counts[d]));
    }
  }
  const filled = new Int32Array(slots.length);
  for (let i = 0; i < n; i++) {
    const s = slotOf[bucketOf(words[2 * i + 1])];
    if (s >= 0) slots[s][filled[s]++] = a[i];
  }
  // small arrays: the built-in sort (numeric, -0 before +0) beats a radix pass over 65536 counters
  for (const v of slots) v.sort();
  return ranks.map((r) => {
    const d = bucketOfRank(r);
    return slots[slotOf[d]][r - starts[d]];
  });
}
