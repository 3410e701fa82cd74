// `modelwatch predictions ...` against a real SQLite log written by the exporter's writer: filters,
// pages, summary, table output, data-subject export and deletion (database and archives), usage errors,
// and one run as a subprocess through the command's standalone entry.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { pino } from 'pino';
import { runPredictionsCommand, type PredictionsAction, type PredictionsCommandOptions } from '../../../src/cli/commands/predictions.js';
import { archiveFiles } from '../../../src/exporters/prediction_log/archive-rows.js';
import { Maintenance } from '../../../src/exporters/prediction_log/maintenance.js';
import { SqliteDriver } from '../../../src/exporters/prediction_log/sqlite.js';
import { PredictionLogWriter } from '../../../src/exporters/prediction_log/writer.js';
import { REPO_ROOT } from '../../helpers/paths.js';
import { byTimeThenId, D0, DAY, dataSet, expectedSummary, matches, type Expected } from '../../unit/exporters/prediction-log-analysis-data.js';

const dir = mkdtempSync(join(tmpdir(), 'modelwatch-predictions-cli-'));
const configFile = join(dir, 'modelwatch.yaml');
const logFile = join(dir, 'predictions.db');
const archiveDir = join(dir, 'archive'); // the default: <storage dir>/archive
const silent = pino({ level: 'silent' });
let expected: Expected[];
let otherRows: number;

async function run(action: PredictionsAction, o: Partial<PredictionsCommandOptions> = {}) {
  let stdout = '';
  let stderr = '';
  const code = await runPredictionsCommand(action, { config: [configFile], now: D0 + 3 * DAY, stdout: (s) => (stdout += s), stderr: (s) => (stderr += s), ...o });
  return { code, stdout, stderr };
}

const idsOf = (f: Parameters<typeof matches>[1]) => expected.filter((e) => matches(e, f)).sort(byTimeThenId).map((e) => e.id);

describe('modelwatch predictions', () => {
  before(async () => {
    writeFileSync(
      configFile,
      `receivers:
  otlp: { protocols: { grpc: { endpoint: 127.0.0.1:4317 } } }
exporters:
  prediction_log/local: { driver: sqlite, path: ${logFile} }
  prediction_log/other: { driver: sqlite, path: ${join(dir, 'other.db')} }
storage: { path: ${join(dir, 'modelwatch.db')} }
service:
  pipelines:
    predictions: { receivers: [otlp], exporters: [prediction_log/local, prediction_log/other] }
`,
    );
    const data = dataSet();
    expected = data.expected;
    const d = new SqliteDriver(logFile, 'predictions');
    await new PredictionLogWriter(d, { maxRows: 100, logger: silent }).write(data.records);
    // Day 0 goes to the archive (rows stay in the database too: retention is longer).
    await new Maintenance(d, { table: 'predictions', retentionMs: 0, archiveAfterMs: DAY, archiveDir, intervalMs: 3_600_000, clock: { now: () => D0 + 2 * DAY }, logger: silent }).runOnce();
    await d.close();
    const other = new SqliteDriver(join(dir, 'other.db'), 'predictions');
    await new PredictionLogWriter(other, { maxRows: 100, logger: silent }).write(data.records.slice(0, 3));
    otherRows = data.records.slice(0, 3).filter((r) => r.kind === 'prediction').length;
    await other.close();
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('query: filters and pages as JSON; the cursor walks on without gaps', async () => {
    const f = { model: 'iris', labelled: true };
    const want = idsOf(f);
    const got: string[] = [];
    let cursor: string | undefined;
    do {
      const r = await run('query', { model: 'iris', labelled: 'true', limit: '9', cursor });
      assert.equal(r.code, 0, r.stderr);
      const page = JSON.parse(r.stdout);
      assert.equal(page.exporter, 'prediction_log/local');
      got.push(...page.rows.map((x: { prediction_id: string }) => x.prediction_id));
      cursor = page.next_cursor;
    } while (cursor);
    assert.deepEqual(got, want);
  });

  test('query --all: every matching row as JSON Lines; relative --from; --exporter picks another log', async () => {
    const r = await run('query', { all: true, from: '-30h', errors: 'false', minConfidence: '0.25' });
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    assert.deepEqual(lines.map((l) => l.prediction_id), idsOf({ from: new Date(D0 + 3 * DAY - 30 * 3_600_000).toISOString(), errors: false, minConfidence: 0.25 }));
    const other = await run('query', { exporter: 'prediction_log/other', limit: '100' });
    assert.equal(JSON.parse(other.stdout).rows.length, otherRows);
  });

  test('query --format table: a header, one line per row, and the next cursor', async () => {
    const r = await run('query', { format: 'table', limit: '4', class: 'setosa' });
    const lines = r.stdout.trimEnd().split('\n');
    assert.match(lines[0], /^time\s+prediction_id\s+model\s+version\s+class\s+confidence\s+truth\s+error\s+total_s$/);
    assert.equal(lines.length, 1 + 4 + 1);
    assert.ok(lines[1].includes(idsOf({ predictedClass: 'setosa' })[0]));
    assert.match(lines[5], /^next page: --cursor \S+$/);
  });

  test('summary: the same numbers as computed here; the table shows the confusion matrix', async () => {
    const r = await run('summary', { model: 'iris', threshold: '0.4', slowest: '3' });
    assert.equal(r.code, 0, r.stderr);
    const s = JSON.parse(r.stdout);
    const want = expectedSummary(expected.filter((e) => matches(e, { model: 'iris' })), 0.4, 3);
    assert.deepEqual(s.counts, want.counts);
    assert.deepEqual(s.confusion_matrix, want.confusion_matrix);
    assert.deepEqual(s.per_class, want.per_class);
    assert.deepEqual(s.low_confidence, want.low_confidence);
    assert.deepEqual(s.error_types, want.error_types);
    assert.deepEqual(s.slowest.map((x: { prediction_id: string }) => x.prediction_id), want.slowest);
    const t = await run('summary', { format: 'table' });
    assert.match(t.stdout, /^predictions 240 {2}labelled \d+ {2}errors \d+ {2}accuracy \d+\.\d%/);
    assert.match(t.stdout, /confusion matrix \(rows: actual, columns: predicted\)\nactual \\ predicted\s+Zeta\s+setosa\s+versicolor\s+virginica/);
  });

  test('export-subject and delete-subject: database and archive files', async () => {
    const subject = expected.filter((e) => e.tags?.user_id === 'u4');
    const archivedBefore = archiveLines();
    assert.ok(archivedBefore.some((l) => JSON.parse(l).tags?.user_id === 'u4'), 'the subject is in the archive');
    const ex = await run('export-subject', { tag: ['user_id=u4'] });
    assert.equal(ex.code, 0, ex.stderr);
    const rows = ex.stdout.trim().split('\n').map((l) => JSON.parse(l));
    assert.deepEqual(rows.map((x) => x.prediction_id).sort(), subject.map((e) => e.id).sort());

    const del = await run('delete-subject', { tag: ['user_id=u4'], format: 'table' });
    assert.equal(del.code, 0, del.stderr);
    const archived = subject.filter((e) => e.timeMs < D0 + DAY).length;
    assert.equal(del.stdout, `${subject.length} rows deleted from prediction_log/local; 1 archive files rewritten without ${archived} rows\n`);
    assert.equal((await run('export-subject', { tag: ['user_id=u4'] })).stdout, '');
    assert.deepEqual(archiveLines(), archivedBefore.filter((l) => JSON.parse(l).tags?.user_id !== 'u4'));
    // The model follows: the subject is gone for the tests after this one.
    expected = expected.filter((e) => e.tags?.user_id !== 'u4');
    const again = await run('delete-subject', { tag: ['user_id=u4'], format: 'json' });
    assert.deepEqual(JSON.parse(again.stdout), { exporter: 'prediction_log/local', key: 'user_id', deleted: 0, archive: { files: 0, rows: 0 } });
  });

  test('usage errors exit 2 with a message, before any database is touched', async () => {
    const cases: [PredictionsAction, Partial<PredictionsCommandOptions>, RegExp][] = [
      ['query', { from: 'yesterday' }, /"yesterday" is not a time/],
      ['query', { minConfidence: '2' }, /min_confidence must be a number in \[0, 1\]/],
      ['query', { labelled: 'maybe' }, /labelled must be true or false/],
      ['query', { cursor: 'garbage' }, /cursor is not one this API returned/],
      ['query', { exporter: 'prediction_log/nope' }, /no exporter "prediction_log\/nope".*prediction_log\/local, prediction_log\/other/],
      ['export-subject', {}, /exactly one --tag key=value/],
      ['delete-subject', { tag: ['novalue'] }, /tag must be key=value/],
      ['summary', { config: [join(dir, 'absent.yaml')] }, /absent\.yaml/],
    ];
    for (const [action, o, message] of cases) {
      const r = await run(action, o);
      assert.equal(r.code, 2, `${action} ${JSON.stringify(o)}: ${r.stderr}`);
      assert.match(r.stderr, message);
    }
    const missing = join(dir, 'missing.yaml');
    writeFileSync(missing, readFileSync(configFile, 'utf8').replace(logFile, join(dir, 'never-written.db')));
    const r = await run('query', { config: [missing] });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /no prediction log at .*never-written\.db/);
  });

  test('as a subprocess (standalone entry): summary JSON on stdout, exit 0; a bad filter exits 2', () => {
    const entry = join(REPO_ROOT, 'src/cli/commands/predictions.ts');
    const ok = spawnSync(process.execPath, ['--import', 'tsx', entry, 'predictions', 'summary', '--config', configFile, '--errors', 'true'], { cwd: REPO_ROOT, encoding: 'utf8' });
    assert.equal(ok.status, 0, ok.stderr);
    const s = JSON.parse(ok.stdout);
    assert.equal(s.counts.total, expected.filter((e) => e.error !== undefined).length);
    assert.equal(s.counts.errors, s.counts.total);
    const bad = spawnSync(process.execPath, ['--import', 'tsx', entry, 'predictions', 'query', '--config', configFile, '--order', 'sideways'], { cwd: REPO_ROOT, encoding: 'utf8' });
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /sideways/);
  });
});

function archiveLines(): string[] {
  return archiveFiles(archiveDir, 'predictions').flatMap((f) => gunzipSync(readFileSync(f)).toString('utf8').split('\n').filter((l) => l !== ''));
}
