// The feedback endpoint's label parser on arbitrary JSON: a label record or a reason, never a throw;
// a record it accepts always carries an id and a label or value.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseLabel } from '../../../src/receivers/feedback/http.js';

test('arbitrary JSON values: a record or a reason, never an exception', () => {
  fc.assert(
    fc.property(fc.jsonValue({ maxDepth: 4 }), (v) => {
      const r = parseLabel(v, 1000);
      if (typeof r === 'string') return r.length > 0;
      return r.kind === 'feedback' && r.predictionId.length > 0 && (r.groundTruthClass !== undefined || r.groundTruthValue !== undefined);
    }),
    { numRuns: 10_000 },
  );
});

test('label-shaped objects with hostile fields: refused with a reason or kept verbatim', () => {
  const hostile = fc.oneof(fc.string(), fc.string({ unit: 'grapheme' }), fc.double(), fc.integer(), fc.boolean(), fc.constant(null), fc.string({ minLength: 1000, maxLength: 3000 }), fc.constant("'; DROP TABLE predictions; --"));
  fc.assert(
    fc.property(fc.record({ prediction_id: hostile, label: hostile, value: hostile, model_name: hostile, time: hostile }, { requiredKeys: ['prediction_id'] }), (o) => {
      const r = parseLabel(o, 1000);
      if (typeof r === 'string') return true;
      assert.equal(r.predictionId, o.prediction_id, 'ids are kept verbatim');
      if (r.groundTruthValue !== undefined) assert.ok(Number.isFinite(r.groundTruthValue));
      assert.ok(Number.isFinite(r.timeMs));
      return true;
    }),
    { numRuns: 10_000 },
  );
});
