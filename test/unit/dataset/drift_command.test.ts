// End to end: CSV / JSONL files on disk → runDrift → JSON contract; and the standalone CLI entry.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { runDrift, type DriftCommandOptions } from '../../../src/cli/commands/drift.js';
import { normals, choices } from '../stats/seeded.js';

const dir = mkdtempSync(join(tmpdir(), 'mw-drift-'));

function writeCsv(name: string, seed: number, n: number, shiftAge: number, shiftPlan: boolean): string {
  const age = normals(seed, n, 40 + shiftAge, 10);
  const income = normals(seed + 1, n, 50000, 8000);
  const plan = choices(seed + 2, n, ['basic', 'pro', 'team, large'], shiftPlan ? [1, 1, 3] : [3, 2, 1]);
  const lines = ['age,income,plan'];
  for (let i = 0; i < n; i++) lines.push(`${age[i].toFixed(3)},${i % 97 === 0 ? '' : income[i].toFixed(2)},"${plan[i]}"`);
  const p = join(dir, name);
  writeFileSync(p, lines.join('\n') + '\n');
  return p;
}

const ref = writeCsv('ref.csv', 1, 600, 0, false);
const curDrift = writeCsv('cur.csv', 50, 700, 8, true);

async function run(o: Partial<DriftCommandOptions>) {
  let out = '';
  let err = '';
  const code = await runDrift({ reference: ref, current: curDrift, stdout: (s) => (out += s), stderr: (s) => (err += s), ...o });
  return { code, out, err };
}

test('shifted columns are flagged, the unshifted one is not; JSON follows the contract', async () => {
  const { code, out } = await run({});
  const r = JSON.parse(out);
  assert.equal(code, 1);
  assert.equal(r.dataset_drift, true);
  assert.equal(r.number_drifted_columns, 2);
  assert.equal(r.share_drifted_columns, 2 / 3);
  assert.deepEqual(Object.keys(r.columns), ['age', 'income', 'plan']);
  assert.equal(r.columns.age.stattest, 'ks');
  assert.equal(r.columns.age.drift_detected, true);
  assert.equal(r.columns.income.drift_detected, false);
  assert.equal(r.columns.plan.stattest, 'chisquare');
  assert.equal(r.columns.plan.column_type, 'cat');
  assert.equal(r.columns.plan.drift_detected, true);
  assert.ok(Math.abs(r.columns.income.missing_share - 8 / 700) < 1e-12);
  for (const c of Object.values<Record<string, unknown>>(r.columns)) {
    for (const k of ['column_type', 'stattest', 'score', 'threshold', 'drift_detected', 'n_reference', 'n_current']) assert.ok(k in c, k);
  }
});

test('options: forced test and threshold, drift share, columns, JSONL current, output file', async () => {
  const { code, out } = await run({ stattest: 'psi', threshold: 0.5, driftShare: 0.9 });
  const r = JSON.parse(out);
  assert.equal(code, 0);
  assert.equal(r.columns.age.stattest, 'psi');
  assert.equal(r.columns.age.threshold, 0.5);
  const jl = join(dir, 'cur.jsonl');
  writeFileSync(jl, readFileSync(ref, 'utf8').trim().split('\n').slice(1).map((l) => {
    const [a, i] = l.split(',');
    return JSON.stringify({ age: Number(a), income: i === '' ? null : Number(i) });
  }).join('\n'));
  const outFile = join(dir, 'out.json');
  const same = await run({ current: jl, columns: ['age', 'income'], output: outFile });
  assert.equal(same.code, 0);
  const r2 = JSON.parse(readFileSync(outFile, 'utf8'));
  assert.equal(r2.columns.age.statistic, 0);
  assert.equal(r2.number_drifted_columns, 0);
});

test('a column absent from current is reported, not counted as drift', async () => {
  const p = join(dir, 'noplan.csv');
  writeFileSync(p, readFileSync(curDrift, 'utf8').split('\n').map((l) => l.split(',').slice(0, 2).join(',')).join('\n'));
  const { out } = await run({ current: p });
  const r = JSON.parse(out);
  assert.deepEqual(r.absent_in_current, ['plan']);
  assert.equal(r.number_of_columns, 2);
  assert.equal(r.columns.plan, undefined);
});

test('bad input: exit 2 and a message naming file, line and column', async () => {
  const semi = join(dir, 'semi.csv');
  writeFileSync(semi, 'age;income;plan\n1;2;x\n');
  assert.match((await run({ current: semi })).err, /semi\.csv:1: .*;-delimited/);
  const one = join(dir, 'one.csv');
  writeFileSync(one, 'age\n1\n2\n');
  const r1 = await run({ current: one });
  assert.equal(r1.code, 2);
  assert.match(r1.err, /one\.csv:1: has a single column "age" while .*ref\.csv has 3: wrong delimiter/);
  const text = join(dir, 'text.csv');
  writeFileSync(text, 'age,income,plan\n1,2,basic\n3,n/a,pro\n');
  assert.match((await run({ current: text })).err, /text\.csv:3 column "income": "n\/a" is not a number/);
  const empty = join(dir, 'empty.csv');
  writeFileSync(empty, '');
  assert.match((await run({ current: empty })).err, /empty\.csv:1: the file is empty/);
  assert.match((await run({ columns: ['age', 'nope'] })).err, /ref\.csv:1 column "nope": column not found/);
  const noplan = join(dir, 'noplan.csv');
  assert.match((await run({ current: noplan, columns: ['plan'] })).err, /noplan\.csv:1 column "plan": column not found/);
  assert.match((await run({ current: join(dir, 'missing.csv') })).err, /missing\.csv: cannot read: ENOENT/);
});

test('standalone entry parses the documented flags', () => {
  let status = 0;
  let stdout = '';
  try {
    stdout = execFileSync(process.execPath, ['--import', 'tsx', 'src/cli/commands/drift.ts', 'drift', '--reference', ref, '--current', curDrift,
      '--columns', 'income', '--stattest', 'ks', '--drift-share', '0.5'], { encoding: 'utf8' });
  } catch (e) {
    status = (e as { status: number }).status;
  }
  assert.equal(status, 0);
  const r = JSON.parse(stdout);
  assert.deepEqual(Object.keys(r.columns), ['income']);
  assert.equal(r.drift_share, 0.5);
});
