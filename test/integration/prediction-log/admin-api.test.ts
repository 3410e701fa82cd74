// The prediction log's admin API over real HTTP: two prediction_log exporters created by the factory
// register on one admin route table (served here by a minimal loopback server that dispatches through
// AdminRoutes, as the admin server does), on real SQLite files; filters, pages, summary, exporter
// selection, errors, subject export (JSON Lines) and deletion, privacy-hashed subject tags.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { metrics } from '@opentelemetry/api';
import { pino } from 'pino';
import { AdminRoutes, type AdminRequest } from '../../../src/admin/routes.js';
import { createPredictionLog } from '../../../src/exporters/prediction_log/factory.js';
import { predictionLogConfig } from '../../../src/exporters/prediction_log/config.js';
import { setSubjectTagLookup } from '../../../src/exporters/prediction_log/routes.js';
import type { ExporterContext } from '../../../src/pipeline/component.js';
import type { PredictionRecord } from '../../../src/pipeline/records.js';
import { createPrivacyTransform, createTagLookup } from '../../../src/privacy/index.js';
import { byTimeThenId, D0, DAY, dataSet, expectedSummary, matches, type Expected } from '../../unit/exporters/prediction-log-analysis-data.js';

const dir = mkdtempSync(join(tmpdir(), 'modelwatch-plog-admin-'));
const admin = new AdminRoutes();
const NOW = D0 + 3 * DAY;
let server: Server;
let base: string;
let expected: Expected[];
const exporters: ReturnType<typeof createPredictionLog>[] = [];

function context(id: string): ExporterContext {
  return {
    id, admin, dataDir: dir, logger: pino({ level: 'silent' }), meter: () => metrics.getMeter('test'), clock: { now: () => NOW }, storedTagValue: (_key: string, value: string) => value,
    db: undefined as never, modelMetrics: undefined as never,
  };
}

async function get(path: string): Promise<{ status: number; body: any; type: string | null; text: string }> {
  const r = await fetch(`${base}${path}`);
  const text = await r.text();
  const type = r.headers.get('content-type');
  return { status: r.status, text, type, body: type?.includes('application/json') ? JSON.parse(text) : undefined };
}

const KEY = 'admin-test-key-0123456789abcdef';

describe('prediction log admin API', () => {
  before(async () => {
    for (const [id, file] of [['prediction_log/a', 'a.db'], ['prediction_log/b', 'b.db']]) {
      const config = predictionLogConfig.parse({ driver: 'sqlite', path: join(dir, file), retention: 0, archive_after: 0 });
      const e = createPredictionLog(config, context(id));
      await e.start();
      exporters.push(e);
    }
    const data = dataSet();
    expected = data.expected;
    await exporters[0].exportRecords!(data.records);
    // Log b holds predictions whose user_id tag went through the privacy transform (hashed).
    const privacy = { tags: { user_id: 'hash' as const }, hash_key_env: 'X' };
    const transform = createPrivacyTransform(privacy, () => Buffer.from(KEY))!;
    const hashed = transform(data.records.filter((r): r is PredictionRecord => r.kind === 'prediction').slice(0, 40));
    await exporters[1].exportRecords!(hashed as PredictionRecord[]);
    setSubjectTagLookup(admin, createTagLookup(privacy, () => Buffer.from(KEY)));

    server = createServer((raw, res) => {
      const url = new URL(raw.url!, 'http://admin');
      const found = admin.match(raw.method!, url.pathname);
      if (found === undefined || found === 'method_not_allowed') return void res.writeHead(found ? 405 : 404).end();
      const req: AdminRequest = { method: raw.method!, url, params: found.params, raw, body: async () => Buffer.alloc(0) };
      void found.handler(req, res);
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  after(async () => {
    server?.close();
    for (const e of exporters) await e.shutdown();
    rmSync(dir, { recursive: true, force: true });
  });

  test('GET /api/v1/predictions: filters, relative time, cursor pages; the first exporter by default', async () => {
    const f = { model: 'iris', errors: false, from: new Date(NOW - 48 * 3_600_000).toISOString() };
    const want = expected.filter((e) => matches(e, f)).sort(byTimeThenId).map((e) => e.id);
    const got: string[] = [];
    let cursor = '';
    for (;;) {
      const r = await get(`/api/v1/predictions?model=iris&errors=false&from=-48h&limit=11${cursor}`);
      assert.equal(r.status, 200);
      assert.equal(r.body.exporter, 'prediction_log/a');
      got.push(...r.body.rows.map((x: { prediction_id: string }) => x.prediction_id));
      if (!r.body.next_cursor) break;
      cursor = `&cursor=${encodeURIComponent(r.body.next_cursor)}`;
    }
    assert.deepEqual(got, want);
    const desc = await get('/api/v1/predictions?order=desc&limit=3&tag=user_id%3Du1');
    assert.deepEqual(desc.body.rows.map((x: { prediction_id: string }) => x.prediction_id), expected.filter((e) => e.tags?.user_id === 'u1').sort(byTimeThenId).reverse().slice(0, 3).map((e) => e.id));
  });

  test('GET /api/v1/predictions/summary equals the summary computed here', async () => {
    const r = await get('/api/v1/predictions/summary?version=2&threshold=0.6&slowest=4');
    assert.equal(r.status, 200);
    const want = expectedSummary(expected.filter((e) => matches(e, { version: '2' })), 0.6, 4);
    assert.deepEqual(r.body.filter, { version: '2' });
    assert.deepEqual(r.body.counts, want.counts);
    assert.deepEqual(r.body.confusion_matrix, want.confusion_matrix);
    assert.deepEqual(r.body.per_class, want.per_class);
    assert.deepEqual(r.body.low_confidence, want.low_confidence);
    assert.deepEqual(r.body.slowest.map((x: { prediction_id: string }) => x.prediction_id), want.slowest);
  });

  test('?exporter= selects a log; unknown exporters 404, bad filters 400', async () => {
    const b = await get('/api/v1/predictions?exporter=prediction_log/b&limit=1000');
    assert.equal(b.body.exporter, 'prediction_log/b');
    assert.equal(b.body.rows.length, 40);
    const missing = await get('/api/v1/predictions?exporter=prediction_log/zz');
    assert.equal(missing.status, 404);
    assert.match(missing.body.error, /running: prediction_log\/a, prediction_log\/b/);
    for (const q of ['from=lastweek', 'limit=0', 'limit=2.5', 'min_confidence=x', 'correct=perhaps', 'cursor=zz', 'tag=nokey', 'order=up']) {
      const r = await get(`/api/v1/predictions?${q}`);
      assert.equal(r.status, 400, q);
      assert.ok(typeof r.body.error === 'string' && r.body.error.length > 0, q);
    }
    assert.equal((await get('/api/v1/predictions/summary?threshold=3')).status, 400);
  });

  test('subjects: JSON Lines export and DELETE (raw values, and hashed tags found by their raw value)', async () => {
    const subject = expected.filter((e) => e.tags?.user_id === 'u5');
    const ex = await get('/api/v1/subjects/user_id/u5/predictions');
    assert.equal(ex.status, 200);
    assert.match(ex.type!, /application\/x-ndjson/);
    // Log a was written without the privacy transform: its tags are raw, and the lookup hashes, so a raw lookup finds nothing there.
    assert.equal(ex.text, '');
    // Log b holds hashes: the raw value finds them.
    const inB = expected.slice(0, 40).filter((e) => e.tags?.user_id === 'u5');
    assert.ok(inB.length > 0);
    const exB = await get('/api/v1/subjects/user_id/u5/predictions?exporter=prediction_log/b');
    const rows = exB.text.trim().split('\n').map((l) => JSON.parse(l));
    assert.deepEqual(rows.map((x) => x.prediction_id).sort(), inB.map((e) => e.id).sort());
    assert.match(rows[0].tags.user_id, /^[0-9a-f]{32}$/);

    setSubjectTagLookup(admin, undefined);
    const exA = await get('/api/v1/subjects/user_id/u5/predictions');
    assert.deepEqual(exA.text.trim().split('\n').map((l) => JSON.parse(l).prediction_id).sort(), subject.map((e) => e.id).sort());
    const del = await fetch(`${base}/api/v1/subjects/user_id/u5/predictions`, { method: 'DELETE' });
    assert.equal(del.status, 200);
    assert.deepEqual(await del.json(), { exporter: 'prediction_log/a', key: 'user_id', deleted: subject.length, archive: { files: 0, rows: 0 } });
    assert.equal((await get('/api/v1/subjects/user_id/u5/predictions')).text, '');
  });

  test('an exporter that shut down no longer answers', async () => {
    const extra = createPredictionLog(predictionLogConfig.parse({ driver: 'sqlite', path: join(dir, 'c.db'), retention: 0, archive_after: 0 }), context('prediction_log/c'));
    await extra.start();
    assert.equal((await get('/api/v1/predictions?exporter=prediction_log/c')).status, 200);
    await extra.shutdown();
    assert.equal((await get('/api/v1/predictions?exporter=prediction_log/c')).status, 404);
  });
});
