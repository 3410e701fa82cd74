import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  BaselineLearner,
  accuracyDropPercent,
  accuracyTrend,
  conceptDrift,
  dayNumber,
  decliningDays,
  type DailyAccuracy,
} from '../../../src/stats/trend.js';

/** Builds a history from integer counts, so expected values can be computed exactly from them. */
function history(rows: Array<[day: string, correct: number, count: number]>): DailyAccuracy[] {
  return rows.map(([day, correct, count]) => ({ day, accuracy: count === 0 ? 0 : correct / count, count }));
}
const close = (a: number, b: number, what = '') => assert.ok(Math.abs(a - b) < 1e-12, `${what} ${a} vs ${b}`);

describe('dayNumber', () => {
  it('counts UTC days and rejects non-days', () => {
    assert.equal(dayNumber('1970-01-02'), 1);
    assert.equal(dayNumber('2024-03-01') - dayNumber('2024-02-28'), 2); // leap year
    for (const bad of ['2024-02-30', '2024-2-01', '2024-02-01T00:00:00Z', '', 'yesterday']) {
      assert.throws(() => dayNumber(bad), RangeError, bad);
    }
  });
});

describe('accuracyTrend', () => {
  it('pools each week by label count, over calendar days, and subtracts', () => {
    // Previous week 2024-05-01..07, current week 2024-05-08..14 (asOf defaults to the latest day).
    const days = history([
      ['2024-04-30', 0, 1000], // outside both weeks: ignored
      ['2024-05-01', 90, 100],
      ['2024-05-04', 880, 1000],
      ['2024-05-07', 9, 10],
      ['2024-05-08', 700, 1000],
      ['2024-05-10', 10, 10],
      ['2024-05-12', 0, 0], // no labels: ignored
      ['2024-05-14', 85, 100],
    ]);
    const t = accuracyTrend(days);
    close(t.current, (700 + 10 + 85) / (1000 + 10 + 100), 'current');
    close(t.previous, (90 + 880 + 9) / (100 + 1000 + 10), 'previous');
    close(t.trend, t.current - t.previous, 'trend');
    assert.ok(t.trend < 0, 'the model got worse');
    assert.equal(t.currentCount, 1110);
    assert.equal(t.previousCount, 1110);
  });

  it('honours asOf and days, and says NaN when a side has no labels', () => {
    const days = history([
      ['2024-05-01', 8, 10],
      ['2024-05-02', 9, 10],
      ['2024-05-03', 10, 10],
    ]);
    const t = accuracyTrend(days, { asOf: '2024-05-03', days: 1 });
    close(t.current, 1);
    close(t.previous, 0.9);
    close(t.trend, 0.1);
    const empty = accuracyTrend(days, { asOf: '2024-06-30' });
    assert.ok(Number.isNaN(empty.current) && Number.isNaN(empty.trend));
    assert.equal(empty.currentCount, 0);
    assert.ok(Number.isNaN(accuracyTrend([]).trend));
  });

  it('rejects duplicate days and impossible values', () => {
    assert.throws(() => accuracyTrend(history([['2024-05-01', 1, 2], ['2024-05-01', 1, 2]])), /twice/);
    assert.throws(() => accuracyTrend([{ day: '2024-05-01', accuracy: 1.2, count: 3 }]), RangeError);
    assert.throws(() => accuracyTrend([{ day: '2024-05-01', accuracy: 0.5, count: -1 }]), RangeError);
  });

  it('equals Σ correct / Σ count of each week, for any history (property)', () => {
    const row = fc.tuple(fc.integer({ min: 0, max: 27 }), fc.integer({ min: 0, max: 500 }), fc.integer({ min: 0, max: 500 }));
    fc.assert(
      fc.property(fc.uniqueArray(row, { selector: (r) => r[0], maxLength: 28 }), (rows) => {
        const base = dayNumber('2024-01-01');
        const iso = (offset: number) => new Date((base + offset) * 86_400_000).toISOString().slice(0, 10);
        const data = rows.map(([offset, a, b]) => [iso(offset), Math.min(a, b), Math.max(a, b)] as [string, number, number]);
        const t = accuracyTrend(history(data), { asOf: iso(27) });
        const sum = (lo: number, hi: number, k: 1 | 2) =>
          rows.filter(([o]) => o >= lo && o <= hi).reduce((s, r) => s + (k === 1 ? Math.min(r[1], r[2]) : Math.max(r[1], r[2])), 0);
        const expect = (lo: number, hi: number) => (sum(lo, hi, 2) === 0 ? NaN : sum(lo, hi, 1) / sum(lo, hi, 2));
        const cur = expect(21, 27);
        const prev = expect(14, 20);
        if (Number.isNaN(cur)) assert.ok(Number.isNaN(t.current));
        else close(t.current, cur);
        if (Number.isNaN(prev)) assert.ok(Number.isNaN(t.previous));
        else close(t.previous, prev);
        assert.equal(t.currentCount, sum(21, 27, 2));
      }),
      { numRuns: 200, seed: 5 },
    );
  });
});

describe('decliningDays', () => {
  const days = history([
    ['2024-05-01', 95, 100],
    ['2024-05-02', 90, 100],
    ['2024-05-03', 96, 100],
    ['2024-05-04', 94, 100],
    ['2024-05-05', 0, 0], // skipped
    ['2024-05-06', 93, 100],
    ['2024-05-07', 91, 100],
  ]);

  it('counts the most recent days in a row that were worse than the labelled day before', () => {
    assert.equal(decliningDays(days), 3); // 96 → 94 → 93 → 91
    assert.equal(decliningDays(history([...days.map((d) => [d.day, d.accuracy * d.count, d.count] as [string, number, number]), ['2024-05-08', 99, 100]])), 0);
    assert.equal(decliningDays(history([['2024-05-01', 9, 10], ['2024-05-02', 9, 10]])), 0, 'equal ends the streak');
    assert.equal(decliningDays([]), 0);
  });

  it('on the moving-average basis, compares trailing count-weighted averages', () => {
    // Trailing 2-day pooled averages: 05-02 (95+90)/200, 05-03 (90+96)/200, 05-04 (96+94)/200,
    // 05-06 (93)/100 (05-05 has no labels), 05-07 (93+91)/200.
    // Values: .925, .93, .95, .93, .92 → declining on 05-06 and 05-07 → 2.
    assert.equal(decliningDays(days, { basis: 'moving_average', days: 2 }), 2);
    // A day slightly worse than the day before, inside an improving week: a daily decline, while the
    // 7-day pooled average still rises (05-04: 332/400 = 0.83; 05-05: 417/500 = 0.834).
    const improving = history([
      ['2024-05-01', 80, 100],
      ['2024-05-02', 82, 100],
      ['2024-05-03', 84, 100],
      ['2024-05-04', 86, 100],
      ['2024-05-05', 85, 100],
    ]);
    assert.equal(decliningDays(improving), 1);
    assert.equal(decliningDays(improving, { basis: 'moving_average' }), 0);
  });
});

describe('accuracy drop and concept drift', () => {
  it('computes (baseline − current) / baseline × 100', () => {
    close(accuracyDropPercent(0.9, 0.81), 10);
    close(accuracyDropPercent(0.8, 0.84), -5);
    assert.throws(() => accuracyDropPercent(0, 0.5), RangeError);
  });

  it('detects a drop over the threshold or an accuracy under the floor (both strict)', () => {
    assert.deepEqual(conceptDrift(0.9, 0.85), {
      detected: true,
      dropPercent: ((0.9 - 0.85) / 0.9) * 100,
      dropExceeded: true,
      belowFloor: false,
    });
    const exactlyFive = conceptDrift(0.9, 0.9 * 0.95 + 1e-12);
    assert.equal(exactlyFive.detected, false);
    assert.equal(conceptDrift(0.82, 0.8).detected, false, '2.4% drop and not below 0.80');
    const floor = conceptDrift(0.81, 0.79);
    assert.equal(floor.detected, true);
    assert.equal(floor.belowFloor, true);
    assert.equal(floor.dropExceeded, false);
    assert.equal(conceptDrift(0.9, 0.87, { dropThresholdPercent: 3 }).detected, true);
    assert.equal(conceptDrift(0.9, 0.89, { floor: 0.95 }).detected, true);
    const none = conceptDrift(0.9, NaN);
    assert.equal(none.detected, false);
    assert.ok(Number.isNaN(none.dropPercent));
  });
});

describe('BaselineLearner', () => {
  it('learns from the first N labels, then holds', () => {
    const learner = new BaselineLearner(10);
    for (let i = 0; i < 9; i++) {
      assert.equal(learner.add(i < 8), false);
      assert.equal(learner.baseline, undefined);
    }
    assert.equal(learner.add(false), true);
    assert.equal(learner.ready, true);
    assert.equal(learner.baseline, 0.8);
    for (let i = 0; i < 100; i++) assert.equal(learner.add(true), false);
    assert.equal(learner.baseline, 0.8);
    assert.equal(learner.seen, 10);
  });

  it('restores exactly, and rejects impossible states', () => {
    const learner = new BaselineLearner(5);
    learner.add(true);
    learner.add(false);
    const restored = BaselineLearner.fromJSON(JSON.parse(JSON.stringify(learner.toJSON())));
    for (const b of [true, true, true]) {
      learner.add(b);
      restored.add(b);
    }
    assert.deepEqual(restored.toJSON(), learner.toJSON());
    assert.equal(restored.baseline, 0.8);
    assert.throws(() => BaselineLearner.fromJSON({ version: 1, labels: 5, correct: 3, seen: 2 }), TypeError);
    assert.throws(() => BaselineLearner.fromJSON({ version: 1, labels: 5, correct: 0, seen: 6 }), TypeError);
    assert.throws(() => new BaselineLearner(0), RangeError);
  });
});
