// PendingStore (the label join's predictions awaiting a label, in columns) against a Map in arrival
// order: random additions, removals from the middle and from the old end, and compactions on the way.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PendingStore } from '../../../src/pipeline/labels/pending-store.js';
import type { PendingPrediction } from '../../../src/pipeline/labels/join.js';
import { mulberry32 } from '../../helpers/random.js';

/** The predictions held with seq ≥ fromSeq, oldest first, as objects (through eachFrom). */
function heldFrom(store: PendingStore, fromSeq = -Infinity): PendingPrediction[] {
  const out: PendingPrediction[] = [];
  store.eachFrom(fromSeq, (seq, id, modelName, modelVersion, predictedClass, atMs) => out.push({ id, modelName, modelVersion, predictedClass, atMs, seq }));
  return out;
}

/** The oldest prediction held (through its slot and get). */
function oldestHeld(store: PendingStore): PendingPrediction | undefined {
  const slot = store.oldestSlot();
  return slot < 0 ? undefined : store.get(store.keyAt(slot));
}

test('random operations give the same predictions, in the same order, as a Map', () => {
  for (const seed of [1, 2]) {
    const u = mulberry32(seed);
    const store = new PendingStore(0);
    const ref = new Map<string, PendingPrediction>();
    let seq = 0;
    for (let i = 0; i < 80_000; i++) {
      const op = u();
      const id = `p${Math.floor(u() * 6000)}`;
      if (op < 0.5) {
        if (ref.has(id)) {
          assert.equal(store.delete(id), ref.delete(id));
        }
        const p = { id, modelName: `m${i % 3}`, modelVersion: '1', predictedClass: `c${i % 7}`, atMs: 1.7e12 + i + 0.5, seq: seq++ };
        store.addPrediction(p);
        ref.set(id, p);
      } else if (op < 0.75) {
        assert.equal(store.delete(id), ref.delete(id));
      } else if (op < 0.85) {
        const first = ref.values().next().value;
        assert.equal(store.oldestSeq(), first?.seq);
        assert.equal(store.oldestAtMs(), first?.atMs);
        assert.deepEqual(oldestHeld(store), first);
        store.dropOldest();
        if (first) ref.delete(first.id);
      } else if (op < 0.97) {
        assert.deepEqual(store.get(id), ref.get(id));
        assert.equal(store.has(id), ref.has(id));
      } else {
        const from = seq - Math.floor(u() * 3000);
        const expected = [...ref.values()].filter((p) => p.seq >= from);
        assert.deepEqual(heldFrom(store, from), expected);
      }
      assert.equal(store.size, ref.size);
    }
    assert.deepEqual(heldFrom(store), [...ref.values()]);
    store.clear();
    assert.equal(store.size, 0);
    assert.equal(oldestHeld(store), undefined);
  }
});

test('a ring full of holes is compacted rather than grown: predictions, order and lookups stay right', () => {
  const store = new PendingStore(0);
  const ref = new Map<string, PendingPrediction>();
  let seq = 0;
  const add = (id: string) => {
    const p = { id, modelName: 'm', modelVersion: '1', predictedClass: 'a', atMs: seq * 1.5, seq: seq++ };
    store.addPrediction(p);
    ref.set(id, p);
  };
  const remove = (id: string) => assert.equal(store.delete(id), ref.delete(id));
  // Labels come for every other prediction, the oldest stays: holes fill the ring.
  for (let i = 0; i < 5000; i++) {
    add(`p${i}`);
    if (i % 2 === 1) remove(`p${i - 1 === 0 ? 1 : i - 1}`);
  }
  assert.deepEqual(heldFrom(store), [...ref.values()]);
  for (const [id, p] of ref) assert.deepEqual(store.get(id), p);
  assert.deepEqual(oldestHeld(store), ref.values().next().value);
  const from = 2500;
  assert.deepEqual(heldFrom(store, from), [...ref.values()].filter((p) => p.seq >= from));
});
