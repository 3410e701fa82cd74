// A hash table of references for collections that keep their keys in columns of their own
// (keyed-columns.ts, the SQLite log's recent ids): open addressing with linear probing over one
// Int32Array of [hash, ref + 1] pairs (0: empty). Unlike a Map it allocates only when it is resized,
// never for keys coming and going, and holds no pointers for the major collections to mark. Removal
// moves the later pairs of a probe run back (no tombstones), so a table held at its bound stays clean.
// The owner keeps it at most half full and resizes it itself (its refs change with its own layout).
export class HashSlots {
  private readonly pairs: Int32Array;
  private readonly mask: number;

  /** `buckets`: a power of two. */
  constructor(buckets: number) {
    this.pairs = new Int32Array(2 * buckets);
    this.mask = buckets - 1;
  }

  get buckets(): number {
    return this.mask + 1;
  }

  /** The bucket whose ref's key in `keys` is `key` (-1: none). */
  bucketOf(hash: number, key: string, keys: readonly (string | null | undefined)[]): number {
    for (let b = this.nextWithHash(hash, this.home(hash)); b >= 0; b = this.nextWithHash(hash, b + 1)) {
      if (keys[this.refAt(b)] === key) return b;
    }
    return -1;
  }

  /**
   * The first bucket at or after `from` in `hash`'s probe run whose pair has that hash (-1: none): for owners
   * that compare keys themselves. Start at home(hash); go on from the bucket returned, plus one.
   */
  nextWithHash(hash: number, from: number): number {
    const pairs = this.pairs;
    for (let b = from & this.mask; ; b = (b + 1) & this.mask) {
      if (pairs[2 * b + 1] === 0) return -1;
      if (pairs[2 * b] === hash) return b;
    }
  }

  home(hash: number): number {
    return hash & this.mask;
  }

  /** The bucket holding `ref`, which must be in the table under `hash`. */
  bucketOfRef(hash: number, ref: number): number {
    let b = hash & this.mask;
    while (this.pairs[2 * b + 1] !== ref + 1) b = (b + 1) & this.mask;
    return b;
  }

  refAt(bucket: number): number {
    return this.pairs[2 * bucket + 1] - 1;
  }

  insert(hash: number, ref: number): void {
    const pairs = this.pairs;
    let b = hash & this.mask;
    while (pairs[2 * b + 1] !== 0) b = (b + 1) & this.mask;
    pairs[2 * b] = hash;
    pairs[2 * b + 1] = ref + 1;
  }

  /** Empties a bucket, moving each later pair of its probe run back when its home allows. */
  remove(bucket: number): void {
    const pairs = this.pairs;
    const mask = this.mask;
    let gap = bucket;
    for (let b = (gap + 1) & mask; pairs[2 * b + 1] !== 0; b = (b + 1) & mask) {
      const home = pairs[2 * b] & mask;
      // The pair at b may fill the gap unless its home lies cyclically after the gap, up to b.
      if (((b - home) & mask) >= ((b - gap) & mask)) {
        pairs[2 * gap] = pairs[2 * b];
        pairs[2 * gap + 1] = pairs[2 * b + 1];
        gap = b;
      }
    }
    pairs[2 * gap] = 0;
    pairs[2 * gap + 1] = 0;
  }

  clear(): void {
    this.pairs.fill(0);
  }
}
