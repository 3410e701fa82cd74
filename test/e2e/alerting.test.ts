// End to end: the real agent (full pipeline) fed by the real OpenTelemetry SDK, a real Prometheus
// scraping it and evaluating the shipped rules, a real Alertmanager routing with the shipped config,
// and a local webhook standing in for PagerDuty, Slack and email. A model first behaves, then degrades
// (latency, errors, data drift, an accuracy drop), then its accuracy collapses; the test checks that
// nothing fires while it behaves, that each alert reaches the receivers of its severity with the
// model's labels, that the critical alert inhibits the lesser ones, and that every dashboard query
// returns data from that Prometheus.
//
// The rules run as GENERATED COPIES with `for:` and range windows shortened (stack-config.ts), so
// this test checks the wiring: metric names and labels as the agent exports them, the recording
// rules feeding the alerts, the routing tree and inhibition, the dashboard's queries. The exact
// thresholds and `for:` durations of the real rules are covered by the promtool unit tests in
// alerts/tests/ (run by test/integration/alerts/rules.test.ts).
//
// The agent's own health panels need failures to show anything: the agent's PostgreSQL copy of the
// prediction log points at a port where nothing listens for the whole test (exporter failures), and
// one malformed OTLP request is sent during the degradation (refused spans).
//
// Needs Debian's prometheus and prometheus-alertmanager (or PROMETHEUS / ALERTMANAGER / PROMTOOL set);
// run alone with: node --import tsx --test test/e2e/alerting.test.ts (about a minute).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { eventually, startAgent, type AgentHandle } from '../helpers/agent.js';
import { otelClient, type Client } from '../helpers/otel-client.js';
import { freePort } from '../helpers/ports.js';
import { parsePromText } from '../helpers/prom-text.js';
import { REPO_ROOT, getJson, runTool, startAlertmanager, startPrometheus, type RunningServer } from '../helpers/prom-tools.js';
import { agentEnv } from '../unit/exporters/agent-env.js';
import { MODEL, Traffic, WRONG_SHARE, writeReference } from './scenario.js';
import { agentConfig, alertmanagerConfig, prometheusConfig, shippedSeverities, writeShortenedRules } from './stack-config.js';
import { receiversOf, startWebhookRecorder, type WebhookRecorder } from './webhook.js';
import { assertNoVariableLeft } from '../helpers/grafana-vars.js';

const BASELINE_ACCURACY = 0.9;
const WINDOW = 100;

/** Receivers of each severity in alerts/alertmanager.yml (see alerts/README.md). */
const RECEIVERS_BY_SEVERITY: Readonly<Record<string, readonly string[]>> = {
  critical: ['pagerduty-ml-oncall', 'slack-ml-alerts-urgent'],
  high: ['slack-ml-alerts-urgent', 'email-ml-team'],
  warning: ['slack-ml-monitoring'],
};

/** Alerts the degraded model must raise before its accuracy collapses (a critical one inhibits them). */
const DEGRADATION_ALERTS = [
  'HighInferenceLatencyP99',
  'HighInferenceLatencyP95',
  'InferenceLatencyP50Degraded',
  'HighPredictionErrorRate',
  'SignificantFeatureDrift',
  'DataDriftDetected',
  'ConceptDriftDetected',
  'ModelAccuracyDrop',
];
const COLLAPSE_ALERT = 'ModelAccuracyCritical';

/**
 * Dashboard queries that cannot return data here, with the reason. Every other query must.
 * (avg_over_time(...[7d]) is fine with minutes of history; an offset into last week is not.)
 */
const NO_DATA_EXPECTED: Readonly<Record<string, string>> = {
  'Prediction volume/B': 'offset 1w: the same time a week before; this Prometheus holds minutes of history',
};

interface PromVector {
  metric: Record<string, string>;
  value: [number, string];
}
interface PromAlert {
  labels: Record<string, string>;
  state: string;
}

async function query(prom: RunningServer, q: string): Promise<PromVector[]> {
  const res = await getJson<{ status: string; data: { resultType: string; result: PromVector[] } }>(prom, `/api/v1/query?query=${encodeURIComponent(q)}`);
  assert.equal(res.status, 'success', q);
  assert.equal(res.data.resultType, 'vector', q);
  return res.data.result;
}

/** The one value of a query about the scenario's model, or undefined while Prometheus has none. */
async function modelValue(prom: RunningServer, metric: string): Promise<number | undefined> {
  const r = await query(prom, `${metric}{model_name="${MODEL.model_name}", model_version="${MODEL.model_version}"}`);
  assert.ok(r.length <= 1, `${metric}: ${JSON.stringify(r)}`);
  return r.length === 1 ? Number(r[0].value[1]) : undefined;
}

async function promAlerts(prom: RunningServer): Promise<PromAlert[]> {
  return (await getJson<{ data: { alerts: PromAlert[] } }>(prom, '/api/v1/alerts')).data.alerts;
}

/** Waits until the agent has consumed every prediction emitted so far (counted on its /metrics). */
async function processed(agent: AgentHandle, traffic: Traffic, client: Client): Promise<number> {
  const target = traffic.total;
  await client.flush();
  return eventually(async () => {
    const samples = parsePromText(await agent.metricsText());
    const n = samples
      .filter((s) => (s.name === 'model_predictions_total' || s.name === 'model_prediction_errors_total') && s.labels.model_name === MODEL.model_name)
      .reduce((t, s) => t + s.value, 0);
    return n >= target ? n : undefined;
  }, `the agent processed ${target} predictions`, 30_000);
}

async function adminPost(agent: AgentHandle, path: string): Promise<any> {
  const res = await fetch(`http://127.0.0.1:${agent.ports.admin}${path}`, { method: 'POST', signal: AbortSignal.timeout(20_000) });
  const body = await res.json();
  assert.equal(res.status, 200, `${path}: ${JSON.stringify(body)}`);
  return body;
}

async function runDrift(agent: AgentHandle): Promise<any> {
  const body = await adminPost(agent, `/api/v1/drift/run?model=${MODEL.model_name}`);
  assert.equal(body.runs.length, 1);
  assert.equal(body.runs[0].status, 'ok', JSON.stringify(body.runs[0]));
  return body.runs[0];
}

async function runConceptDrift(agent: AgentHandle): Promise<any> {
  const body = await adminPost(agent, `/api/v1/concept-drift/run?model=${MODEL.model_name}`);
  const r = body.results.find((x: { model_version: string }) => x.model_version === MODEL.model_version);
  assert.ok(r, JSON.stringify(body));
  return r;
}

const driftedColumns = (run: any) => Object.keys(run.columns).filter((k) => run.columns[k].drift_detected).sort();

// --- the dashboard's queries --------------------------------------------------------------------

interface DashboardQuery {
  where: string;
  expr: string;
}

function dashboardQueries(): DashboardQuery[] {
  const d = JSON.parse(readFileSync(join(REPO_ROOT, 'grafana/dashboards/ml_model_monitoring.json'), 'utf8')) as {
    panels: { type: string; title: string; targets?: { refId: string; expr: string }[] }[];
    annotations: { list: { name: string; expr?: string }[] };
    templating: { list: { type: string; name: string; query: string }[] };
  };
  const out: DashboardQuery[] = [];
  for (const p of d.panels) for (const t of p.targets ?? []) out.push({ where: `${p.title}/${t.refId}`, expr: t.expr });
  for (const a of d.annotations.list) if (a.expr) out.push({ where: `annotation ${a.name}`, expr: a.expr });
  for (const v of d.templating.list.filter((x) => x.type === 'query')) {
    const m = /^label_values\((.+),\s*\w+\)$/.exec(v.query);
    assert.ok(m, `variable ${v.name}: ${v.query}`);
    out.push({ where: `variable ${v.name}`, expr: m[1] });
  }
  return out;
}

/** Grafana's variables replaced by the scenario's model and intervals that fit a 1 s scrape. */
function substitute(expr: string): string {
  const out = expr
    .replace(/\$\{?model_name\}?/g, MODEL.model_name)
    .replace(/\$\{?model_version\}?/g, MODEL.model_version)
    .replace(/\$\{?__rate_interval\}?/g, '20s')
    .replace(/\$\{?__interval\}?/g, '1s')
    .replace(/\$\{?__range\}?/g, '5m');
  assertNoVariableLeft(out);
  return out;
}

// --- the test -----------------------------------------------------------------------------------

test('alerting end to end: agent → Prometheus (shipped rules) → Alertmanager (shipped routing) → receivers; dashboard queries', { timeout: 240_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'modelwatch-e2e-'));
  let hooks: WebhookRecorder | undefined;
  let am: RunningServer | undefined;
  let prom: RunningServer | undefined;
  let agent: AgentHandle | undefined;
  let client: Client | undefined;
  let traffic: Traffic | undefined;
  // Everything started here is stopped here, also when an assertion failed half-way.
  t.after(async () => {
    traffic?.stop();
    await Promise.race([client?.shutdown(), sleep(5000)]).catch(() => undefined);
    if (agent) {
      await Promise.race([agent.stop(), sleep(5000)]);
      await agent.kill9();
    }
    await prom?.stop();
    await am?.stop();
    await hooks?.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const severities = shippedSeverities();
  const log = (msg: string) => t.diagnostic(msg);

  // 1. The stack: webhook ← Alertmanager ← Prometheus → agent.
  const rulesDir = join(dir, 'rules');
  mkdirSync(rulesDir);
  const rules = writeShortenedRules(rulesDir);
  const check = await runTool('promtool', ['check', 'rules', ...rules]);
  assert.equal(check.code, 0, check.stdout + check.stderr);

  hooks = await startWebhookRecorder();
  const amConfig = alertmanagerConfig(hooks.url);
  assert.deepEqual([...amConfig.receivers].sort(), [...new Set(Object.values(RECEIVERS_BY_SEVERITY).flat())].sort(), 'the shipped receivers');
  const [amStarted, agentStarted] = await Promise.allSettled([
    startAlertmanager({ configYaml: amConfig.yaml }),
    startAgent({
      config: agentConfig({ referenceCsv: writeReference(dir), baselineAccuracy: BASELINE_ACCURACY, window: WINDOW, deadPostgresPort: await freePort() }),
      env: agentEnv(),
    }),
  ]);
  if (amStarted.status === 'fulfilled') am = amStarted.value;
  if (agentStarted.status === 'fulfilled') agent = agentStarted.value;
  if (amStarted.status === 'rejected') throw amStarted.reason;
  if (agentStarted.status === 'rejected') throw agentStarted.reason;
  prom = await startPrometheus({ configYaml: prometheusConfig(agent!.ports.prometheus, am!.port), rulesFiles: rules });
  const p = prom;
  const a = agent!;

  client = otelClient('grpc', a.ports);
  traffic = new Traffic(client.tracer);
  const tr = traffic;
  const c = client;

  // 2. The model behaves. Run both drift checks on healthy data, so their gauges exist (and say "no").
  const t0 = Date.now();
  tr.start();
  await eventually(async () => (tr.total >= 1500 ? true : undefined), '1500 healthy predictions', 60_000);
  await processed(a, tr, c);
  const healthyDrift = await runDrift(a);
  assert.deepEqual(driftedColumns(healthyDrift), [], JSON.stringify(healthyDrift.columns));
  assert.equal(healthyDrift.dataset_drift, false);
  const healthyConcept = await runConceptDrift(a);
  assert.equal(healthyConcept.concept_drift_detected, false, JSON.stringify(healthyConcept));
  assert.ok(Math.abs(healthyConcept.accuracy - (1 - WRONG_SHARE.healthy)) < 0.02, `healthy accuracy ${healthyConcept.accuracy}`);

  // Every series an alert reads is in Prometheus with healthy values...
  const healthy = await eventually(async () => {
    const v = {
      accuracy: await modelValue(p, 'model_accuracy'),
      errorRatio: await modelValue(p, 'model_name_version:model_prediction_error_ratio:rate5m'),
      p99: await modelValue(p, 'model_name_version:model_inference_duration_seconds:p99_rate5m'),
      drifted: await modelValue(p, 'model_drifted_columns_ratio'),
      dataDrift: await modelValue(p, 'model_data_drift_detected'),
      drop: await modelValue(p, 'model_accuracy_drop_percent'),
      concept: await modelValue(p, 'model_concept_drift_detected'),
    };
    return Object.values(v).every((x) => x !== undefined) ? (v as Record<keyof typeof v, number>) : undefined;
  }, 'healthy series in Prometheus', 30_000);
  assert.ok(Math.abs(healthy.accuracy - (1 - WRONG_SHARE.healthy)) < 0.02, `accuracy ${healthy.accuracy}`);
  assert.ok(healthy.errorRatio > 0 && healthy.errorRatio < 0.05, `error ratio ${healthy.errorRatio}`);
  assert.ok(healthy.p99 < 0.1, `p99 ${healthy.p99}`);
  assert.deepEqual([healthy.drifted, healthy.dataDrift, healthy.concept], [0, 0, 0]);
  assert.ok(healthy.drop < 5, `drop ${healthy.drop}`);
  // ...for longer than a `for:` and a full rate window, and then no model alert is pending or firing.
  await sleep(Math.max(7_000, 25_000 - (Date.now() - t0)));
  const groups = (await getJson<{ data: { groups: { rules: { type: string; name: string; health: string; lastError?: string }[] }[] } }>(p, '/api/v1/rules')).data.groups;
  const loaded = groups.flatMap((g) => g.rules);
  assert.equal(loaded.filter((r) => r.type === 'alerting').length, severities.size, 'every shipped alert loaded');
  for (const r of loaded) assert.equal(r.health, 'ok', `${r.name}: ${r.lastError}`);
  const before = await promAlerts(p);
  assert.deepEqual(before.filter((x) => x.labels.model_name !== undefined), [], 'no model alert while the model behaves');
  assert.deepEqual(hooks.deliveries.filter((d) => d.alerts.some((x) => x.labels.model_name !== undefined)), [], 'no model notification while the model behaves');
  log(`healthy phase: ${tr.emitted.healthy} predictions over ${((Date.now() - t0) / 1000).toFixed(1)} s; agent alerts meanwhile: ${before.map((x) => `${x.labels.alertname}(${x.state})`).join(', ') || 'none'}`);

  // 3. The model degrades: slow, failing, drifted inputs, accuracy below its baseline.
  const tA = Date.now();
  tr.phase = 'degraded';
  // One malformed request: the agent refuses it (and counts it, for the dashboard's refused panel).
  const bad = await fetch(`http://127.0.0.1:${a.ports.http}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/x-protobuf' }, body: Buffer.from([0xff, 0xff, 0xff, 0xff]) });
  assert.equal(bad.status, 400);
  await eventually(async () => (tr.emitted.degraded >= 1200 ? true : undefined), '1200 degraded predictions', 60_000);
  await processed(a, tr, c);
  const drift = await runDrift(a);
  assert.deepEqual(driftedColumns(drift), ['a', 'cat'], JSON.stringify(drift.columns));
  assert.equal(drift.share_drifted_columns, 0.5);
  assert.equal(drift.dataset_drift, true);
  const concept = await runConceptDrift(a);
  const degradedAccuracy = 1 - WRONG_SHARE.degraded;
  assert.ok(Math.abs(concept.accuracy - degradedAccuracy) < 0.02, `degraded accuracy ${concept.accuracy}`);
  assert.ok(Math.abs(concept.drop_percent - ((BASELINE_ACCURACY - concept.accuracy) / BASELINE_ACCURACY) * 100) < 1e-9);
  assert.equal(concept.concept_drift_detected, true);
  log(`drift run after ${((Date.now() - tA) / 1000).toFixed(1)} s of degradation: share ${drift.share_drifted_columns}; concept check: accuracy ${concept.accuracy}, drop ${concept.drop_percent.toFixed(1)}%`);

  const reached = (name: string) => receiversOf(hooks!.deliveries, name);
  const expectedReceivers = (name: string) => [...(RECEIVERS_BY_SEVERITY[severities.get(name)!] ?? [])].sort();
  await eventually(
    async () => (DEGRADATION_ALERTS.every((n) => expectedReceivers(n).every((r) => reached(n).has(r))) ? true : undefined),
    `every degradation alert at its receivers (so far: ${DEGRADATION_ALERTS.map((n) => `${n}→${[...reached(n).keys()].join('+')}`).join(', ')})`,
    90_000,
  ).catch(async (err) => {
    log(`Prometheus alerts: ${JSON.stringify(await promAlerts(p))}`);
    throw new Error(`${(err as Error).message}; reached: ${DEGRADATION_ALERTS.map((n) => `${n}→${[...reached(n).keys()].join('+')}`).join(', ')}`);
  });
  for (const n of DEGRADATION_ALERTS) {
    log(`${n} (${severities.get(n)}): ${[...reached(n)].map(([r, at]) => `${r} +${((at - tA) / 1000).toFixed(1)} s`).join(', ')}`);
  }

  // 4. The accuracy collapses under the 80% floor: the critical alert pages, and inhibits the rest.
  const tB = Date.now();
  tr.phase = 'collapsed';
  await eventually(async () => (expectedReceivers(COLLAPSE_ALERT).every((r) => reached(COLLAPSE_ALERT).has(r)) ? true : undefined), `${COLLAPSE_ALERT} at its receivers`, 60_000);
  log(`${COLLAPSE_ALERT} (critical): ${[...reached(COLLAPSE_ALERT)].map(([r, at]) => `${r} +${((at - tB) / 1000).toFixed(1)} s after the collapse`).join(', ')}`);
  const collapsed = await modelValue(p, 'model_accuracy');
  assert.ok(collapsed !== undefined && collapsed < 0.8, `accuracy ${collapsed}`);

  // Each notified alert reached exactly the receivers of its severity, and model alerts carry the model.
  for (const d of hooks.deliveries) {
    assert.equal(d.receiver, d.path, 'the payload names the receiver the path stands for');
    for (const x of d.alerts) {
      const sev = x.labels.severity;
      assert.ok(RECEIVERS_BY_SEVERITY[sev]?.includes(d.path), `${x.labels.alertname} (${sev}) reached ${d.path}`);
      assert.equal(severities.get(x.labels.alertname), sev, `${x.labels.alertname}: severity as in the rules`);
      if (x.labels.model_name !== undefined || [...DEGRADATION_ALERTS, COLLAPSE_ALERT].includes(x.labels.alertname)) {
        assert.equal(x.labels.model_name, MODEL.model_name, x.labels.alertname);
        assert.equal(x.labels.model_version, MODEL.model_version, x.labels.alertname);
        assert.match(x.annotations.runbook_url ?? '', /runbook\.md#/, x.labels.alertname);
      }
    }
  }
  for (const n of [...DEGRADATION_ALERTS, COLLAPSE_ALERT]) assert.deepEqual([...reached(n).keys()].sort(), expectedReceivers(n), n);

  // Inhibition in the real Alertmanager: the same model's high and warning alerts are now suppressed.
  await eventually(async () => {
    const alerts = await getJson<{ labels: Record<string, string>; status: { state: string; inhibitedBy: string[] } }[]>(am!, '/api/v2/alerts');
    const lesser = alerts.filter((x) => x.labels.model_name === MODEL.model_name && x.labels.severity !== 'critical');
    const names = new Set(lesser.filter((x) => x.status.state === 'suppressed' && x.status.inhibitedBy.length > 0).map((x) => x.labels.alertname));
    return DEGRADATION_ALERTS.every((n) => names.has(n)) ? true : undefined;
  }, 'the degradation alerts inhibited by the critical one', 15_000);

  // 5. Every dashboard query, variables substituted, returns data from this Prometheus.
  const queries = dashboardQueries();
  assert.ok(queries.length >= 20, `${queries.length} dashboard queries`);
  for (const where of Object.keys(NO_DATA_EXPECTED)) assert.ok(queries.some((q) => q.where === where), `listed exception ${where} is a dashboard query`);
  const empty: string[] = [];
  for (const q of queries) {
    const result = await query(p, substitute(q.expr));
    if (result.length === 0 && !(q.where in NO_DATA_EXPECTED)) empty.push(`${q.where}: ${substitute(q.expr)}`);
  }
  assert.deepEqual(empty, [], 'dashboard queries without data');
  log(`dashboard: ${queries.length - Object.keys(NO_DATA_EXPECTED).length} of ${queries.length} queries return data; no data expected for ${Object.entries(NO_DATA_EXPECTED).map(([k, v]) => `${k} (${v})`).join('; ')}`);
  log(`total ${((Date.now() - t0) / 1000).toFixed(1)} s from the first prediction`);
});
