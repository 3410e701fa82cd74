// The drift processor in the real agent, fed by the real OpenTelemetry JS SDK: a seeded reference
// CSV (3 numerical features, 1 categorical), predictions whose `a` and `cat` are shifted and `b`, `c`
// are not. An on-demand run flags exactly the shifted features (JSON and /metrics), writes a report
// served on the admin port, and after kill -9 and a restart the same run gives the same result.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { agentConfig, eventually, startAgent, type AgentHandle, type AgentPorts } from '../../helpers/agent.js';
import { emitPrediction, otelClient } from '../../helpers/otel-client.js';
import { parsePromText, sampleValue } from '../../helpers/prom-text.js';
import { choices, normals } from '../../unit/stats/seeded.js';

const N_REF = 2000;
const N_CUR = 1500;
const MODEL = { model_name: 'credit', model_version: '4' };
const CATS = ['red', 'green', 'blue'];

// Run from TypeScript (node --import tsx), the agent child needs the same loader; from dist it needs none.
const childEnv: Record<string, string> = import.meta.url.endsWith('.ts') ? { NODE_OPTIONS: `--import=${import.meta.resolve('tsx')}` } : {};

function writeReference(dir: string): string {
  const a = normals(101, N_REF);
  const b = normals(102, N_REF, 10, 3);
  const c = normals(103, N_REF, -2, 0.5);
  const cat = choices(104, N_REF, CATS, [6, 3, 1]);
  const lines = ['a,b,c,cat'];
  for (let i = 0; i < N_REF; i++) lines.push(`${a[i]},${b[i]},${c[i]},${cat[i]}`);
  const file = join(dir, 'reference.csv');
  writeFileSync(file, lines.join('\n') + '\n');
  return file;
}

function config(reference: string) {
  return (ports: AgentPorts, dir: string) =>
    agentConfig(ports, dir)
      .replace('  stages: {}\n', `  stages: {}\n  drift:\n    reference: { path: ${reference} }\n    current: { window: 7d, sub_window: 1h }\n    schedule: "0 2 * * 1"\n    drift_share: 0.5\n`)
      .replace('processors: [stages]', 'processors: [stages, drift]');
}

async function sendCurrent(agent: AgentHandle): Promise<void> {
  const a = normals(201, N_CUR, 0.6); // shifted by 0.6 sd
  const b = normals(202, N_CUR, 10, 3);
  const c = normals(203, N_CUR, -2, 0.5);
  const cat = choices(204, N_CUR, CATS, [2, 3, 5]); // shifted mix
  const client = otelClient('grpc', agent.ports);
  for (let i = 0; i < N_CUR; i++) {
    emitPrediction(client.tracer, { model: 'credit', version: '4', cls: i % 3 ? 'approve' : 'deny', confidence: 0.7, features: { a: a[i], b: b[i], c: c[i], cat: cat[i] } });
  }
  await client.flush();
  await client.shutdown();
}

async function runDrift(agent: AgentHandle): Promise<any> {
  const res = await fetch(`http://127.0.0.1:${agent.ports.admin}/api/v1/drift/run?model=credit`, { method: 'POST' });
  assert.equal(res.status, 200, await res.clone().text());
  const body = (await res.json()) as { runs: any[] };
  assert.equal(body.runs.length, 1);
  return body.runs[0];
}

/** What must not change across a restart: every verdict and score. */
function verdicts(r: any) {
  return {
    status: r.status, n_current: r.n_current, dataset_drift: r.dataset_drift, share: r.share_drifted_columns,
    columns: Object.fromEntries(Object.entries(r.columns as Record<string, any>).map(([k, c]) => [k, [c.stattest, c.score, c.drift_detected]])),
  };
}

test('drift in the running agent: on-demand run, gauges, reports, and the same result after kill -9', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'modelwatch-drift-'));
  const reference = writeReference(dir);
  let agent = await startAgent({ dir, config: config(reference), env: childEnv });
  try {
    await sendCurrent(agent);
    await eventually(async () => {
      const s = parsePromText(await agent.metricsText());
      const n = ['approve', 'deny'].reduce((t, cls) => t + (sampleValue(s, 'model_predictions_total', { ...MODEL, predicted_class: cls }) ?? 0), 0);
      return n === N_CUR ? true : undefined;
    }, 'every prediction processed');

    const r = await runDrift(agent);
    assert.equal(r.status, 'ok');
    assert.equal(r.model, 'credit');
    assert.equal(r.version, '4');
    assert.ok(!Number.isNaN(Date.parse(r.time)));
    assert.equal(r.n_current, N_CUR);
    assert.deepEqual(Object.keys(r.columns).sort(), ['a', 'b', 'c', 'cat']);
    const drifted = Object.keys(r.columns).filter((k) => r.columns[k].drift_detected).sort();
    assert.deepEqual(drifted, ['a', 'cat']);
    assert.equal(r.number_drifted_columns, 2);
    assert.equal(r.share_drifted_columns, 0.5);
    assert.equal(r.dataset_drift, r.share_drifted_columns >= r.drift_share);
    assert.equal(r.dataset_drift, true);

    const s = parsePromText(await agent.metricsText());
    assert.equal(sampleValue(s, 'model_data_drift_detected', MODEL), 1);
    assert.equal(sampleValue(s, 'model_drifted_columns_ratio', MODEL), 0.5);
    for (const f of ['a', 'b', 'c', 'cat']) {
      assert.equal(sampleValue(s, 'model_feature_drift_detected', { ...MODEL, feature: f }), f === 'a' || f === 'cat' ? 1 : 0, f);
      assert.equal(sampleValue(s, 'model_feature_drift_score', { ...MODEL, feature: f, stattest: r.columns[f].stattest }), r.columns[f].score, f);
      assert.equal(sampleValue(s, 'model_feature_missing_share', { ...MODEL, feature: f }), 0, f);
    }

    const admin = `http://127.0.0.1:${agent.ports.admin}`;
    const index = await fetch(`${admin}/reports/`);
    assert.equal(index.status, 200);
    assert.match(index.headers.get('content-type')!, /^text\/html/);
    const indexHtml = await index.text();
    const file = r.report.replace('/reports/', '');
    assert.ok(indexHtml.includes(`href="/reports/${file}"`), indexHtml);
    const report = await fetch(`${admin}${r.report}`);
    assert.equal(report.status, 200);
    assert.match(report.headers.get('content-type')!, /^text\/html/);
    const html = await report.text();
    for (const f of ['a', 'b', 'c', 'cat']) assert.ok(html.includes(`<tr data-column="${f}">`), f);
    for (const bad of ['..%2Freference.csv', '..%2F..%2Fetc%2Fpasswd', '%2Fetc%2Fpasswd', 'reference.csv']) {
      assert.equal((await fetch(`${admin}/reports/${bad}`)).status, 404, bad);
    }
    const latest = await fetch(`${admin}/api/v1/drift/latest?model=credit`);
    assert.deepEqual(((await latest.json()) as any).runs.map(verdicts), [verdicts(r)]);
    assert.equal((await fetch(`${admin}/api/v1/drift/run?model=nope`, { method: 'POST' })).status, 404);

    // let a checkpoint pass, then crash: the restarted agent restores the window exactly
    await new Promise((res) => setTimeout(res, 500));
    await agent.kill9();
    agent = await startAgent({ dir, ports: agent.ports, config: config(reference), env: childEnv });
    const again = await runDrift(agent);
    assert.deepEqual(verdicts(again), verdicts(r));
    const after = parsePromText(await agent.metricsText());
    assert.equal(sampleValue(after, 'model_feature_drift_detected', { ...MODEL, feature: 'cat' }), 1);
    const list = await (await fetch(`http://127.0.0.1:${agent.ports.admin}/reports/`)).text();
    assert.equal(list.match(/<li><a /g)?.length, 2);
    assert.equal(await agent.stop(), 0, agent.logs());
  } finally {
    await agent.kill9();
  }
});
