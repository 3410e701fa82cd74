// Order statistics without a full sort (radix select): the values of given ranks (0-based positions
// in ascending order) of finite float64 values. Values are bucketed by the top 16 bits of their
// order-preserving key (as in sort.ts: -0 before +0); only the buckets holding a wanted rank are
// kept, and bucketed again by the next 8 bits, and so on until a few dozen values are left, which are
// sorted. On 100k values each level after the first touches a few percent of them: the 18 order
// statistics of 10 quantile bins cost about two passes, against a sort's nine. The values are exact
// order statistics, so anything computed from them equals what the sorted array gives.

/** At or below this many values a bucket is sorted rather than bucketed again. */
const SORT_BELOW = 64;

/** The values of ranks `ranks` of `a` (finite values; `a` is not changed), in the order of `ranks`. */
export function selectRanks(a: Float64Array, ranks: readonly number[]): number[] {
  const n = a.length;
  for (const r of ranks) if (!Number.isInteger(r) || r < 0 || r >= n) throw new RangeError(`selectRanks: rank ${r} out of range`);
  const found = new Map<number, number>();
  const wanted = [...new Set(ranks)].sort((x, y) => x - y);
  selectIn(a, wanted, 48, 0, found);
  return ranks.map((r) => found.get(r)!);
}

/** Digit of the value at index i: `width` bits of its key from bit `shift` (never across the words). */
function digit(words: Uint32Array, i: number, shift: number, mask: number): number {
  const hi = words[2 * i + 1];
  const m = hi >> 31; // all ones for negative values: every bit of the key is flipped
  return (shift >= 32 ? (hi ^ (m | 0x80000000)) >>> (shift - 32) : (words[2 * i] ^ m) >>> shift) & mask;
}

/** Finds ranks `wanted` (ascending, relative to `a`) and records found[base + rank]. */
function selectIn(a: Float64Array, wanted: number[], shift: number, base: number, found: Map<number, number>): void {
  const n = a.length;
  if (n <= SORT_BELOW || shift < 0) {
    const s = a.slice().sort(); // numeric, -0 before +0
    for (const r of wanted) found.set(base + r, s[r]);
    return;
  }
  const width = shift === 48 ? 16 : 8;
  const mask = (1 << width) - 1;
  const words = new Uint32Array(a.buffer, a.byteOffset, n * 2);
  const counts = new Uint32Array(mask + 1);
  for (let i = 0; i < n; i++) counts[digit(words, i, shift, mask)]++;
  // the bucket of each wanted rank, walking buckets and ranks upwards together
  const slotOf = new Int32Array(mask + 1).fill(-1);
  const buckets: { start: number; ranks: number[]; values: Float64Array; filled: number }[] = [];
  let d = 0;
  let start = 0;
  for (const r of wanted) {
    while (start + counts[d] <= r) start += counts[d++];
    if (slotOf[d] < 0) {
      slotOf[d] = buckets.length;
      buckets.push({ start, ranks: [], values: new Float64Array(counts[d]), filled: 0 });
    }
    buckets[slotOf[d]].ranks.push(r - start);
  }
  for (let i = 0; i < n; i++) {
    const s = slotOf[digit(words, i, shift, mask)];
    if (s >= 0) {
      const b = buckets[s];
      b.values[b.filled++] = a[i];
    }
  }
  for (const b of buckets) selectIn(b.values, b.ranks, shift - 8, base + b.start, found);
}
