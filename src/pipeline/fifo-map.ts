// A Map that also gives its oldest entry in O(1). V8's Map leaves a hole for every deleted entry until
// it rehashes, and iteration skips holes one by one: dropping "the oldest" through keys().next() or a
// for-of from the front rescans every earlier hole, so a map held at its bound (the assembler's 50k
// roots, the label join's 200k pending predictions) spent most of the event loop there once prediction
// ids were unique (10.3 s against 0.24 s for 500k evictions at 50k). Here the insertion order lives in an
// array read from a moving head; deleted entries leave stale slots that are passed once.
export class FifoMap<K, V> {
  private readonly map = new Map<K, { value: V; seq: number }>();
  /** Insertion order as two parallel arrays (no object per slot): the key and its sequence number. */
  private keysInOrder: K[] = [];
  private seqsInOrder: number[] = [];
  private head = 0;
  private nextSeq = 0;

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
    const seq = this.nextSeq++;
    this.map.set(key, { value, seq });
    // Stale slots are passed by the head; rebuild when they outnumber the live ones (deletes from the
    // middle). Here, not in delete(): entries() may be running while its caller deletes.
    if (this.keysInOrder.length - this.head > 2 * this.map.size + 1024) this.compact();
    this.keysInOrder.push(key);
    this.seqsInOrder.push(seq);
    return this;
  }

  delete(key: K): boolean {
    return this.map.delete(key);
  }

  clear(): void {
    this.map.clear();
    this.keysInOrder = [];
    this.seqsInOrder = [];
    this.head = 0;
  }

  /** The oldest entry, if any. */
  oldest(): [K, V] | undefined {
    this.skipStale();
    if (this.head >= this.keysInOrder.length) return undefined;
    const key = this.keysInOrder[this.head];
    return [key, this.map.get(key)!.value];
  }

  /** Entries oldest first. Deleting the entry just visited (expiry from the front) is allowed. */
  *entries(): IterableIterator<[K, V]> {
    this.skipStale();
    for (let i = this.head; i < this.keysInOrder.length; i++) {
      const key = this.keysInOrder[i];
      const e = this.map.get(key);
      if (e && e.seq === this.seqsInOrder[i]) yield [key, e.value];
    }
  }

  /** Entries oldest first, without an iterator object per entry (for large snapshots). */
  forEach(fn: (value: V, key: K) => void): void {
    this.skipStale();
    for (let i = this.head; i < this.keysInOrder.length; i++) {
      const key = this.keysInOrder[i];
      const e = this.map.get(key);
      if (e && e.seq === this.seqsInOrder[i]) fn(e.value, key);
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

  private live(i: number): boolean {
    return this.map.get(this.keysInOrder[i])?.seq === this.seqsInOrder[i];
  }

  private skipStale(): void {
    while (this.head < this.keysInOrder.length && !this.live(this.head)) this.head++;
    if (this.head > 4096 && this.head * 2 > this.keysInOrder.length) {
      this.keysInOrder = this.keysInOrder.slice(this.head);
      this.seqsInOrder = this.seqsInOrder.slice(this.head);
      this.head = 0;
    }
  }

  private compact(): void {
    const keys: K[] = [];
    const seqs: number[] = [];
    for (let i = this.head; i < this.keysInOrder.length; i++) {
      if (!this.live(i)) continue;
      keys.push(this.keysInOrder[i]);
      seqs.push(this.seqsInOrder[i]);
    }
    this.keysInOrder = keys;
    this.seqsInOrder = seqs;
    this.head = 0;
  }
}
