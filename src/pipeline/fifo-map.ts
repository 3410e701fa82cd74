// A Map that also gives its oldest entry in O(1). V8's Map leaves a hole for every deleted entry until
// it rehashes, and iteration skips holes one by one: dropping "the oldest" through keys().next() or a
// for-of from the front rescans every earlier hole, so a map held at its bound (the assembler's 50k
// roots, the label join's 200k pending predictions) spent most of the event loop there once prediction
// ids were unique (10.3 s against 0.24 s for 500k evictions at 50k). Here the insertion order lives in a
// ring of the entries themselves, read from a moving head; a deleted entry is marked dead and its slot
// passed once, without a lookup in the map (those were ~1% of the event loop at 10k predictions/s). The
// ring grows by doubling and is never sliced: an array that grew by push and was cut as the head moved
// left dead large arrays behind for the major collections.
interface Entry<K, V> {
  key: K;
  value: V;
  live: boolean;
}

export class FifoMap<K, V> {
  private readonly map = new Map<K, Entry<K, V>>();
  /** Insertion order: positions [head, tail), slot = position & mask; dead entries stay until passed. */
  private ring: (Entry<K, V> | undefined)[] = new Array(16).fill(undefined);
  private mask = 15;
  private head = 0;
  private tail = 0;

  get size(): number {
    return this.map.size;
  }

  get(key: K): V | undefined {
    return this.map.get(key)?.value;
  }

  has(key: K): boolean {
    return this.map.has(key);
  }

  /** A new key goes to the young end; an existing key keeps its place (as Map.set does). */
  set(key: K, value: V): this {
    const e = this.map.get(key);
    if (e) {
      e.value = value;
      return this;
    }
    // Full: drop the dead slots when they are at least half of it (deletes from the middle), else grow.
    // Here, not in delete(): entries() may be running while its caller deletes.
    if (this.tail - this.head === this.ring.length) this.rebuild(2 * this.map.size <= this.ring.length ? this.ring.length : 2 * this.ring.length);
    const entry = { key, value, live: true };
    this.map.set(key, entry);
    this.ring[this.tail++ & this.mask] = entry;
    return this;
  }

  delete(key: K): boolean {
    const e = this.map.get(key);
    if (!e) return false;
    e.live = false;
    this.map.delete(key);
    return true;
  }

  clear(): void {
    for (const e of this.map.values()) e.live = false;
    this.map.clear();
    this.ring.fill(undefined);
    this.head = this.tail = 0;
  }

  // oldest() and shift() give the value alone: they run for every record (expiry, eviction), and a
  // [key, value] pair each time was garbage the young generation had to sweep.

  /** The oldest entry's value, if any. */
  oldest(): V | undefined {
    this.skipDead();
    return this.head < this.tail ? this.ring[this.head & this.mask]!.value : undefined;
  }

  /** Removes the oldest entry and returns its value (one map operation, not a lookup and a delete). */
  shift(): V | undefined {
    this.skipDead();
    if (this.head === this.tail) return undefined;
    const e = this.ring[this.head & this.mask]!;
    this.ring[this.head++ & this.mask] = undefined;
    e.live = false;
    this.map.delete(e.key);
    return e.value;
  }

  /** Entries oldest first. Deleting the entry just visited (expiry from the front) is allowed. */
  *entries(): IterableIterator<[K, V]> {
    this.skipDead();
    for (let pos = this.head; pos < this.tail; pos++) {
      const e = this.ring[pos & this.mask];
      if (e?.live) yield [e.key, e.value];
    }
  }

  /** Entries oldest first, without an iterator object per entry (for large snapshots). */
  forEach(fn: (value: V, key: K) => void): void {
    this.skipDead();
    for (let pos = this.head; pos < this.tail; pos++) {
      const e = this.ring[pos & this.mask];
      if (e?.live) fn(e.value, e.key);
    }
  }

  [Symbol.iterator](): IterableIterator<[K, V]> {
    return this.entries();
  }

  *keys(): IterableIterator<K> {
    for (const [k] of this.entries()) yield k;
  }

  *values(): IterableIterator<V> {
    for (const [, v] of this.entries()) yield v;
  }

  private skipDead(): void {
    while (this.head < this.tail && !this.ring[this.head & this.mask]!.live) this.ring[this.head++ & this.mask] = undefined;
  }

  /** The live entries, in order, into a ring of `capacity` slots. */
  private rebuild(capacity: number): void {
    const ring: (Entry<K, V> | undefined)[] = new Array(capacity).fill(undefined);
    let n = 0;
    for (let pos = this.head; pos < this.tail; pos++) {
      const e = this.ring[pos & this.mask]!;
      if (e.live) ring[n++] = e;
    }
    this.ring = ring;
    this.mask = capacity - 1;
    this.head = 0;
    this.tail = n;
  }
}
