// KeyedColumns as the assembler uses it for its roots (extra column: the prediction id, null when
// derived, never interned) against a Map in arrival order: lookups by slot, re-sent keys moving to the
// young end, evictions from the old end, holes compacted on the way.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { KeyedColumns } from '../../../src/pipeline/keyed-columns.js';
import { mulberry32 } from '../../helpers/random.js';

interface Root {
  seq: number;
  modelName: string;
  modelVersion: string;
  id: string | null;
  at: number;
}

/**
 * Key number n in one of five forms: hex ids of 24 and 4 bytes and UUIDs are held packed, the hex id in
 * upper case and a plain string are not; the same n in different forms are different keys.
 */
function mixedKey(n: number, form: number): string {
  const hex = 'abcdef' + n.toString(16).padStart(42, '0');
  switch (form) {
    case 0:
      return hex;
    case 1: {
      const h = hex.slice(16);
      return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
    }
    case 2:
      return hex.toUpperCase();
    case 3:
      return 'ab' + n.toString(16).padStart(6, '0');
    default:
      return `t${n}`;
  }
}

/** Positions starting at 0, and just below where the table's refs wrap (2^30) and int32 ends (2^31, 2^32). */
const FIRST_POSITIONS = [0, 2 ** 30 - 5000, 2 ** 31 - 7000, 2 ** 32 - 3000];

test('random roots give the same answers, in the same order, as a Map, wherever positions start', () => {
  for (const [k, firstPosition] of FIRST_POSITIONS.entries()) {
    const seed = 3 + k;
    const u = mulberry32(seed);
    // A table sized for the bound, and one that must grow.
    const store = new KeyedColumns(false, k % 2 === 0 ? 3000 : 0, firstPosition);
    const ref = new Map<string, Root>();
    let seq = 0;
    const read = (slot: number): Root | undefined =>
      slot < 0 ? undefined : { seq: store.seqAt(slot), modelName: store.modelNameAt(slot), modelVersion: store.modelVersionAt(slot), id: store.extraAt(slot), at: store.atMsAt(slot) };
    for (let i = 0; i < 60_000; i++) {
      const op = u();
      const key = mixedKey(Math.floor(u() * 1000), Math.floor(u() * 5));
      if (op < 0.55) {
        // As the assembler does: a key sent again leaves its place first.
        if (ref.has(key)) {
          assert.equal(store.seqAt(store.slotOf(key)), ref.get(key)!.seq);
          assert.equal(store.delete(key), ref.delete(key));
        }
        const r: Root = { seq: seq++, modelName: `m${i % 3}`, modelVersion: `${i % 2}`, id: u() < 0.5 ? null : `id-${i}`, at: 1.7e12 + i };
        store.add(key, r.seq, r.modelName, r.modelVersion, r.id, r.at);
        ref.set(key, r);
        if (ref.size > 3000) {
          store.dropOldest();
          ref.delete(ref.keys().next().value!);
        }
      } else if (op < 0.7) {
        assert.equal(store.delete(key), ref.delete(key));
      } else if (op < 0.95) {
        assert.deepEqual(read(store.slotOf(key)), ref.get(key));
        assert.equal(store.has(key), ref.has(key));
      } else {
        const first = ref.values().next().value;
        assert.deepEqual(read(store.oldestSlot()), first);
        assert.equal(store.oldestSeq(), first?.seq);
        assert.equal(store.oldestAtMs(), first?.at);
      }
      assert.equal(store.size, ref.size);
    }
    const all: [string, Root][] = [];
    store.eachFrom(-Infinity, (seq, key, modelName, modelVersion, id, at) => all.push([key, { seq, modelName, modelVersion, id, at }]));
    assert.deepEqual(all, [...ref]);
  }
});

test('positions full of holes are compacted: order and lookups stay right, memory follows the entries', () => {
  const store = new KeyedColumns(false);
  const ref = new Map<string, number>();
  let seq = 0;
  const add = (key: string) => {
    store.add(key, seq, 'm', '1', null, seq * 1.5);
    ref.set(key, seq++);
  };
  // The oldest stays while two of every three newer ones leave from the middle: holes fill the ring.
  add('pinned');
  for (let i = 0; i < 20_000; i++) {
    const key = mixedKey(i, i % 5);
    add(key);
    if (i % 3 !== 0) assert.equal(store.delete(key), ref.delete(key));
  }
  for (const [key, s] of ref) assert.equal(store.seqAt(store.slotOf(key)), s, key);
  // ~6,700 entries held over 20,000 positions: at most half of the chunks' positions are holes.
  assert.ok(store.chunksHeld <= Math.ceil((2 * store.size + 2 * 4096) / 4096) + 1, `${store.chunksHeld} chunks for ${store.size} entries`);
  const order: string[] = [];
  store.eachFrom(-Infinity, (_seq, key) => order.push(key));
  assert.deepEqual(order, [...ref.keys()]);
  const later: number[] = [];
  store.eachFrom(15_000, (s) => later.push(s));
  assert.deepEqual(later, [...ref.values()].filter((s) => s >= 15_000));
});

test('held at its bound with counter ids (plain and hex), every held key is found and every dropped one is gone', () => {
  // Ids that differ only in their last characters, as counters do, through several ring doublings and
  // then a long run at the bound: the hash table's probe runs, and the removals that shift them back.
  const store = new KeyedColumns(false);
  const ref = new Map<string, number>();
  const bound = 40_000;
  const n = 150_000;
  const counter = (i: number) => `pred-${String(i).padStart(9, '0')}`;
  const hexCounter = (i: number) => i.toString(16).padStart(48, '0');
  for (const id of [counter, hexCounter]) {
    store.clear();
    ref.clear();
    for (let i = 0; i < n; i++) {
      store.add(id(i), i, 'm', '1', null, i);
      ref.set(id(i), i);
      if (store.size > bound) {
        store.dropOldest();
        ref.delete(ref.keys().next().value!);
      }
      // Now and then a label takes a recent prediction from the middle.
      if (i % 997 === 0 && i >= 5) assert.equal(store.delete(id(i - 5)), ref.delete(id(i - 5)));
    }
    assert.equal(store.size, ref.size);
    for (let i = 0; i < n; i++) {
      const slot = store.slotOf(id(i));
      const want = ref.get(id(i));
      assert.equal(slot >= 0 ? store.seqAt(slot) : undefined, want, id(i));
    }
    assert.equal(store.oldestSeq(), ref.values().next().value);
    // Chunks the head has passed are let go: the positions held span about the bound.
    assert.ok(store.chunksHeld <= Math.ceil(bound / 4096) + 1, `${store.chunksHeld} chunks`);
  }
});

test('emptied and filled again, from the oldest end, the store reuses its chunks and keeps no entry', () => {
  const store = new KeyedColumns(true, 10_000, 2 ** 30 - 100);
  let seq = 0;
  for (let round = 0; round < 5; round++) {
    const keys: string[] = [];
    for (let i = 0; i < 9000; i++) {
      const key = `r${round}-${i}`;
      keys.push(key);
      store.add(key, seq++, 'm', 'v', i % 2 ? 'cat' : 'dog', i);
    }
    assert.equal(store.size, 9000);
    assert.equal(store.extraAt(store.slotOf(keys[8998])), 'dog');
    assert.equal(store.extraAt(store.slotOf(keys[8999])), 'cat');
    while (store.size > 0) store.dropOldest();
    assert.equal(store.oldestSlot(), -1);
    assert.ok(store.chunksHeld <= 1, `${store.chunksHeld} chunks`);
    for (const key of keys) assert.equal(store.has(key), false, key);
  }
  store.clear();
  store.add('again', seq, 'm', 'v', null, 0);
  assert.equal(store.seqAt(store.slotOf('again')), seq);
});

test('values unique to each entry stay right through many compactions into the same chunk', () => {
  // Entries pinned at the head keep the first chunk alive while compactions move entries into it again
  // and again, each bringing values that chunk has not listed: its list of values is rebuilt on the way,
  // and the pinned entries' values must survive that.
  const store = new KeyedColumns(true, 0);
  const ref = new Map<string, [string, string, string | null]>();
  const PINNED = 100;
  let seq = 0;
  const add = (key: string, values: [string, string, string | null]) => {
    store.add(key, seq++, values[0], values[1], values[2], 0);
    ref.set(key, values);
  };
  for (let p = 0; p < PINNED; p++) add(`pinned-${p}`, [`pm-${p}`, `pv-${p}`, p % 2 ? null : `pc-${p}`]);
  const recent: string[] = [];
  for (let i = 0; i < 400_000; i++) {
    const key = mixedKey(i, i % 5);
    add(key, [`name-${i}`, `version-${i}`, i % 7 === 0 ? null : `class-${i}`]);
    // Two of every three new ones leave at once; of the rest, the oldest but the pinned beyond 3,000.
    if (i % 3 !== 0) {
      store.delete(key);
      ref.delete(key);
    } else recent.push(key);
    if (recent.length > 3000) {
      const oldest = recent.shift()!;
      store.delete(oldest);
      ref.delete(oldest);
    }
  }
  assert.equal(store.size, ref.size);
  for (const [key, values] of ref) {
    const slot = store.slotOf(key);
    assert.deepEqual([store.modelNameAt(slot), store.modelVersionAt(slot), store.extraAt(slot)], values, key);
  }
});
