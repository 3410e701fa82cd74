// The concept_drift processor driven directly: the change detector fires soon after a known accuracy
// drop and not before; the check's drop, verdict, trend and declining days against arithmetic done here;
// the hold of the change flag; the cron schedule; and crash-replay equality.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { conceptDriftConfig } from '../../../src/processors/concept_drift/config.js';
import { ConceptDriftProcessor } from '../../../src/processors/concept_drift/processor.js';
import { CronSchedule } from '../../../src/processors/concept_drift/schedule.js';
import { rng } from '../stats/seeded.js';
import { openProcessor, prediction, feedback, tempDbPath, values } from './harness.js';

const DAY = 86_400_000;
const T0 = Date.UTC(2025, 2, 1, 12);
const M = 'model_name=churn,model_version=2';

/** Outcomes of a model whose accuracy is 0.9 for `before` labels, then 0.7. */
function outcomes(seed: number, before: number, after: number): boolean[] {
  const u = rng(seed);
  return Array.from({ length: before + after }, (_, i) => u() < (i < before ? 0.9 : 0.7));
}

function feed(p: ConceptDriftProcessor, correct: readonly boolean[], at: (i: number) => number, onLabel?: (i: number) => void, batch = 10) {
  for (let i = 0; i < correct.length; i += batch) {
    const records = correct.slice(i, i + batch).map((ok, k) => prediction('churn', '2', `p${i + k}`, 'yes', ok ? 'yes' : 'no'));
    p.consume(records, at(i));
    onLabel?.(i + records.length - 1);
  }
}

for (const detector of ['adwin', 'page_hinkley', 'ddm'] as const) {
  test(`${detector}: the error-rate change fires within a bounded delay after accuracy falls 0.9 → 0.7, never before`, () => {
    const bound = { adwin: 250, page_hinkley: 450, ddm: 400 }[detector];
    for (const seed of [11, 12, 13]) {
      const before = 3000;
      // DDM's minimum p+s is unreliable over few labels (its known early false alarms): give it a longer warm-up.
      const options = detector === 'ddm' ? { ddm: { min_instances: 1000 } } : {};
      const h = openProcessor(tempDbPath(), 'concept_drift', (ctx) => new ConceptDriftProcessor(conceptDriftConfig.parse({ detector, baseline_accuracy: 0.9, ...options }), ctx));
      let firedAt: number | undefined;
      feed(h.processor, outcomes(seed, before, 2000), (i) => T0 + i, (last) => {
        if (firedAt === undefined && values(h.metrics).get(`model_error_rate_change_detected{${M}}`) === 1) firedAt = last;
      });
      assert.ok(firedAt !== undefined, `seed ${seed}: no change detected`);
      assert.ok(firedAt >= before, `seed ${seed}: false alarm at label ${firedAt} before the change`);
      console.log(`# ${detector} seed ${seed}: detected ${firedAt - before} labels after the change`);
      assert.ok(firedAt - before <= bound, `seed ${seed}: detected ${firedAt - before} labels after the change (bound ${bound})`);
      const estimate = values(h.metrics).get(`model_error_rate_estimate{${M}}`)!;
      assert.ok(estimate > 0.2 && estimate < 0.4, `error rate estimate ${estimate} near 0.3 after the change`);
    }
  });
}

test('the check: learnt baseline, drop, verdict, 7-day trend and declining days against direct arithmetic', () => {
  let now = T0;
  const clock = { now: () => now };
  const cfg = conceptDriftConfig.parse({ baseline_samples: 500, window: 400, min_samples: 100 });
  const h = openProcessor(tempDbPath(), 'concept_drift', (ctx) => new ConceptDriftProcessor(cfg, ctx), clock);
  // 20 days, 100 labels a day, accuracy falling from 0.95 by 0.01 a day with noise.
  const u = rng(5);
  const all: { ok: boolean; day: number }[] = [];
  for (let d = 0; d < 20; d++) {
    for (let k = 0; k < 100; k++) all.push({ ok: u() < 0.95 - 0.01 * d, day: d });
  }
  feed(h.processor, all.map((x) => x.ok), (i) => T0 + all[i].day * DAY, undefined, 50);
  now = T0 + 19 * DAY + 3600_000;
  const [r] = h.processor.runCheck();

  const baseline = all.slice(0, 500).filter((x) => x.ok).length / 500;
  const current = all.slice(-400).filter((x) => x.ok).length / 400;
  const drop = ((baseline - current) / baseline) * 100;
  assert.equal(r.baseline, baseline);
  assert.equal(r.accuracy, current);
  assert.ok(Math.abs(r.drop_percent! - drop) < 1e-12);
  assert.equal(r.concept_drift_detected, drop > 5 || current < 0.8);
  assert.equal(r.concept_drift_detected, true);
  const acc = (from: number, to: number) => {
    const xs = all.filter((x) => x.day >= from && x.day <= to);
    return xs.filter((x) => x.ok).length / xs.length;
  };
  const trend = acc(13, 19) - acc(6, 12);
  assert.ok(Math.abs(r.trend! - trend) < 1e-12, `trend ${r.trend} vs ${trend}`);
  const daily = Array.from({ length: 20 }, (_, d) => acc(d, d));
  let streak = 0;
  for (let d = 19; d > 0 && daily[d] < daily[d - 1]; d--) streak++;
  assert.equal(r.declining_days, streak);

  const v = values(h.metrics);
  assert.ok(Math.abs(v.get(`model_accuracy_drop_percent{${M}}`)! - drop) < 1e-12);
  assert.equal(v.get(`model_concept_drift_detected{${M}}`), 1);
  assert.equal(v.get(`model_accuracy_declining_days{${M}}`), streak);
  assert.equal(v.get(`model_accuracy_baseline{${M}}`), baseline);
});

test('nothing is judged before the baseline is learnt or below min_samples', () => {
  const h = openProcessor(tempDbPath(), 'concept_drift', (ctx) => new ConceptDriftProcessor(conceptDriftConfig.parse({ baseline_samples: 300, min_samples: 100 }), ctx), { now: () => T0 });
  feed(h.processor, Array(200).fill(false), () => T0);
  const [r] = h.processor.runCheck('churn');
  assert.equal(r.baseline, null);
  assert.equal(r.baseline_missing, 100);
  assert.equal(r.concept_drift_detected, null);
  const v = values(h.metrics);
  assert.equal(v.get(`model_concept_drift_detected{${M}}`), undefined);
  assert.equal(v.get(`model_accuracy_drop_percent{${M}}`), undefined);
  assert.deepEqual(h.processor.runCheck('other'), []);
});

test('the change flag stays up until the next check, or for change_hold of queue time', () => {
  const stream = outcomes(21, 2000, 1500);
  const untilCheck = openProcessor(tempDbPath(), 'concept_drift', (ctx) => new ConceptDriftProcessor(conceptDriftConfig.parse({ baseline_accuracy: 0.9 }), ctx), { now: () => T0 });
  feed(untilCheck.processor, stream, (i) => T0 + i);
  assert.equal(values(untilCheck.metrics).get(`model_error_rate_change_detected{${M}}`), 1);
  const [r] = untilCheck.processor.runCheck();
  assert.equal(r.error_rate_change_detected, true);
  assert.equal(values(untilCheck.metrics).get(`model_error_rate_change_detected{${M}}`), 0);

  const held = openProcessor(tempDbPath(), 'concept_drift', (ctx) => new ConceptDriftProcessor(conceptDriftConfig.parse({ baseline_accuracy: 0.9, change_hold: '1h' }), ctx), { now: () => T0 });
  feed(held.processor, stream, (i) => T0 + i);
  held.processor.runCheck();
  assert.equal(values(held.metrics).get(`model_error_rate_change_detected{${M}}`), 1, 'a check does not lower a held flag');
  held.processor.consume([prediction('churn', '2', 'late', 'yes', 'yes')], T0 + 3 * 3600_000);
  assert.equal(values(held.metrics).get(`model_error_rate_change_detected{${M}}`), 0, 'lowered after the hold');
});

test('cron schedule: next time in the configured time zone, and missed runs', () => {
  let now = Date.UTC(2025, 0, 15, 1, 0);
  const s = new CronSchedule('0 3 * * *', 'Europe/Berlin', { now: () => now }, () => undefined);
  assert.equal(s.nextAfter(now), Date.UTC(2025, 0, 15, 2, 0), '03:00 in Berlin is 02:00 UTC in winter');
  const utc = new CronSchedule('0 3 * * *', undefined, { now: () => now }, () => undefined);
  assert.equal(utc.nextAfter(now), Date.UTC(2025, 0, 15, 3, 0));
  assert.equal(utc.missedSince(Date.UTC(2025, 0, 14, 4, 0)), false);
  now = Date.UTC(2025, 0, 15, 3, 30);
  assert.equal(utc.missedSince(Date.UTC(2025, 0, 14, 4, 0)), true);
  assert.throws(() => conceptDriftConfig.parse({ schedule: 'every day' }));
  assert.throws(() => conceptDriftConfig.parse({ timezone: 'Mars/Olympus' }));
});

test('a crash between checkpoints, then replay, ends in the uninterrupted state (labels joined across it)', () => {
  const cfg = conceptDriftConfig.parse({ baseline_samples: 300 });
  const stream = outcomes(31, 1500, 1500);
  // Every other prediction gets its label 25 batches later, so pending predictions cross checkpoints.
  const batches: { records: ReturnType<typeof prediction | typeof feedback>[]; at: number }[] = [];
  for (let b = 0; b < stream.length / 20; b++) {
    const records: (ReturnType<typeof prediction> | ReturnType<typeof feedback>)[] = [];
    for (let k = 0; k < 20; k++) {
      const i = b * 20 + k;
      records.push(prediction('churn', '2', `p${i}`, 'yes', i % 2 ? (stream[i] ? 'yes' : 'no') : undefined));
      const j = i - 25 * 20;
      if (j >= 0 && j % 2 === 0) records.push(feedback(`p${j}`, stream[j] ? 'yes' : 'no'));
    }
    batches.push({ records, at: T0 + b * 3 * 3600_000 });
  }
  const clock = { now: () => T0 + 20 * DAY };
  const a = openProcessor(tempDbPath(), 'concept_drift', (ctx) => new ConceptDriftProcessor(cfg, ctx), clock);
  for (const b of batches) a.processor.consume(b.records, b.at);
  const path = tempDbPath();
  let b = openProcessor(path, 'concept_drift', (ctx) => new ConceptDriftProcessor(cfg, ctx), clock);
  let position = 0;
  let crashed = false;
  for (let i = 0; i < batches.length; i++) {
    b.processor.consume(batches[i].records, batches[i].at);
    if (i % 20 === 19) {
      b.checkpoint();
      position = i + 1;
    }
    if (!crashed && i === 97) {
      crashed = true;
      void b.processor.shutdown();
      b.db.close();
      b = openProcessor(path, 'concept_drift', (ctx) => new ConceptDriftProcessor(cfg, ctx), clock);
      i = position - 1;
    }
  }
  assert.deepEqual(b.processor.snapshot(), a.processor.snapshot());
  assert.deepEqual(values(b.metrics), values(a.metrics));
  assert.deepEqual(b.processor.runCheck(), a.processor.runCheck());
  assert.deepEqual(values(b.metrics), values(a.metrics));
});
