// Retention and archive of the prediction log with a moved clock, on a real SQLite file; and the config.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { pino } from 'pino';
import { predictionLogConfig } from '../../../src/exporters/prediction_log/config.js';
import { Maintenance } from '../../../src/exporters/prediction_log/maintenance.js';
import { SqliteDriver } from '../../../src/exporters/prediction_log/sqlite.js';
import { PredictionLogWriter } from '../../../src/exporters/prediction_log/writer.js';
import { feedback, prediction } from './prediction-log-records.js';

const dir = mkdtempSync(join(tmpdir(), 'modelwatch-plog-maint-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const DAY = 86_400_000;
const silent = pino({ level: 'silent' });
// "now": 2026-06-15 10:00 UTC
const NOW = Date.UTC(2026, 5, 15, 10);
const at = (daysAgo: number, hour = 12) => Date.UTC(2026, 5, 15 - daysAgo, hour);

function readArchive(file: string): any[] {
  return gunzipSync(readFileSync(file)).toString('utf8').trim().split('\n').map((l) => JSON.parse(l));
}

test('archives whole old days to <dir>/<table>/YYYY/MM/DD.jsonl.gz, then deletes past retention', async () => {
  const d = new SqliteDriver(join(dir, 'a.db'), 'predictions');
  await d.migrate();
  const w = new PredictionLogWriter(d, { maxRows: 100, logger: silent });
  await w.write([
    prediction('old', { startMs: at(400) }),
    feedback('orphan-old', 'x', at(400)),
    prediction('d100-b', { startMs: at(100, 9), confidence: NaN }),
    prediction('d100-a', { startMs: at(100, 9) }),
    prediction('d100-c', { startMs: at(100, 23) }),
    feedback('d100-a', 'versicolor', at(99)),
    prediction('d95', { startMs: at(95, 0) }),
    prediction('d50', { startMs: at(50) }),
    prediction('d1', { startMs: at(1) }),
    feedback('orphan-new', 'y', at(2)),
  ]);
  let now = NOW;
  const archiveDir = join(dir, 'archive');
  const m = new Maintenance(d, { table: 'predictions', retentionMs: 365 * DAY, archiveAfterMs: 90 * DAY, archiveDir, intervalMs: 3_600_000, clock: { now: () => now }, logger: silent });

  const first = await m.runOnce();
  assert.deepEqual(first.archived, [
    { day: '2025-05-11', rows: 1 },
    { day: '2026-03-07', rows: 3 },
    { day: '2026-03-12', rows: 1 },
  ]);
  assert.equal(first.deleted, 2); // 'old' and the label without prediction from 400 days ago
  assert.equal(await d.get('old'), undefined);
  assert.equal(await d.get('orphan-old'), undefined);
  assert.ok(await d.get('orphan-new'));
  assert.equal(await d.count(), 7);

  const file = join(archiveDir, 'predictions', '2026', '03', '07.jsonl.gz');
  const lines = readArchive(file);
  assert.deepEqual(lines.map((l) => l.prediction_id), ['d100-a', 'd100-b', 'd100-c']);
  const a = await d.get('d100-a');
  assert.ok(a);
  assert.deepEqual(lines[0], a);
  assert.equal(lines[0].ground_truth_class, 'versicolor');
  assert.deepEqual(lines[0].features, { sepal_length: 5.1, color: 'red', fresh: true });
  assert.equal(lines[1].confidence, 'NaN');
  assert.ok(existsSync(join(archiveDir, 'predictions', '2025', '05', '11.jsonl.gz')), 'the deleted row was archived first');
  assert.deepEqual(readdirSync(join(archiveDir, 'predictions', '2026', '03')).sort(), ['07.jsonl.gz', '12.jsonl.gz']);

  // Nothing new an hour later; files are not rewritten.
  now += 3_600_000;
  assert.deepEqual(await m.runOnce(), { archived: [], deleted: 0 });
  // 41 days later the day of 'd50' is archived (its end is 90 days old).
  now = NOW + 41 * DAY;
  assert.deepEqual((await m.runOnce()).archived, [{ day: '2026-04-26', rows: 1 }]);
  await d.close();
});

test('retention never deletes a row of a day that is not archived yet', async () => {
  const d = new SqliteDriver(join(dir, 'b.db'), 'p');
  await d.migrate();
  const w = new PredictionLogWriter(d, { maxRows: 100, logger: silent });
  // 90 days + 1 hour old, on a day whose end is younger than 90 days.
  const t = NOW - 90 * DAY - 3_600_000;
  await w.write([prediction('edge', { startMs: t })]);
  const m = new Maintenance(d, { table: 'p', retentionMs: 90 * DAY, archiveAfterMs: 90 * DAY, archiveDir: join(dir, 'archive-b'), intervalMs: 3_600_000, clock: { now: () => NOW }, logger: silent });
  assert.deepEqual(await m.runOnce(), { archived: [], deleted: 0 });
  assert.ok(await d.get('edge'));
  // Without an archive, retention is exact.
  const plain = new Maintenance(d, { table: 'p', retentionMs: 90 * DAY, archiveAfterMs: 0, archiveDir: join(dir, 'unused'), intervalMs: 3_600_000, clock: { now: () => NOW }, logger: silent });
  assert.deepEqual(await plain.runOnce(), { archived: [], deleted: 1 });
  assert.equal(existsSync(join(dir, 'unused')), false);
  await d.close();
});

test('config: defaults and refusals', () => {
  const c = predictionLogConfig.parse({});
  assert.equal(c.driver, 'sqlite');
  assert.equal(c.path, 'data/predictions.db');
  assert.equal(c.table, 'predictions');
  assert.equal(c.batch.max_rows, 1000);
  assert.equal(c.retention, 365 * DAY);
  assert.equal(c.archive_after, 90 * DAY);
  assert.equal(predictionLogConfig.parse({ driver: 'postgres', url: 'postgres://u:p@h/db', retention: '30d', archive_after: 0 }).retention, 30 * DAY);
  const problems = (v: unknown) => predictionLogConfig.safeParse(v).error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`) ?? [];
  assert.match(problems({ driver: 'postgres' }).join(), /url: the postgres driver needs a url/);
  assert.match(problems({ driver: 'postgres', url: 'mysql://x' }).join(), /url: expected a postgres/);
  assert.match(problems({ table: 'x; DROP TABLE y' }).join(), /^table:/);
  assert.match(problems({ retention: '30d' }).join(), /retention: retention is shorter than archive_after/);
  assert.match(problems({ batch: { max_rows: 0 } }).join(), /batch.max_rows/);
  assert.match(problems({ unknown: 1 }).join(), /unknown/i);
});
