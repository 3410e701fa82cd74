// The SQLite log's id index (sqlite-ids/): rows found by prediction id through a table of the newest ids
// and sorted runs with Bloom filters. Checked against merge() in row.ts applied to a Map, over random
// predictions, late stages, labels, duplicates, retention and restarts, with runs small enough that
// every path (recent ids, runs, merged runs, dead runs, a log upgraded from schema 1) is taken.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteDriver } from '../../../src/exporters/prediction_log/sqlite.js';
import { COLUMNS, merge, type LogRow } from '../../../src/exporters/prediction_log/row.js';
import { sqliteMigrations } from '../../../src/exporters/prediction_log/schema/sqlite.js';
import { Bloom, hashId, type IdHash } from '../../../src/exporters/prediction_log/sqlite-ids/bloom.js';
import { RecentIds } from '../../../src/exporters/prediction_log/sqlite-ids/recent-ids.js';
import { mulberry32 as random } from '../../helpers/random.js';
import { idIndexOnDisk } from '../../helpers/id-index-file.js';

const dir = mkdtempSync(join(tmpdir(), 'modelwatch-plog-ids-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const emptyRow = Object.fromEntries(COLUMNS.map((c) => [c, null])) as unknown as LogRow;
const DAY0 = Date.parse('2026-01-01T00:00:00Z');

describe('recent ids', () => {
  test('answer as a Map does through growth, replacement and clearing, even when hashes collide', () => {
    const rnd = random(11);
    const recent = new RecentIds();
    const ref = new Map<string, number>();
    // Hashes from a few values only, so different ids share them and the table must compare the ids.
    const hashOf = (id: string): IdHash => ({ a: (hashId(id).a % 97) >>> 0, b: hashId(id).b });
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 5000; i++) {
        const id = `p${Math.floor(rnd() * 3000)}`;
        if (rnd() < 0.6) {
          recent.set(id, round * 10_000 + i, hashOf(id));
          ref.set(id, round * 10_000 + i);
        } else assert.equal(recent.get(id, hashOf(id)), ref.get(id) ?? -1, id);
      }
      assert.equal(recent.size, ref.size);
      const hashes: number[] = [];
      recent.eachHash({ a: 0, b: 0 }, (h) => hashes.push(h.a));
      assert.deepEqual(hashes.sort(), [...ref.keys()].map((id) => hashOf(id).a).sort());
      recent.clear();
      ref.clear();
      assert.equal(recent.get('p1', hashOf('p1')), -1);
    }
  });
});

const randomId = (rnd: () => number) => Array.from({ length: 4 }, () => Math.floor(rnd() * 2 ** 32).toString(16).padStart(8, '0')).join('');

function predictionRow(id: string, day: number, cls: string): LogRow {
  return { ...emptyRow, prediction_id: id, time: new Date(DAY0 + day * 86_400_000).toISOString(), model_name: 'm', model_version: '1', predicted_class: cls, confidence: 0.5 };
}
const stageRow = (id: string, seconds: number): LogRow => ({ ...emptyRow, prediction_id: id, inference_seconds: seconds });
const labelRow = (id: string, cls: string, day: number): LogRow => ({ ...emptyRow, prediction_id: id, ground_truth_class: cls, ground_truth_at: new Date(DAY0 + day * 86_400_000 + 1000).toISOString() });

/** The rows a log must hold: merge() over every patch, retention applied as deleteBefore() does. */
class Reference {
  readonly rows = new Map<string, LogRow>();
  apply(batch: LogRow[]): void {
    for (const r of batch) {
      const prev = this.rows.get(r.prediction_id);
      this.rows.set(r.prediction_id, prev ? merge(prev, r) : r);
    }
  }
  deleteBefore(cutoff: string): void {
    for (const [id, r] of this.rows) if ((r.time !== null && r.time < cutoff) || (r.time === null && r.ground_truth_at !== null && r.ground_truth_at < cutoff)) this.rows.delete(id);
  }
}

const COMPARED = ['time', 'predicted_class', 'inference_seconds', 'ground_truth_class', 'ground_truth_at'] as const;

async function assertSame(file: string, table: string, driver: SqliteDriver, ref: Reference): Promise<void> {
  assert.equal(await driver.count(), ref.rows.size, 'one row per prediction id');
  const db = new Database(file, { readonly: true });
  const dup = db.prepare(`SELECT prediction_id FROM ${table} GROUP BY prediction_id HAVING count(*) > 1 LIMIT 1`).get();
  db.close();
  assert.equal(dup, undefined, 'no id has two rows');
  for (const [id, want] of ref.rows) {
    const got = await driver.get(id);
    assert.ok(got, `row ${id} found by id`);
    for (const c of COMPARED) assert.equal(got[c], want[c], `${id}.${c}`);
  }
}

describe('SQLite log: the id index', () => {
  test('Bloom filter: never a false negative, about 1 % false positives, the same after a round trip through bytes', () => {
    const rnd = random(7);
    const ids = Array.from({ length: 50_000 }, () => randomId(rnd));
    const bloom = Bloom.sized(ids.length);
    for (const id of ids) bloom.add(hashId(id));
    const back = Bloom.from(new Uint8Array(bloom.toBuffer()));
    for (const id of ids) assert.ok(back.mayHave(hashId(id)), id);
    let fp = 0;
    for (let i = 0; i < 50_000; i++) if (back.mayHave(hashId(`other-${i}`))) fp++;
    // 10 bits and 7 probes per id: 0.82 % in theory.
    assert.ok(fp > 100 && fp < 900, `false positives ${fp} of 50000`);
  });

  test('random predictions, late stages, labels, duplicates, retention and restarts: the rows merge() gives', async () => {
    const file = join(dir, 'random.db');
    // Merges of a few ids per step: lookups, retention and restarts happen while a merge is under way.
    const opts = { writerThread: false, idIndex: { runRows: 40, fanout: 3, minMergeStep: 8 } } as const;
    let restartsMidMerge = 0;
    let driver = new SqliteDriver(file, 'p', opts);
    await driver.migrate();
    const rnd = random(42);
    const ref = new Reference();
    const known: string[] = [];
    const pick = () => known[Math.floor(rnd() * known.length)];
    let day = 0;
    for (let batchNo = 0; batchNo < 120; batchNo++) {
      const batch = new Map<string, LogRow>();
      const add = (r: LogRow) => batch.set(r.prediction_id, batch.has(r.prediction_id) ? merge(batch.get(r.prediction_id)!, r) : r);
      for (let i = 0; i < 15; i++) {
        const u = rnd();
        if (u < 0.5 || known.length === 0) {
          const id = randomId(rnd);
          known.push(id);
          add(predictionRow(id, day, rnd() < 0.5 ? 'a' : 'b'));
        } else if (u < 0.65) add(labelRow(pick(), rnd() < 0.5 ? 'a' : 'b', day));
        else if (u < 0.75) add(stageRow(pick(), Math.round(rnd() * 1000) / 1000));
        else if (u < 0.85) {
          // The same prediction delivered again (a retry): nothing changes.
          const again = ref.rows.get(pick());
          if (again?.time) add(predictionRow(again.prediction_id, (Date.parse(again.time) - DAY0) / 86_400_000, again.predicted_class!));
        } else if (u < 0.9) {
          // A label that arrives before its prediction, which follows in a later batch.
          const id = randomId(rnd);
          known.push(id);
          add(labelRow(id, 'a', day));
        } else add(predictionRow(pick(), day, 'c'));
      }
      const rows = [...batch.values()];
      await driver.write(rows);
      ref.apply(rows);
      if (batchNo % 10 === 9) day++;
      if (batchNo % 30 === 29) {
        const cutoff = new Date(DAY0 + (day - 2) * 86_400_000).toISOString();
        await driver.deleteBefore(cutoff);
        ref.deleteBefore(cutoff);
      }
      if (batchNo % 25 === 24) {
        // A restart: the Map is rebuilt from the rows past the watermark; an unfinished merge begins again.
        if (idIndexOnDisk(file, 'p').unfinished > 0) restartsMidMerge++;
        await driver.close();
        driver = new SqliteDriver(file, 'p', opts);
        await driver.migrate();
      }
    }
    assert.ok(restartsMidMerge > 0, 'a restart came in the middle of a merge');
    assert.ok(idIndexOnDisk(file, 'p').unfinished <= 1, 'merges a restart cut short are dropped: one merge at most is under way');
    // A run's worth of new predictions: the Map is written out, and runs retention emptied are dropped.
    const fresh = Array.from({ length: 45 }, () => predictionRow(randomId(rnd), day, 'a'));
    await driver.write(fresh);
    ref.apply(fresh);
    await assertSame(file, 'p', driver, ref);
    const runs = idIndexOnDisk(file, 'p').runs;
    assert.ok(runs.some((r) => r.level === 2), `runs merged twice: ${JSON.stringify(runs.map((r) => r.level))}`);
    assert.ok(runs.some((r) => r.level === 0), 'and runs still at level 0');
    const db = new Database(file, { readonly: true });
    const oldest = (db.prepare('SELECT min(seq) AS s FROM p').get() as { s: number }).s;
    db.close();
    // Retention deleted the oldest days: runs it emptied are gone, merges left out entries of deleted rows.
    assert.ok(runs[0].last_seq >= oldest, 'no run holds only deleted rows');
    await driver.close();
  });

  test('the writer thread takes the index options; a row is found from another connection wherever its id is indexed', async () => {
    const file = join(dir, 'thread.db');
    const writer = new SqliteDriver(file, 'p', { idIndex: { runRows: 10, fanout: 2 } });
    await writer.migrate();
    const rnd = random(3);
    const ids: string[] = [];
    for (let b = 0; b < 9; b++) {
      const rows = Array.from({ length: 7 }, () => predictionRow(randomId(rnd), 0, 'a'));
      ids.push(...rows.map((r) => r.prediction_id));
      await writer.write(rows);
    }
    const runs = idIndexOnDisk(file, 'p').runs;
    assert.ok(runs.some((r) => r.level > 0) && runs.reduce((n, r) => n + r.entries, 0) >= ids.length - 10, `runs written and merged on the thread: ${JSON.stringify(runs)}`);
    const reader = new SqliteDriver(file, 'p', { writerThread: false });
    for (const id of ids) assert.equal((await reader.get(id))?.prediction_id, id);
    assert.equal(await reader.get('nobody'), undefined);
    // Labels for ids in the newest rows, in runs and in merged runs update those rows.
    await writer.write(ids.map((id) => labelRow(id, 'b', 1)));
    assert.equal(await reader.count(), ids.length);
    for (const id of ids) assert.equal((await reader.get(id))?.ground_truth_class, 'b');
    await writer.close();
    await reader.close();
  });

  test('a log written with schema 1 (unique id key) is upgraded: rows kept in order, ids indexed, labels merge', async () => {
    const file = join(dir, 'v1.db');
    const db = new Database(file);
    db.exec('CREATE TABLE modelwatch_log_migrations (table_name TEXT NOT NULL, version INTEGER NOT NULL, applied_at TEXT NOT NULL, PRIMARY KEY (table_name, version))');
    db.exec(sqliteMigrations('p')[0]);
    db.prepare("INSERT INTO modelwatch_log_migrations VALUES ('p', 1, 'x')").run();
    const rnd = random(11);
    const ids = Array.from({ length: 300 }, () => randomId(rnd));
    const ins = db.prepare(`INSERT INTO p (${COLUMNS.join(', ')}) VALUES (${COLUMNS.map(() => '?').join(', ')})`);
    for (const id of ids) ins.run(COLUMNS.map((c) => predictionRow(id, 0, 'a')[c]));
    db.close();

    const driver = new SqliteDriver(file, 'p', { writerThread: false, idIndex: { runRows: 32, fanout: 4 } });
    await driver.migrate();
    await driver.write(ids.map((id) => labelRow(id, 'b', 1)));
    assert.equal(await driver.count(), 300);
    for (const id of ids) assert.equal((await driver.get(id))?.ground_truth_class, 'b', id);
    const check = new Database(file, { readonly: true });
    assert.deepEqual(check.prepare('SELECT prediction_id FROM p ORDER BY seq').pluck().all(), ids, 'rows keep their order');
    assert.deepEqual(check.prepare("SELECT version FROM modelwatch_log_migrations WHERE table_name = 'p' ORDER BY version").pluck().all(), [1, 2]);
    check.close();
    const runs = idIndexOnDisk(file, 'p').runs;
    assert.ok(runs.reduce((n, r) => n + r.entries, 0) >= 300 - 32, `the upgraded rows are in runs: ${JSON.stringify(runs)}`);
    await driver.close();
  });
});
