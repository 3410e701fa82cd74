// The prediction log's SQLite driver against real SQLite files.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteDriver } from '../../../src/exporters/prediction_log/sqlite.js';
import { COLUMNS, wellFormed, type LogRow } from '../../../src/exporters/prediction_log/row.js';
import { driverSuite } from './prediction-log-suite.js';

const dir = mkdtempSync(join(tmpdir(), 'modelwatch-plog-sqlite-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const emptyRow = Object.fromEntries(COLUMNS.map((c) => [c, null])) as unknown as LogRow;

describe('prediction log on SQLite', () => {
  driverSuite({
    // Alternately a new file and a new table in a shared file.
    driver: async () => {
      n++;
      const d = new SqliteDriver(join(dir, n % 2 ? `log${n}.db` : 'shared.db'), `t${n}`);
      await d.migrate();
      return d;
    },
    clean: wellFormed,
    nulStoredAs: '\u0000',
  });

  test('schema: migration row, WAL, and the three indexes (one partial on unlabelled rows)', async () => {
    const file = join(dir, 'schema.db');
    const d = new SqliteDriver(file, 'predictions');
    await d.migrate();
    await d.close();
    await new SqliteDriver(file, 'predictions').migrate();
    const db = new Database(file, { readonly: true });
    assert.deepEqual(db.prepare('SELECT table_name, version FROM modelwatch_log_migrations').all(), [{ table_name: 'predictions', version: 1 }, { table_name: 'predictions', version: 2 }]);
    assert.equal(db.pragma('journal_mode', { simple: true }), 'wal');
    const idx = db.prepare("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'predictions' AND sql IS NOT NULL ORDER BY name").all() as { name: string; sql: string }[];
    assert.deepEqual(idx.map((i) => i.name), ['predictions_model_idx', 'predictions_time_idx', 'predictions_unlabelled_idx']);
    assert.match(idx[2].sql, /WHERE ground_truth_at IS NULL$/);
    const plan = db.prepare("EXPLAIN QUERY PLAN SELECT prediction_id FROM predictions WHERE ground_truth_at IS NULL AND time > '2025'").all() as { detail: string }[];
    assert.match(plan.map((p) => p.detail).join(' '), /predictions_unlabelled_idx/);
    db.close();
  });

  test('writes run on their own thread: its errors keep their class and SQLite code, and it restarts after close', async () => {
    const file = join(dir, 'thread.db');
    const d = new SqliteDriver(file, 'predictions');
    await d.migrate();
    const row = (id: string | null) => ({ ...emptyRow, prediction_id: id as string, time: '2025-01-01T00:00:00.000Z', model_name: 'm' });
    await d.write([row('a')]);
    // NOT NULL on the key: the store refuses the data, which the writer must tell from a store outage.
    const err = await d.write([row(null)]).then(() => undefined, (e: unknown) => e as Error & { code?: string });
    assert.ok(err, 'the write was refused');
    assert.match(err.code ?? '', /^SQLITE_CONSTRAINT/);
    assert.equal(d.isDataError(err), true);
    const busyBefore = d.threadBusySeconds()!;
    assert.ok(busyBefore > 0, 'the thread reports time spent writing');
    await d.close();
    assert.equal(d.threadBusySeconds(), busyBefore, 'a closed thread keeps its total');
    await d.write([row('b')]);
    assert.equal(await d.count(), 2);
    // A new thread after close: its time adds to the earlier one's, the total never goes back.
    assert.ok(d.threadBusySeconds()! > busyBefore);
    await d.close();
    assert.equal(new SqliteDriver(join(dir, 'nothread.db'), 'predictions', { writerThread: false }).threadBusySeconds(), undefined);
  });

  test('a schema newer than the agent is refused, not overwritten', async () => {
    const file = join(dir, 'newer.db');
    await new SqliteDriver(file, 'predictions').migrate();
    const db = new Database(file);
    db.prepare("INSERT INTO modelwatch_log_migrations VALUES ('predictions', 99, 'x')").run();
    db.close();
    await assert.rejects(new SqliteDriver(file, 'predictions').migrate(), /schema version 99/);
  });
});
