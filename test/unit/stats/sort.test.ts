import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { sortFloat64InPlace } from '../../../src/stats/sort.js';

test('radix sort orders finite doubles exactly like the built-in numeric sort', () => {
  fc.assert(
    fc.property(fc.array(fc.double({ noNaN: true, noDefaultInfinity: true }), { minLength: 1000, maxLength: 3000 }), (xs) => {
      const a = Float64Array.from(xs);
      const expected = a.slice().sort();
      const got = sortFloat64InPlace(a);
      assert.equal(got, a, 'sorts in place');
      for (let i = 0; i < a.length; i++) assert.ok(Object.is(got[i], expected[i]) || got[i] === expected[i], `index ${i}`);
    }),
    { numRuns: 30 },
  );
});
