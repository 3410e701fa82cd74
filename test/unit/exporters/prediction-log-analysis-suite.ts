// Analysis and data-subject behaviour both drivers share, run on real databases by
// prediction-log-analysis-sqlite.test.ts and prediction-log-analysis-postgres.test.ts. Every expected
// answer comes from prediction-log-analysis-data.ts's plain-JS model of the same rows.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { pino } from 'pino';
import type { LogDriver } from '../../../src/exporters/prediction_log/driver.js';
import { LogAnalysis } from '../../../src/exporters/prediction_log/analysis.js';
import { decodeCursor, type Order, type PredictionFilter } from '../../../src/exporters/prediction_log/filter.js';
import { Maintenance } from '../../../src/exporters/prediction_log/maintenance.js';
import { archiveFiles } from '../../../src/exporters/prediction_log/archive-rows.js';
import { isQueryable } from '../../../src/exporters/prediction_log/sql-runner.js';
import { SubjectStore } from '../../../src/exporters/prediction_log/subjects.js';
import { PredictionLogWriter } from '../../../src/exporters/prediction_log/writer.js';
import type { Clean } from '../../../src/exporters/prediction_log/row.js';
import { byTimeThenId, D0, DAY, dataSet, expectedSummary, matches, ODD_TAG_KEY, ODD_TAG_VALUE, type Expected } from './prediction-log-analysis-data.js';

export interface AnalysisSuiteOptions {
  /** A new driver on a new, empty table each call. */
  driver(): Promise<LogDriver>;
  clean: Clean;
}

const silent = pino({ level: 'silent' });
const iso = (ms: number) => new Date(ms).toISOString();

async function loaded(o: AnalysisSuiteOptions, n?: number) {
  const driver = await o.driver();
  const { expected, records } = dataSet(n);
  // Small batches: labels and predictions of one id often land in different transactions.
  const writer = new PredictionLogWriter(driver, { maxRows: 50, logger: silent, clean: o.clean });
  for (let i = 0; i < records.length; i += 37) await writer.write(records.slice(i, i + 37));
  assert.ok(isQueryable(driver));
  return { driver, expected, analysis: new LogAnalysis(driver.sql()) };
}

function expectedIds(expected: Expected[], f: PredictionFilter, order: Order = 'asc'): string[] {
  const rows = expected.filter((e) => matches(e, f)).sort(byTimeThenId);
  if (order === 'desc') rows.reverse();
  return rows.map((e) => e.id);
}

async function allPages(a: LogAnalysis, f: PredictionFilter, limit: number, order: Order = 'asc'): Promise<{ ids: string[]; pages: number }> {
  const ids: string[] = [];
  let cursor: string | undefined;
  let pages = 0;
  do {
    const page = await a.page(f, { limit, cursor: cursor ? decodeCursor(cursor) : undefined, order });
    assert.ok(page.rows.length <= limit);
    if (page.next_cursor) assert.equal(page.rows.length, limit, 'only the last page is short');
    ids.push(...page.rows.map((r) => r.prediction_id));
    cursor = page.next_cursor;
    pages++;
  } while (cursor);
  return { ids, pages };
}

const FILTERS: [string, PredictionFilter][] = [
  ['no filter', {}],
  ['model', { model: 'iris' }],
  ['model and version', { model: 'iris', version: '2' }],
  ['from', { from: iso(D0 + DAY) }],
  ['to', { to: iso(D0 + DAY + 6 * 3_600_000) }],
  ['from and to', { from: iso(D0 + 12 * 3_600_000), to: iso(D0 + 2 * DAY) }],
  ['predicted class', { predictedClass: 'versicolor' }],
  ['class with upper case', { predictedClass: 'Zeta' }],
  ['min confidence (0.5 inclusive)', { minConfidence: 0.5 }],
  ['max confidence (0.5 inclusive)', { maxConfidence: 0.5 }],
  ['confidence range', { minConfidence: 0.2, maxConfidence: 0.7 }],
  ['labelled', { labelled: true }],
  ['unlabelled', { labelled: false }],
  ['correct', { correct: true }],
  ['incorrect', { correct: false }],
  ['errors', { errors: true }],
  ['no errors', { errors: false }],
  ['error type', { errorType: 'ValueError' }],
  ['tag', { tags: { user_id: 'u3' } }],
  ['two tags', { tags: { user_id: 'u1', tenant: 'acme' } }],
  ['odd tag key and value', { tags: { [ODD_TAG_KEY]: ODD_TAG_VALUE } }],
  ['combined', { model: 'iris', labelled: true, correct: false, minConfidence: 0.1, from: iso(D0 + 6 * 3_600_000) }],
  ['nothing matches', { model: 'nope' }],
];

export function analysisSuite(o: AnalysisSuiteOptions): void {
  test('each filter selects exactly the expected rows, in (time, id) byte order', async () => {
    const { driver, expected, analysis } = await loaded(o);
    for (const [name, f] of FILTERS) {
      const want = expectedIds(expected, f);
      const page = await analysis.page(f, { limit: 10_000 });
      assert.deepEqual(page.rows.map((r) => r.prediction_id), want, name);
      assert.equal(page.next_cursor, undefined, name);
      if (name !== 'nothing matches') assert.ok(want.length > 0, `${name}: the data set exercises this filter`);
    }
    // Full rows come back as the driver stores them.
    const one = (await analysis.page({ errors: true }, { limit: 1 })).rows[0];
    assert.deepEqual(one, await driver.get(one.prediction_id));
    await driver.close();
  });

  test('pages: no duplicates or gaps, ascending and descending, with and without a filter', async () => {
    const { driver, expected, analysis } = await loaded(o);
    for (const [f, limit] of [[{}, 7], [{}, 1], [{ model: 'iris', labelled: true }, 5], [{}, 240], [{}, 239]] as [PredictionFilter, number][]) {
      for (const order of ['asc', 'desc'] as const) {
        const want = expectedIds(expected, f, order);
        const { ids, pages } = await allPages(analysis, f, limit, order);
        assert.deepEqual(ids, want, `${JSON.stringify(f)} limit ${limit} ${order}`);
        assert.equal(pages, Math.max(1, Math.ceil(want.length / limit)));
      }
    }
    await driver.close();
  });

  test('summary: counts, confusion matrix, per-class accuracy, low-confidence share, slowest, error types', async () => {
    const { driver, expected, analysis } = await loaded(o);
    const cases: [PredictionFilter, number | undefined, number | undefined][] = [
      [{}, undefined, undefined],
      [{ model: 'iris' }, 0.3, 5],
      [{ from: iso(D0 + DAY), to: iso(D0 + 2 * DAY), version: '7' }, 0.9, 3],
      [{ model: 'nope' }, undefined, undefined],
    ];
    for (const [f, threshold, slowest] of cases) {
      const got = await analysis.summary(f, { lowConfidenceThreshold: threshold, slowest });
      const want = expectedSummary(expected.filter((e) => matches(e, f)), threshold ?? 0.5, slowest ?? 10);
      const label = JSON.stringify(f);
      assert.deepEqual(got.counts, want.counts, label);
      assert.equal(got.accuracy, want.accuracy, label);
      assert.deepEqual(got.confusion_matrix, want.confusion_matrix, label);
      assert.deepEqual(got.per_class, want.per_class, label);
      assert.deepEqual(got.low_confidence, want.low_confidence, label);
      assert.deepEqual(got.slowest.map((r) => r.prediction_id), want.slowest, label);
      assert.deepEqual(got.error_types, want.error_types, label);
    }
    const all = await analysis.summary({});
    assert.ok(all.confusion_matrix.labels.length >= 3 && all.counts.errors > 0 && all.low_confidence.count > 0, 'the data set exercises the summary');
    await driver.close();
  });

  test('data subjects: export and delete reach the database and the archive files', async () => {
    const { driver, expected, analysis } = await loaded(o);
    const archiveDir = mkdtempSync(join(tmpdir(), 'modelwatch-subject-archive-'));
    try {
      const table = 'subjects';
      // Archive days 0 and 1, then retention deletes rows before day 1 12:00: those are in the archive only.
      const now = D0 + 3 * DAY + 12 * 3_600_000;
      const m = new Maintenance(driver, { table, retentionMs: 2 * DAY, archiveAfterMs: DAY, archiveDir, intervalMs: 3_600_000, clock: { now: () => now }, logger: silent });
      const run = await m.runOnce();
      assert.equal(run.archived.length, 2);
      const cutoff = iso(D0 + DAY + 12 * 3_600_000);
      const inDb = (e: Expected) => iso(e.timeMs) >= cutoff;
      const archived = (e: Expected) => e.timeMs < D0 + 2 * DAY;
      assert.equal(run.deleted, expected.filter((e) => !inDb(e)).length + 1, 'and the orphan label');

      const subjects = new SubjectStore(analysis, { archive: { dir: archiveDir, table } });
      const subject = (e: Expected) => e.tags?.user_id === 'u2';
      const exported = [];
      for await (const r of subjects.export('user_id', 'u2')) exported.push(r);
      const want = expected.filter(subject);
      assert.ok(want.some((e) => !inDb(e)) && want.some(inDb), 'the subject has rows in the archive only and in the database');
      assert.deepEqual(exported.map((r) => r.prediction_id).sort(), want.map((e) => e.id).sort());
      assert.equal(new Set(exported.map((r) => r.prediction_id)).size, exported.length, 'each prediction once');
      const sample = exported.find((r) => r.prediction_id === want[0].id)!;
      assert.equal((sample.tags as Record<string, string>).user_id, 'u2');

      const linesBefore = archiveLines(archiveDir, table);
      const result = await subjects.delete('user_id', 'u2');
      assert.equal(result.deleted, want.filter(inDb).length);
      assert.equal(result.archive.rows, want.filter(archived).length);
      assert.equal(result.archive.files, new Set(want.filter(archived).map((e) => Math.floor((e.timeMs - D0) / DAY))).size);

      const after = [];
      for await (const r of subjects.export('user_id', 'u2')) after.push(r);
      assert.deepEqual(after, []);
      // Everyone else is untouched, in the database and in the archives (lines byte for byte).
      const others = await analysis.page({}, { limit: 10_000 });
      assert.deepEqual(others.rows.map((r) => r.prediction_id), expectedIds(expected.filter((e) => inDb(e) && !subject(e)), {}));
      const linesAfter = archiveLines(archiveDir, table);
      assert.deepEqual(linesAfter, linesBefore.filter((l) => (JSON.parse(l).tags ?? {}).user_id !== 'u2'));
      assert.equal((await subjects.delete('user_id', 'u2')).deleted, 0, 'a second deletion finds nothing');
      assert.deepEqual((await subjects.delete('user_id', 'u2')).archive, { files: 0, rows: 0 });
    } finally {
      rmSync(archiveDir, { recursive: true, force: true });
      await driver.close();
    }
  });
}

function archiveLines(dir: string, table: string): string[] {
  return archiveFiles(dir, table).flatMap((f) => gunzipSync(readFileSync(f)).toString('utf8').split('\n').filter((l) => l !== ''));
}
