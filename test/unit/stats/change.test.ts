import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  Adwin,
  Ddm,
  PageHinkley,
  restoreDetector,
  type ChangeDetector,
} from '../../../src/stats/change/index.js';
import { mulberry32 } from '../../helpers/random.js';

const random = mulberry32;

/** 0/1 error stream: error rate 0.1 (accuracy 0.9) before `changeAt`, 0.3 (accuracy 0.7) from it on. */
function errorStream(seed: number, length: number, changeAt: number): number[] {
  const next = random(seed);
  return Array.from({ length }, (_, t) => (next() < (t < changeAt ? 0.1 : 0.3) ? 1 : 0));
}

function alarms(detector: ChangeDetector, stream: readonly number[]): number[] {
  const at: number[] = [];
  stream.forEach((x, t) => {
    if (detector.update(x)) at.push(t);
  });
  return at;
}

const CHANGE_AT = 5000;
const SEEDS = Array.from({ length: 20 }, (_, k) => k + 1);
const kinds: Array<{ name: string; make: () => ChangeDetector }> = [
  { name: 'ADWIN', make: () => new Adwin() },
  { name: 'Page-Hinkley', make: () => new PageHinkley() },
  { name: 'DDM', make: () => new Ddm() },
];

describe('change detectors on an accuracy drop 0.9 → 0.7 at t = 5000', () => {
  // Measured over seeds 1..200 (10k samples each): first alarm after the change, min/median/p99/max:
  //   ADWIN 55/119/247/279, Page-Hinkley 90/235/369/410, DDM 33/242/2310/2685; none ever missed it.
  // Alarms before the change: ADWIN 0/200 runs, Page-Hinkley 0/200, DDM 87/200 (mostly in the first few
  // hundred samples, where p_min and s_min rest on few observations; 15/200 runs after t = 1000).
  const bounds: Record<string, number> = { ADWIN: 500, 'Page-Hinkley': 600, DDM: 3000 };

  for (const { name, make } of kinds) {
    it(`${name} fires within ${bounds[name]} samples after the change, for every seed`, () => {
      for (const seed of SEEDS) {
        const at = alarms(make(), errorStream(seed, 10_000, CHANGE_AT));
        const first = at.find((t) => t >= CHANGE_AT);
        assert.ok(first !== undefined, `seed ${seed}: no alarm after the change`);
        assert.ok(first - CHANGE_AT <= bounds[name], `seed ${seed}: first alarm ${first - CHANGE_AT} samples late`);
      }
    });
  }

  for (const { name, make } of kinds.filter((k) => k.name !== 'DDM')) {
    it(`${name} never fires before the change`, () => {
      for (const seed of SEEDS) {
        const early = alarms(make(), errorStream(seed, CHANGE_AT, CHANGE_AT));
        assert.deepEqual(early, [], `seed ${seed}`);
      }
    });
  }

  it('DDM fires before the change only early in the stream, in a minority of runs', () => {
    let runsWithEarlyAlarm = 0;
    for (const seed of SEEDS) {
      const early = alarms(new Ddm(), errorStream(seed, CHANGE_AT, CHANGE_AT));
      if (early.length > 0) runsWithEarlyAlarm++;
      assert.ok(early.every((t) => t < 1000), `seed ${seed}: DDM alarm after warm-up at ${early}`);
    }
    assert.ok(runsWithEarlyAlarm <= 10, `${runsWithEarlyAlarm}/20 runs with an early alarm (measured 7/20)`);
  });

  it("ADWIN's window shrinks to the new regime and estimates its error rate", () => {
    for (const seed of SEEDS.slice(0, 5)) {
      const adwin = new Adwin();
      alarms(adwin, errorStream(seed, 10_000, CHANGE_AT));
      // At most a few old buckets may survive next to the 5000 new samples.
      assert.ok(adwin.width <= 5500, `seed ${seed}: width ${adwin.width} still spans the old regime`);
      assert.ok(Math.abs(adwin.estimate - 0.3) < 0.03, `seed ${seed}: estimate ${adwin.estimate}`);
    }
  });
});

describe('change detectors on a stationary stream (accuracy 0.9, 100k samples)', () => {
  // Measured over seeds 100..109 (1M samples per detector): ADWIN 0 alarms in total; Page-Hinkley 3
  // (0–2 per run; the CUSUM's average run length for drift −δ = −0.005, σ² = 0.09, λ = 50 is ≈ 450k
  // samples, i.e. ≈ 0.2 alarms per 100k); DDM 6 (0–1 per run).
  const limits: Record<string, number> = { ADWIN: 0, 'Page-Hinkley': 3, DDM: 3 };
  for (const { name, make } of kinds) {
    it(`${name} raises at most ${limits[name]} false alarm(s) per 100k samples`, () => {
      for (const seed of [100, 101, 102]) {
        const stream = errorStream(seed, 100_000, Infinity);
        const count = alarms(make(), stream).length;
        assert.ok(count <= limits[name], `seed ${seed}: ${count} false alarms`);
      }
    });
  }
});

describe('checkpoints restore exactly', () => {
  for (const { name, make } of kinds) {
    it(`${name}: snapshot mid-stream, restore from JSON text, continue: same outputs as an uninterrupted run`, () => {
      const stream = errorStream(7, 12_000, 4000);
      const straight = make();
      const expected = stream.map((x) => [straight.update(x), straight.estimate] as const);
      const firstAlarm = expected.findIndex(([fired]) => fired);
      assert.ok(firstAlarm > 0, 'the stream must contain an alarm for this test to mean anything');
      // Cut points: early, at an alarm step, right after it, odd places between ADWIN clock ticks.
      for (const cut of [1, 17, firstAlarm + 1, firstAlarm + 2, 4001, 7777]) {
        const first = make();
        const got: Array<readonly [boolean, number]> = [];
        for (const x of stream.slice(0, cut)) got.push([first.update(x), first.estimate]);
        const restored = restoreDetector(JSON.parse(JSON.stringify(first.toJSON())));
        assert.equal(restored.detected, first.detected);
        assert.ok(Object.is(restored.estimate, first.estimate));
        for (const x of stream.slice(cut)) got.push([restored.update(x), restored.estimate]);
        assert.deepEqual(got, expected, `${name} restored at ${cut}`);
        assert.deepEqual(restored.toJSON(), straight.toJSON());
      }
    });
  }

  it('rejects states of the wrong kind or with corrupt numbers', () => {
    assert.throws(() => restoreDetector({ kind: 'nope' } as never), TypeError);
    const adwin = new Adwin();
    for (let i = 0; i < 100; i++) adwin.update(i % 3 === 0 ? 1 : 0);
    const state = adwin.toJSON();
    assert.throws(() => Adwin.fromJSON({ ...state, width: state.width + 1 }), TypeError);
    assert.throws(() => Adwin.fromJSON({ ...state, total: NaN }), TypeError);
    const ddm = new Ddm().toJSON();
    assert.throws(() => Ddm.fromJSON({ ...ddm, count: -1 }), TypeError);
    const ph = new PageHinkley().toJSON();
    assert.throws(() => PageHinkley.fromJSON({ ...ph, statistic: -1 }), TypeError);
  });
});

describe('ADWIN internals', () => {
  it('its window is exactly the most recent `width` inputs: mean and variance match a direct computation', () => {
    const next = random(99);
    const inputs: number[] = [];
    const adwin = new Adwin();
    let checked = 0;
    for (let t = 0; t < 20_000; t++) {
      // Several regimes, including a non-binary stretch, so the window is cut more than once.
      const level = [0.1, 0.5, 0.2, 0.8][Math.floor(t / 5000)];
      const x = t >= 15_000 ? level + next() : next() < level ? 1 : 0;
      inputs.push(x);
      adwin.update(x);
      if (t % 997 === 0 || adwin.detected) {
        const window = inputs.slice(inputs.length - adwin.width);
        const mean = window.reduce((s, v) => s + v, 0) / window.length;
        const variance = window.reduce((s, v) => s + (v - mean) ** 2, 0) / window.length;
        assert.ok(Math.abs(adwin.estimate - mean) < 1e-9, `t=${t}: mean ${adwin.estimate} vs ${mean}`);
        assert.ok(Math.abs(adwin.variance - variance) < 1e-9, `t=${t}: variance ${adwin.variance} vs ${variance}`);
        checked++;
      }
    }
    assert.ok(adwin.detections >= 3, `expected cuts at the regime changes, got ${adwin.detections}`);
    assert.ok(checked > 20);
  });

  it('keeps memory logarithmic in the width (at most maxBuckets per row)', () => {
    const adwin = new Adwin({ maxBuckets: 5 });
    for (let t = 0; t < 200_000; t++) adwin.update(t % 10 === 0 ? 1 : 0);
    assert.equal(adwin.width, 200_000, 'a stationary periodic stream must not be cut');
    assert.ok(adwin.buckets <= 5 * (Math.log2(adwin.width) + 1), `${adwin.buckets} buckets`);
  });

  it('reset() forgets the window', () => {
    const adwin = new Adwin();
    for (let t = 0; t < 1000; t++) adwin.update(1);
    adwin.reset();
    assert.equal(adwin.width, 0);
    assert.equal(adwin.estimate, 0);
    assert.deepEqual(adwin.toJSON(), new Adwin().toJSON());
  });
});

describe('Page-Hinkley and DDM against their textbook definitions', () => {
  it('Page-Hinkley (α = 1) alarms exactly where m_t − min(0, min m_s) > λ, m_t = Σ (x_s − x̄_s − δ)', () => {
    const stream = errorStream(3, 4000, 1500); // short: the reference below is O(n²)
    const options = { delta: 0.005, threshold: 20, alpha: 1, minInstances: 30 };
    const expected: number[] = [];
    let start = 0; // index where the current run began (after an alarm the test restarts)
    for (let t = 0; t < stream.length; t++) {
      // Direct, non-recursive evaluation over the current run.
      let sum = 0;
      let m = 0;
      let minimum = 0;
      for (let s = start; s <= t; s++) {
        sum += stream[s];
        m += stream[s] - sum / (s - start + 1) - options.delta;
        minimum = Math.min(minimum, m);
      }
      if (t - start + 1 >= options.minInstances && m - minimum > options.threshold) {
        expected.push(t);
        start = t + 1;
      }
    }
    assert.ok(expected.length >= 1, 'the reference must see at least one alarm');
    assert.ok(expected[0] >= 1500, 'no alarm before the change at 1500');
    assert.deepEqual(alarms(new PageHinkley(options), stream), expected);
  });

  it('DDM alarms where p_i + s_i ≥ p_min + 3 s_min, with p_i = errors / i counted directly', () => {
    const stream = errorStream(11, 30_000, 10_000);
    const expectedDrifts: number[] = [];
    const expectedWarnings: number[] = [];
    let errors = 0;
    let i = 0;
    let pMin = Infinity;
    let sMin = Infinity;
    stream.forEach((x, t) => {
      i++;
      errors += x;
      const p = errors / i;
      const s = Math.sqrt((p * (1 - p)) / i);
      if (i < 30) return;
      if (s > 0 && p + s < pMin + sMin) [pMin, sMin] = [p, s];
      if (p + s >= pMin + 2 * sMin) expectedWarnings.push(t);
      if (p + s >= pMin + 3 * sMin) {
        expectedDrifts.push(t);
        [errors, i, pMin, sMin] = [0, 0, Infinity, Infinity];
      }
    });
    const ddm = new Ddm();
    const warnings: number[] = [];
    const drifts: number[] = [];
    stream.forEach((x, t) => {
      if (ddm.update(x)) drifts.push(t);
      if (ddm.warning) warnings.push(t);
    });
    assert.ok(expectedDrifts.length >= 1);
    assert.deepEqual(drifts, expectedDrifts);
    assert.deepEqual(warnings, expectedWarnings);
  });

  it('DDM does not call the first error after a clean start a drift', () => {
    const ddm = new Ddm();
    for (let t = 0; t < 100; t++) assert.equal(ddm.update(0), false);
    assert.equal(ddm.update(1), false);
    assert.equal(ddm.estimate, 1 / 101);
  });
});
