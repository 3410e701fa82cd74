// A storage.path that holds something other than a sound modelwatch database: random bytes, another
// application's SQLite database, a truncated modelwatch database. The agent must refuse to start with
// one clear error line naming the file (no stack trace), leave the file untouched, and `modelwatch
// validate` must report the same problem.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import Database from 'better-sqlite3';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '../../../src/storage/database.js';
import { Queue } from '../../../src/storage/queue.js';
import { agentConfig, allocatePorts, CLI } from '../../helpers/agent.js';
import { agentEnv, errorLines, seededRandom } from './harness.js';

const dir = mkdtempSync(join(tmpdir(), 'modelwatch-corrupt-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function randomBytesFile(path: string): void {
  const random = seededRandom(7);
  writeFileSync(path, Uint8Array.from({ length: 64 * 1024 }, () => Math.floor(random() * 256)));
}

function foreignDatabase(path: string): void {
  const db = new Database(path);
  db.exec('CREATE TABLE invoices (id INTEGER PRIMARY KEY, customer TEXT, total REAL); CREATE INDEX by_customer ON invoices (customer)');
  const insert = db.prepare('INSERT INTO invoices (customer, total) VALUES (?, ?)');
  for (let i = 0; i < 500; i++) insert.run(`customer-${i % 37}`, i * 9.5);
  db.close();
}

/** A real modelwatch database with a few hundred queue rows, cut to 60% of its size (a lost tail). */
function truncatedModelwatchDatabase(path: string): void {
  const db = openDatabase(path, { sync: 'normal' });
  const queue = new Queue(db, 1 << 30);
  const records = Array.from({ length: 20 }, (_, i) => ({ kind: 'feedback' as const, predictionId: `p-${i}-${'x'.repeat(80)}`, groundTruthClass: 'ok', timeMs: 1 }));
  for (let i = 0; i < 300; i++) queue.append('otlp', records.length, queue.encode(records));
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
  const size = statSync(path).size;
  assert.ok(size > 100 * 1024, `the database spans many pages (${size} bytes)`);
  truncateSync(path, Math.floor(size * 0.6));
}

const CASES: { name: string; make: (path: string) => void; reason: RegExp }[] = [
  { name: 'a file of random bytes', make: randomBytesFile, reason: /not a database/ },
  { name: "another application's SQLite database", make: foreignDatabase, reason: /not a modelwatch storage database/ },
  { name: 'a truncated modelwatch database', make: truncatedModelwatchDatabase, reason: /corrupt|malformed/ },
];

describe('storage.path holds a file the agent must not use', () => {
  for (const [i, c] of CASES.entries()) {
    test(`${c.name}: run exits non-zero with one error line naming the file; validate says the same`, async (t) => {
      const caseDir = join(dir, `case-${i}`);
      const ports = await allocatePorts();
      const configFile = join(caseDir, 'config.yaml');
      const storage = join(caseDir, 'modelwatch.db');
      rmSync(caseDir, { recursive: true, force: true });
      mkdirSync(caseDir, { recursive: true });
      c.make(storage);
      writeFileSync(configFile, agentConfig(ports, caseDir));
      const before = readFileSync(storage);

      const run = spawnSync(process.execPath, [CLI, 'run', '--config', configFile], { cwd: caseDir, env: { ...process.env, ...agentEnv() }, encoding: 'utf8', timeout: 20_000 });
      const out = run.stdout + run.stderr;
      assert.notEqual(run.status, 0, out);
      assert.equal(run.signal, null, `exited by itself: ${out}`);
      const errors = errorLines(run.stderr);
      assert.equal(errors.length, 1, `exactly one error line:\n${out}`);
      const reason = String(errors[0].err ?? errors[0].msg);
      assert.ok(reason.includes(storage), `the error names the file: ${reason}`);
      assert.match(reason, c.reason);
      t.diagnostic(`run: ${reason}`);
      assert.doesNotMatch(out, /^\s+at /m, 'no stack trace');
      assert.ok(!('stack' in errors[0]) && !/"stack"/.test(JSON.stringify(errors[0])), 'no stack trace in the error record');
      assert.deepEqual(readFileSync(storage), before, 'the file is left as it was');

      const validate = spawnSync(process.execPath, [CLI, 'validate', '--config', configFile], { cwd: caseDir, env: { ...process.env, ...agentEnv() }, encoding: 'utf8', timeout: 20_000 });
      const vout = validate.stdout + validate.stderr;
      assert.equal(validate.status, 1, vout);
      const line = vout.split('\n').find((l) => l.includes('storage::path'));
      assert.ok(line, `validate names storage::path:\n${vout}`);
      assert.ok(line.includes(reason), `validate says what run said:\n  run:      ${reason}\n  validate: ${line}`);
      assert.deepEqual(readFileSync(storage), before, 'validate leaves the file as it was');
    });
  }
});
