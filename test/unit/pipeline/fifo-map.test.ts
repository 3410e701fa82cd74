// FifoMap must behave exactly like a Map (same answers, same iteration order) while its oldest entry
// stays cheap to reach; checked against a Map on long random sequences of operations.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FifoMap } from '../../../src/pipeline/fifo-map.js';
import { mulberry32 } from '../../helpers/random.js';

test('random operations give the same answers and order as a Map; oldest() is the first entry\'s value', () => {
  for (const seed of [1, 2, 3]) {
    const u = mulberry32(seed);
    const f = new FifoMap<string, number>();
    const m = new Map<string, number>();
    for (let i = 0; i < 60_000; i++) {
      const key = `k${Math.floor(u() * 3000)}`;
      const op = u();
      if (op < 0.45) {
        f.set(key, i);
        m.set(key, i);
      } else if (op < 0.6) {
        // Move to the young end, as the label join does for a prediction sent twice.
        f.delete(key);
        m.delete(key);
        f.set(key, i);
        m.set(key, i);
      } else if (op < 0.8) {
        assert.equal(f.delete(key), m.delete(key));
      } else if (op < 0.9) {
        // Evict the oldest, as a bounded map does.
        const first = m.entries().next().value;
        assert.equal(f.oldest(), first?.[1]);
        if (first) {
          if (op < 0.85) f.delete(first[0]);
          else assert.equal(f.shift(), first[1]);
          m.delete(first[0]);
        } else assert.equal(f.shift(), undefined);
      } else if (op < 0.95) {
        // Expire from the front while iterating, as the TTL loops do.
        const cut = i - 2000;
        for (const [k, v] of f) {
          if (v >= cut) break;
          f.delete(k);
        }
        for (const [k, v] of m) {
          if (v >= cut) break;
          m.delete(k);
        }
      } else {
        assert.equal(f.get(key), m.get(key));
        assert.equal(f.has(key), m.has(key));
      }
      assert.equal(f.size, m.size);
    }
    assert.deepEqual([...f], [...m]);
    assert.deepEqual([...f.keys()], [...m.keys()]);
    assert.deepEqual([...f.values()], [...m.values()]);
    f.clear();
    assert.equal(f.size, 0);
    assert.equal(f.oldest(), undefined);
    assert.deepEqual([...f], []);
  }
});
