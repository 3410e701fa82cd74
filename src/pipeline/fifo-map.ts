// A Map that also gives its oldest entry in O(1). V8's Map leaves a hole for every deleted entry until
// it rehashes, and iteration skips holes one by one: dropping "the oldest" through keys().next() or a
// for-of from the front rescans every earlier hole, so a map held at its bound (the assembler's 50k
// roots, the label join's 200k pending predictions) spent most of the event loop there once prediction
// ids were unique (10.3 s against 0.24 s for 500k evictions at 50k). Here the insertion order lives in an
// array of the entries themselves, read from a moving head; a deleted entry is marked dead and its slot
// passed once, without a lookup in the map (those were ~1% of the event loop at 10k predictions/s).
interface Entry<K, V> {
  key: K;
  value: V;
  live: boolean;
}

export class FifoMap<K, V> {
  private readonly map = new Map<K, Entry<K, V>>();
  /** Insertion order; dead entries stay until the head passes them or a compaction drops them. */
  private order: Entry<K, V>[] = [];
  private head = 0;

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
    // Dead slots are passed by the head; rebuild when they outnumber the live ones (deletes from the
    // middle). Here, not in delete(): entries() may be running while its caller deletes.
    if (this.order.length - this.head > 2 * this.map.size + 1024) this.compact();
    const entry = { key, value, live: true };
    this.map.set(key, entry);
    this.order.push(entry);
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
    this.order = [];
    this.head = 0;
  }

  /** The oldest entry, if any. */
  oldest(): [K, V] | undefined {
    this.skipDead();
    const e = this.order[this.head];
    return e && [e.key, e.value];
  }

  /** Removes the oldest entry and returns it (one map operation, not a lookup and a delete). */
  shift(): [K, V] | undefined {
    this.skipDead();
    const e = this.order[this.head];
    if (!e) return undefined;
    e.live = false;
    this.map.delete(e.key);
    this.head++;
    return [e.key, e.value];
  }

  /** Entries oldest first. Deleting the entry just visited (expiry from the front) is allowed. */
  *entries(): IterableIterator<[K, V]> {
    this.skipDead();
    const order = this.order;
    for (let i = this.head; i < order.length; i++) if (order[i].live) yield [order[i].key, order[i].value];
  }

  /** Entries oldest first, without an iterator object per entry (for large snapshots). */
  forEach(fn: (value: V, key: K) => void): void {
    this.skipDead();
    const order = this.order;
    for (let i = this.head; i < order.length; i++) if (order[i].live) fn(order[i].value, order[i].key);
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
    const order = this.order;
    while (this.head < order.length && !order[this.head].live) this.head++;
    if (this.head > 4096 && this.head * 2 > order.length) {
      this.order = order.slice(this.head);
      this.head = 0;
    }
  }

  private compact(): void {
    this.order = this.order.slice(this.head).filter((e) => e.live);
    this.head = 0;
  }
}
