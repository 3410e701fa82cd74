// The drift processor on its own: runs against a reference file (per-feature overrides checked
// against scipy), absent features, min_samples, snapshot/restore equality, captured references,
// reports and their retention, and bad reference files at start and in preflight.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { psi } from '../../../src/stats/drift.js';
import { driftConfig } from '../../../src/processors/drift/config.js';
import { driftProcessorFactory } from '../../../src/processors/drift/factory.js';
import type { DriftRunResult } from '../../../src/processors/drift/run.js';
import { csv, gaugeValues, makeProcessor, prediction } from './drift-harness.js';
import { choices, normals } from '../stats/seeded.js';

const H = 3_600_000;
const N_REF = 800;
const N_CUR = 600;

function scipy(script: string, input: unknown): any {
  const r = spawnSync('/usr/bin/python3', ['-c', `import json,sys\nimport numpy as np\nfrom scipy import stats\nd=json.load(sys.stdin)\n${script}`], { input: JSON.stringify(input), encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`python failed: ${r.stderr}`);
  return JSON.parse(r.stdout);
}

/** A reference file (x, y numerical; cat categorical; z never sent) and a processor on it. */
function setup(extra: Record<string, unknown> = {}) {
  const ref = { x: normals(11, N_REF), y: normals(12, N_REF, 5, 2), cat: choices(13, N_REF, ['a', 'b', 'c'], [5, 3, 2]), z: normals(14, N_REF) };
  const h0 = makeProcessor({ reference: { path: 'placeholder' } });
  const file = join(h0.dir, 'reference.csv');
  writeFileSync(file, csv(ref));
  const h = makeProcessor({ reference: { path: file }, schedule: null, ...extra }, { dir: h0.dir });
  return { ...h, ref, file };
}

function sendCurrent(h: ReturnType<typeof setup>, n = N_CUR, shift = 0.8) {
  const x = normals(21, n, shift);
  const y = normals(22, n, 5, 2);
  const cat = choices(23, n, ['a', 'b', 'c'], [5, 3, 2]);
  const start = h.clock.t - 3 * H;
  for (let i = 0; i < n; i++) {
    h.processor.consume([prediction('fraud', '1', { x: x[i], y: y[i], cat: cat[i] })], start + Math.floor((i * 3 * H) / n));
  }
  return { x, y, cat };
}

test('a run flags the shifted feature; overrides pick the test and threshold; p-values match scipy', async () => {
  const h = setup({ exact_max: 5000, features: { x: { stattest: 'ks' }, y: { stattest: 'psi', threshold: 0.2 } } });
  await h.processor.start();
  const cur = sendCurrent(h);
  const [r] = (await h.processor.run({ model: 'fraud' })) as (DriftRunResult & { report?: string })[];
  assert.equal(r.status, 'ok');
  assert.equal(r.model, 'fraud');
  assert.equal(r.version, '1');
  assert.equal(r.n_current, N_CUR);
  assert.equal(r.columns.x.stattest, 'ks');
  assert.equal(r.columns.y.stattest, 'psi');
  assert.equal(r.columns.y.threshold, 0.2);
  assert.equal(r.columns.x.drift_detected, true);
  assert.equal(r.columns.y.drift_detected, false);
  assert.equal(r.columns.cat.drift_detected, false);
  // exact mode (both sides under exact_max): KS is scipy's ks_2samp
  const ks = scipy('r=stats.ks_2samp(d["a"],d["b"]); print(json.dumps([r.statistic,r.pvalue]))', { a: Array.from(h.ref.x), b: Array.from(cur.x) });
  assert.ok(Math.abs(r.columns.x.statistic! - ks[0]) < 1e-12, `${r.columns.x.statistic} vs ${ks[0]}`);
  assert.ok(Math.abs(r.columns.x.score - ks[1]) <= 1e-9 * Math.max(ks[1], 1e-300) + 1e-300, `${r.columns.x.score} vs ${ks[1]}`);
  // cat: auto (n <= 1000, 3 categories) is chi-square; scipy's chisquare on the same expected counts
  assert.equal(r.columns.cat.stattest, 'chisquare');
  const count = (a: string[]) => ['a', 'b', 'c'].map((k) => a.filter((v) => v === k).length);
  const chi = scipy('o=np.array(d["cur"],float); e=np.array(d["ref"],float); e=e/e.sum()*o.sum(); print(json.dumps(stats.chisquare(o,e).pvalue))', { ref: count(h.ref.cat), cur: count(cur.cat) });
  assert.ok(Math.abs(r.columns.cat.score - chi) < 1e-9, `${r.columns.cat.score} vs ${chi}`);
  // PSI from the stream equals PSI of the raw values
  assert.ok(Math.abs(r.columns.y.score - psi(h.ref.y, cur.y)) < 1e-9);
  // z was never sent: reported absent, not drifted
  assert.deepEqual(r.absent_in_current, ['z']);
  assert.equal(r.missing_share.z, 1);
  assert.equal(r.number_of_columns, 3);
  assert.equal(r.dataset_drift, 1 / 3 >= 0.5);

  const m = 'fraud|1';
  assert.deepEqual(gaugeValues(h.metrics, 'model_feature_drift_detected'), { [`${m}|x`]: 1, [`${m}|y`]: 0, [`${m}|cat`]: 0 });
  assert.deepEqual(Object.keys(gaugeValues(h.metrics, 'model_feature_drift_score')).sort(), [`${m}|cat|chisquare`, `${m}|x|ks`, `${m}|y|psi`]);
  assert.equal(gaugeValues(h.metrics, 'model_drifted_columns_ratio')[m], 1 / 3);
  assert.equal(gaugeValues(h.metrics, 'model_data_drift_detected')[m], 0);
  assert.deepEqual(gaugeValues(h.metrics, 'model_feature_missing_share'), { [`${m}|x`]: 0, [`${m}|y`]: 0, [`${m}|cat`]: 0, [`${m}|z`]: 1 });

  // the report is written and served by name; names outside the directory are refused
  const reports = await h.processor.reports.list();
  assert.equal(reports.length, 1);
  assert.match(reports[0].file, /^drift-fraud-1-\d{8}T\d{9}Z\.html$/);
  assert.equal(r.report, `/reports/${reports[0].file}`);
  const html = await h.processor.reports.read(reports[0].file);
  for (const f of ['x', 'y', 'cat']) assert.ok(html!.includes(`data-column="${f}"`), f);
  for (const bad of ['../reference.csv', '..', '.hidden.html', 'reference.csv', `../reports/${reports[0].file}`, '/etc/passwd']) {
    assert.equal(await h.processor.reports.read(bad), undefined, bad);
  }
  await h.processor.shutdown();
});

test('below min_samples there is no verdict, and earlier verdict series are removed', async () => {
  const h = setup({ min_samples: 700 });
  await h.processor.start();
  sendCurrent(h, 600);
  const [r] = await h.processor.run();
  assert.equal(r.status, 'insufficient_data');
  assert.equal(r.n_current, 600);
  assert.deepEqual(gaugeValues(h.metrics, 'model_data_drift_detected'), {});
  sendCurrent(h, 200);
  assert.equal((await h.processor.run())[0].status, 'ok');
  assert.equal(Object.keys(gaugeValues(h.metrics, 'model_data_drift_detected')).length, 1);
  // a week and more later the window is empty again: the verdict goes away
  h.clock.t += 8 * 24 * H;
  const [later] = await h.processor.run();
  assert.equal(later.status, 'insufficient_data');
  assert.equal(later.n_current, 0);
  assert.deepEqual(gaugeValues(h.metrics, 'model_feature_drift_detected'), {});
  assert.equal((await h.processor.reports.list()).length, 1);
});

test('snapshot and restore: the same state, the same result', async () => {
  const h = setup();
  await h.processor.start();
  sendCurrent(h);
  const snap = JSON.parse(JSON.stringify(h.processor.snapshot()));
  const first = await h.processor.run();

  const h2 = makeProcessor({ reference: { path: h.file }, schedule: null }, { dir: h.dir, t: h.clock.t });
  await h2.processor.start();
  h2.processor.restore(snap);
  assert.deepEqual(JSON.parse(JSON.stringify(h2.processor.snapshot())), snap);
  const second = await h2.processor.run();
  const strip = (o: any) => ({ ...o, report: undefined });
  assert.deepEqual(second.map(strip), first.map(strip));

  // restored onto a different reference file: the window starts again (no mixing of bin specs)
  const other = join(h.dir, 'other.csv');
  writeFileSync(other, csv({ x: normals(99, 300, 10), y: normals(98, 300), cat: choices(97, 300, ['a'], [1]), z: normals(96, 300) }));
  const h3 = makeProcessor({ reference: { path: other }, schedule: null, min_samples: 1 }, { dir: h.dir, t: h.clock.t });
  await h3.processor.start();
  h3.processor.restore(snap);
  const [r3] = await h3.processor.run();
  assert.equal(r3.status, 'insufficient_data');
  assert.equal(r3.n_current, 0);
});

test('captured reference: the first N predictions of each version, then the window; survives a restart mid-capture', async () => {
  const config = { reference: { capture: { first: 300 } }, schedule: null, min_samples: 50 };
  const h = makeProcessor(config);
  await h.processor.start();
  const x = normals(31, 1000);
  const cls = choices(32, 1000, ['yes', 'no'], [1, 1]);
  const at = h.clock.t - H;
  const send = (p: typeof h.processor, from: number, to: number, shift = 0) => {
    for (let i = from; i < to; i++) p.consume([prediction('churn', '7', { x: x[i] + (i >= 600 ? shift : 0), plan: i % 2 ? 'pro' : 'free' }, { predictedClass: cls[i], confidence: 0.5 + (i % 50) / 100 })], at + i);
  };
  send(h.processor, 0, 200);
  assert.equal((await h.processor.run())[0].status, 'capturing_reference');
  const snap = JSON.parse(JSON.stringify(h.processor.snapshot()));

  const h2 = makeProcessor(config, { dir: h.dir, t: h.clock.t });
  await h2.processor.start();
  h2.processor.restore(snap);
  send(h2.processor, 200, 1000, 3);
  const [r] = (await h2.processor.run()) as DriftRunResult[];
  assert.equal(r.status, 'ok');
  assert.equal(r.n_current, 700);
  assert.match(r.reference, /first 300 predictions/);
  assert.deepEqual(Object.keys(r.columns).sort(), ['confidence', 'plan', 'prediction', 'x']);
  assert.equal(r.columns.prediction.column_type, 'cat');
  assert.equal(r.columns.confidence.column_type, 'num');
  assert.equal(r.columns.x.drift_detected, true);
  assert.equal(r.columns.plan.drift_detected, false);

  // the captured reference is in the checkpoint: a restore gives the same run
  const h3 = makeProcessor(config, { dir: h.dir, t: h.clock.t });
  await h3.processor.start();
  h3.processor.restore(JSON.parse(JSON.stringify(h2.processor.snapshot())));
  const [r3] = await h3.processor.run();
  assert.deepEqual({ ...r3, report: undefined }, { ...r, report: undefined });
});

test('{model} and {version} in the reference path: one file per model version; others are not tracked', async () => {
  const h0 = makeProcessor({ reference: { path: 'x' } });
  mkdirSync(join(h0.dir, 'refs', 'fraud'), { recursive: true });
  writeFileSync(join(h0.dir, 'refs', 'fraud', 'v1.csv'), csv({ x: normals(1, 200) }));
  writeFileSync(join(h0.dir, 'refs', 'fraud', 'v2.csv'), csv({ x: normals(2, 200, 4) }));
  const h = makeProcessor({ reference: { path: join(h0.dir, 'refs', '{model}', 'v{version}.csv') }, schedule: null, min_samples: 10 }, { dir: h0.dir });
  await h.processor.start();
  const cur = normals(5, 50, 4);
  for (const v of ['1', '2', '3']) for (let i = 0; i < 50; i++) h.processor.consume([prediction('fraud', v, { x: cur[i] })], h.clock.t - 1000);
  const runs = await h.processor.run({ model: 'fraud' });
  assert.deepEqual(runs.map((r) => [r.version, r.status]), [['1', 'ok'], ['2', 'ok'], ['3', 'no_reference']]);
  assert.equal((runs[0] as DriftRunResult).columns.x.drift_detected, true);
  assert.equal((runs[1] as DriftRunResult).columns.x.drift_detected, false);
  // a file added later is picked up at the next run (its window starts then)
  writeFileSync(join(h0.dir, 'refs', 'fraud', 'v3.csv'), csv({ x: normals(3, 200, 4) }));
  for (let i = 0; i < 50; i++) h.processor.consume([prediction('fraud', '3', { x: 4 })], h.clock.t - 500);
  // the run finds the file; predictions before it were not tracked, so the window starts empty
  const [found] = await h.processor.run({ model: 'fraud', version: '3' });
  assert.deepEqual([found.status, found.n_current], ['insufficient_data', 0]);
  for (let i = 0; i < 50; i++) h.processor.consume([prediction('fraud', '3', { x: cur[i] })], h.clock.t - 500);
  assert.equal((await h.processor.run({ model: 'fraud', version: '3' }))[0].status, 'ok');
});

test('reports older than the retention are removed at each run', async () => {
  const h = setup({ reports: { retention: '2d' }, min_samples: 10 });
  await h.processor.start();
  sendCurrent(h, 100);
  await h.processor.run();
  h.clock.t += 24 * H;
  sendCurrent(h, 100);
  await h.processor.run();
  assert.equal((await h.processor.reports.list()).length, 2);
  h.clock.t += 36 * H;
  sendCurrent(h, 100);
  await h.processor.run();
  const left = await h.processor.reports.list();
  assert.equal(left.length, 2);
  assert.ok(left[0].time > left[1].time, 'newest first');
  assert.equal(readdirSync(h.processor.reports.dir).filter((f) => f.endsWith('.json')).length, 2);
});

test('a missing or malformed reference fails the start and preflight, naming file, line and column', async () => {
  const h = setup();
  const bad = join(h.dir, 'bad.csv');
  writeFileSync(bad, 'x,cat\n1,a\n2,b\n3\n');
  const hb = makeProcessor({ reference: { path: bad } }, { dir: h.dir });
  await assert.rejects(hb.processor.start(), /bad\.csv:4: expected 2 fields/);
  const typed = join(h.dir, 'typed.csv');
  writeFileSync(typed, 'x,cat\n1,a\n2,b\nthree,c\n');
  const ht = makeProcessor({ reference: { path: typed, types: { x: 'num' } } }, { dir: h.dir });
  await assert.rejects(ht.processor.start(), /typed\.csv:4 column "x": "three" is not a number/);
  const hm = makeProcessor({ reference: { path: join(h.dir, 'nope.csv') } }, { dir: h.dir });
  await assert.rejects(hm.processor.start(), /nope\.csv: cannot read the reference: ENOENT/);

  const problems = await driftProcessorFactory.preflight!(driftConfig.parse({ reference: { path: typed, types: { x: 'num' } } }));
  assert.equal(problems.length, 1);
  assert.equal(problems[0].path, 'reference::path');
  assert.match(problems[0].message, /typed\.csv:4 column "x"/);
  assert.deepEqual(await driftProcessorFactory.preflight!(driftConfig.parse({ reference: { path: h.file } })), []);
  const none = await driftProcessorFactory.preflight!(driftConfig.parse({ reference: { path: join(h.dir, 'none', '{model}.csv') } }));
  assert.match(none[0].message, /no file matches/);
});

test('config: defaults, bad cron, bad durations and unknown keys are refused', () => {
  const c = driftConfig.parse({ reference: { path: 'r.csv' } });
  assert.equal(c.current.window, 7 * 24 * H);
  assert.equal(c.current.sub_window, H);
  assert.equal(c.schedule, '0 2 * * 1');
  assert.equal(c.min_samples, 100);
  assert.equal(c.reports.retention, 30 * 24 * H);
  const bad = (v: unknown) => driftConfig.safeParse(v).success;
  assert.equal(bad({ reference: { path: 'r.csv' }, schedule: 'every monday' }), false);
  assert.equal(bad({ reference: { path: 'r.csv' }, current: { window: '1h', sub_window: '2h' } }), false);
  assert.equal(bad({ reference: { path: 'r.csv' }, timezone: 'Mars/Olympus' }), false);
  assert.equal(bad({ reference: { path: 'r.csv' }, features: { x: { stattest: 'magic' } } }), false);
  assert.equal(bad({ reference: { path: 'r.csv', extra: 1 } }), false);
  assert.equal(bad({ reference: { capture: { first: 500 } }, timezone: 'Europe/Paris' }), true);
});

test('the cron schedule runs drift by itself (every second here), and shutdown stops it', async () => {
  const h = setup({ schedule: '* * * * * *', timezone: 'UTC', min_samples: 10 });
  await h.processor.start();
  sendCurrent(h, 100);
  const deadline = Date.now() + 5000;
  while ((await h.processor.latestOf('fraud')).length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  const [r] = (await h.processor.latestOf('fraud')) as DriftRunResult[];
  assert.equal(r?.status, 'ok');
  await h.processor.shutdown();
  const n = (await h.processor.reports.list()).length;
  // a run after this would write a report under a new name
  h.clock.t += 60_000;
  await new Promise((r) => setTimeout(r, 1200));
  assert.equal((await h.processor.reports.list()).length, n);
});
