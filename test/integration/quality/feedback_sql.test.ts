// Labels pulled from a real PostgreSQL by the feedback/sql receiver: paged by the query's LIMIT, joined
// to predictions sent by the real OTel SDK, exact quality on /metrics; after kill -9 the durable cursor
// resumes where the committed labels end (no label lost, none joined twice).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import pgModule from 'pg';
import { eventually, type AgentHandle } from '../../helpers/agent.js';
import { emitPrediction, otelClient } from '../../helpers/otel-client.js';
import { parsePromText, sampleValue } from '../../helpers/prom-text.js';
import { startPostgres, type PostgresHandle } from '../../helpers/postgres.js';
import { referenceScores } from '../../unit/processors/reference.js';
import { qualityConfig, startQualityAgent } from './agent.js';

let pg: PostgresHandle;
let db: pgModule.Client;
let agent: AgentHandle | undefined;

before(async () => {
  pg = await startPostgres();
  db = new pgModule.Client({ connectionString: pg.url });
  await db.connect();
  await db.query('CREATE TABLE labels (prediction_id text NOT NULL, label text, labelled_at timestamptz NOT NULL)');
});

after(async () => {
  await agent?.kill9();
  await db?.end();
  await pg?.stop();
});

const LABELS = { model_name: 'loan', model_version: '5' };

test('labels from a SQL table join their predictions; the cursor survives kill -9', async () => {
  const config = (ports: Parameters<typeof qualityConfig>[0], dir: string) =>
    qualityConfig(ports, dir, {
      receivers: `  feedback/sql:
    url: ${pg.url}
    query: SELECT prediction_id, label, labelled_at FROM labels WHERE labelled_at > $1 ORDER BY labelled_at LIMIT 25
    interval: 300ms`,
      pipelineReceivers: ['feedback/sql'],
      processors: '  window: { size: 60, min_samples: 20, positive_class: "approve" }\n  concept_drift: { baseline_accuracy: 0.9, min_samples: 20 }',
    });
  agent = await startQualityAgent({ config });
  let seed = 3;
  const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const preds = Array.from({ length: 200 }, (_, i) => {
    const cls = rand() < 0.4 ? 'approve' : 'deny';
    return { id: `loan-${i}`, cls, actual: rand() < 0.8 ? cls : cls === 'approve' ? 'deny' : 'approve' };
  });
  const client = otelClient('http/protobuf', agent.ports);
  for (const p of preds) emitPrediction(client.tracer, { model: 'loan', version: '5', cls: p.cls, id: p.id });
  await client.shutdown();

  // Labels in a shuffled order of ids, with microsecond timestamps: the label order is labelled_at.
  const order = preds.map((p, i) => ({ p, r: rand(), i })).sort((x, y) => x.r - y.r).map((x) => x.p);
  const base = Date.UTC(2025, 5, 1) * 1000; // microseconds
  const insert = async (from: number, to: number) => {
    for (let k = from; k < to; k++) {
      const us = base + k * 1000 + 1; // sub-millisecond part: a Date cursor would lose it
      await db.query("INSERT INTO labels VALUES ($1, $2, to_timestamp($3::numeric / 1000000))", [order[k].id, order[k].actual, us]);
    }
  };
  const joined = async (n: number) =>
    eventually(async () => {
      const s = parsePromText(await agent!.metricsText());
      const total = s.filter((x) => x.name === 'model_labeled_predictions_total').reduce((a, x) => a + x.value, 0);
      return total === n ? s : total > n ? Promise.reject(new Error(`${total} labels joined, more than the ${n} sent`)) : undefined;
    }, `${n} labels from SQL`, 20_000);

  await insert(0, 120);
  await joined(120);
  // A crash: the cursor is where the committed labels end; the restart goes on from there.
  await agent.kill9();
  const cursorAfterCrash = await import('better-sqlite3').then(({ default: Database }) => {
    const sqlite = new Database(`${agent!.dir}/modelwatch.db`, { readonly: true });
    try {
      return (sqlite.prepare("SELECT cursor FROM feedback_sql_cursor WHERE receiver = 'feedback/sql'").get() as { cursor: string }).cursor;
    } finally {
      sqlite.close();
    }
  });
  const { rows } = await db.query("SELECT max(labelled_at)::text AS t FROM labels");
  assert.equal(cursorAfterCrash, rows[0].t, 'the cursor is the text of the last label read, microseconds included');
  agent = await startQualityAgent({ config, dir: agent.dir, ports: agent.ports });
  await insert(120, 200);
  // A row without a label is skipped, not joined.
  await db.query("INSERT INTO labels VALUES ('loan-x', NULL, now())");
  const samples = await joined(200);

  const pairs: [string, string][] = order.map((p) => [p.cls, p.actual]);
  const ref = referenceScores(pairs.slice(-60), { positive: 'approve' });
  for (const [name, v] of [['model_accuracy', ref.accuracy], ['model_precision', ref.precision], ['model_recall', ref.recall], ['model_f1_score', ref.f1]] as const) {
    const got = sampleValue(samples, name, LABELS);
    assert.ok(got !== undefined && Math.abs(got - v) < 1e-9, `${name}: ${got} vs ${v}`);
  }
  for (const p of ['approve', 'deny']) {
    for (const a of ['approve', 'deny']) {
      assert.equal(sampleValue(samples, 'model_labeled_predictions_total', { ...LABELS, predicted_class: p, actual_class: a }), pairs.filter(([x, y]) => x === p && y === a).length);
    }
  }
  assert.equal(sampleValue(samples, 'model_feedback_unmatched_total', { model_name: '', reason: 'expired' }), undefined);
  assert.equal(await agent.stop(), 0);
  agent = undefined;
});
