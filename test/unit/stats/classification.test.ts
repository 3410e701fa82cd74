import { join } from 'node:path';
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { SlidingConfusionWindow, type Scores } from '../../../src/stats/classification.js';
import { FIXTURES_DIR } from '../../helpers/paths.js';

// Reference values come from scikit-learn (scripts/gen_quality_vectors.py, run with /usr/bin/python3).
interface Expected {
  after: number;
  count: number;
  accuracy: number;
  macro: Scores;
  weighted: Scores;
  micro: Scores;
  binary?: Scores;
  perClass: Array<Scores & { label: string; support: number }>;
}
interface Stream {
  name: string;
  size: number;
  positiveClass: string | null;
  predicted: string[];
  actual: string[];
  checkpoints: Expected[];
}
const vectors = JSON.parse(
  readFileSync(join(FIXTURES_DIR, 'quality', 'vectors.json'), 'utf8'),
) as { streams: Stream[] };

const TOLERANCE = 1e-12;
function close(actual: number, expected: number, what: string): void {
  assert.ok(Math.abs(actual - expected) <= TOLERANCE, `${what}: got ${actual}, sklearn says ${expected}`);
}
function closeScores(actual: Scores, expected: Scores, what: string): void {
  close(actual.precision, expected.precision, `${what} precision`);
  close(actual.recall, expected.recall, `${what} recall`);
  close(actual.f1, expected.f1, `${what} f1`);
}

describe('SlidingConfusionWindow against scikit-learn', () => {
  assert.ok(vectors.streams.length >= 5);
  for (const stream of vectors.streams) {
    it(`matches sklearn on ${stream.name}`, () => {
      const window = new SlidingConfusionWindow(stream.size);
      let fed = 0;
      for (const expected of stream.checkpoints) {
        for (; fed < expected.after; fed++) window.add(stream.predicted[fed], stream.actual[fed]);
        const at = `${stream.name}@${expected.after}`;
        assert.equal(window.count, expected.count, `${at} count`);
        close(window.accuracy(), expected.accuracy, `${at} accuracy`);
        closeScores(window.multiclass('macro'), expected.macro, `${at} macro`);
        closeScores(window.multiclass('weighted'), expected.weighted, `${at} weighted`);
        closeScores(window.multiclass('micro'), expected.micro, `${at} micro`);
        if (stream.positiveClass !== null) {
          closeScores(window.binary(stream.positiveClass), expected.binary!, `${at} binary`);
          const m = window.metrics({ mode: 'binary', positiveClass: stream.positiveClass });
          closeScores(m, expected.binary!, `${at} metrics(binary)`);
        }
        const perClass = window.perClass();
        assert.deepEqual(
          perClass.map((c) => c.label),
          expected.perClass.map((c) => c.label),
          `${at} classes present (union of true and predicted)`,
        );
        perClass.forEach((c, k) => {
          closeScores(c, expected.perClass[k], `${at} class ${c.label}`);
          assert.equal(c.support, expected.perClass[k].support, `${at} class ${c.label} support`);
        });
      }
    });
  }
});

describe('SlidingConfusionWindow behaviour', () => {
  it('is NaN-valued when empty, and says count 0', () => {
    const w = new SlidingConfusionWindow(10);
    assert.equal(w.count, 0);
    assert.ok(Number.isNaN(w.accuracy()));
    const m = w.metrics();
    assert.ok(Number.isNaN(m.precision) && Number.isNaN(m.recall) && Number.isNaN(m.f1));
    assert.ok(Number.isNaN(w.binary('pos').f1));
    assert.deepEqual(w.perClass(), []);
  });

  it('evicts the oldest entry once full, and forgets classes that left the window', () => {
    const w = new SlidingConfusionWindow(3);
    w.add('a', 'a');
    w.add('b', 'a');
    w.add('b', 'b');
    w.add('c', 'c'); // evicts (a, a)
    assert.equal(w.count, 3);
    assert.deepEqual(w.entries(), [
      ['b', 'a'],
      ['b', 'b'],
      ['c', 'c'],
    ]);
    assert.equal(w.accuracy(), 2 / 3);
    w.add('c', 'c'); // evicts (b, a): class a is gone
    assert.deepEqual(
      w.perClass().map((c) => c.label),
      ['b', 'c'],
    );
  });

  it('gives the confusion matrix with rows = actual, columns = predicted', () => {
    const w = new SlidingConfusionWindow(10);
    for (const [p, a] of [
      ['x', 'x'],
      ['y', 'x'],
      ['y', 'x'],
      ['y', 'y'],
      ['z', 'y'],
    ] as const) {
      w.add(p, a);
    }
    assert.deepEqual(w.confusionMatrix(), {
      labels: ['x', 'y', 'z'],
      matrix: [
        [1, 2, 0],
        [0, 1, 1],
        [0, 0, 0],
      ],
    });
  });

  it('keeps memory bounded when every label is a new class', () => {
    const w = new SlidingConfusionWindow(4);
    for (let i = 0; i < 10_000; i++) w.add(`p${i}`, `a${i}`);
    assert.equal(w.perClass().length, 8);
    assert.equal(w.accuracy(), 0);
    // Internal arrays never exceed 2N class slots.
    const internals = w as unknown as { labelOfIndex: string[] };
    assert.ok(internals.labelOfIndex.length <= 8);
  });

  it('rejects bad sizes and malformed states', () => {
    assert.throws(() => new SlidingConfusionWindow(0), RangeError);
    assert.throws(() => new SlidingConfusionWindow(1.5), RangeError);
    assert.throws(() =>
      SlidingConfusionWindow.fromJSON({ version: 1, size: 2, labels: ['a'], predicted: [0, 0, 0], actual: [0, 0, 0] }),
    );
    assert.throws(() =>
      SlidingConfusionWindow.fromJSON({ version: 1, size: 2, labels: ['a'], predicted: [1], actual: [0] }),
    );
    assert.throws(() => SlidingConfusionWindow.fromJSON({ version: 2 } as never));
  });

  it('restores exactly from toJSON, through JSON text, at any point of any stream', () => {
    const label = fc.constantFrom('a', 'b', 'c', 'd', 'e');
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 20 }),
        fc.array(fc.tuple(label, label), { maxLength: 80 }),
        fc.array(fc.tuple(label, label), { maxLength: 40 }),
        (size, before, after) => {
          const original = new SlidingConfusionWindow(size);
          for (const [p, a] of before) original.add(p, a);
          const restored = SlidingConfusionWindow.fromJSON(JSON.parse(JSON.stringify(original.toJSON())));
          for (const [p, a] of after) {
            original.add(p, a);
            restored.add(p, a);
          }
          for (const w of [original, restored]) assert.equal(w.size, size);
          assert.deepEqual(restored.entries(), original.entries());
          assert.deepEqual(restored.toJSON(), original.toJSON());
          for (const average of ['macro', 'weighted', 'micro'] as const) {
            assert.deepEqual(restored.multiclass(average), original.multiclass(average));
          }
          assert.deepEqual(restored.perClass(), original.perClass());
          assert.deepEqual(restored.binary('a'), original.binary('a'));
          assert.deepEqual(restored.confusionMatrix(), original.confusionMatrix());
          assert.equal(restored.count, original.count);
          assert.ok(Object.is(restored.accuracy(), original.accuracy()));
        },
      ),
      { numRuns: 300, seed: 42 },
    );
  });

  it('agrees with a recount of its own entries after random adds (incremental counts stay right)', () => {
    const label = fc.constantFrom('a', 'b', 'c', 'd');
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 12 }), fc.array(fc.tuple(label, label), { maxLength: 100 }), (size, adds) => {
        const w = new SlidingConfusionWindow(size);
        for (const [p, a] of adds) w.add(p, a);
        const kept = adds.slice(Math.max(0, adds.length - size));
        assert.deepEqual(w.entries(), kept);
        const labels = [...new Set(kept.flat())].sort();
        const counts = w.classCounts();
        assert.deepEqual(
          counts,
          labels.map((l) => ({
            label: l,
            truePositives: kept.filter(([p, a]) => p === l && a === l).length,
            predicted: kept.filter(([p]) => p === l).length,
            actual: kept.filter(([, a]) => a === l).length,
          })),
        );
      }),
      { numRuns: 200, seed: 7 },
    );
  });
});
