// The Grafana dashboard and its provisioning. Grafana cannot run here, so the dashboard is checked
// structurally, and every query (panels, variables' metrics, annotations), with the template variables
// replaced by concrete values, is parsed by promtool and run against a real Prometheus.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { REPO_ROOT, SHIPPED_RULE_FILES, getJson, runTool, startPrometheus } from '../../helpers/prom-tools.js';
import { assertNoVariableLeft } from '../../helpers/grafana-vars.js';

interface Target {
  expr: string;
  refId: string;
  datasource?: { type: string; uid: string };
}
interface Threshold {
  color: string;
  value: number | null;
}
interface Panel {
  id: number;
  type: string;
  title: string;
  datasource?: { type: string; uid: string };
  gridPos: { x: number; y: number; w: number; h: number };
  targets?: Target[];
  fieldConfig?: { defaults: { unit?: string; thresholds?: { mode: string; steps: Threshold[] } } };
}
interface Variable {
  type: string;
  name: string;
  query: string;
  current?: { value: string | string[] };
}
interface Dashboard {
  uid: string;
  title: string;
  refresh: string;
  panels: Panel[];
  templating: { list: Variable[] };
  annotations: { list: { expr?: string; datasource?: { uid: string } }[] };
}

const dashboard = JSON.parse(
  readFileSync(join(REPO_ROOT, 'grafana/dashboards/ml_model_monitoring.json'), 'utf8'),
) as Dashboard;
const DS_UID = '${DS_PROMETHEUS}';
const queryPanels = dashboard.panels.filter((p) => p.type !== 'row' && p.type !== 'text');
const panelByTitle = (title: string) => {
  const p = dashboard.panels.find((x) => x.title === title);
  assert.ok(p, `panel "${title}"`);
  return p;
};

// Concrete values for Grafana's variables: a model, a version, and the built-in intervals.
function substitute(expr: string): string {
  const out = expr
    .replace(/\$\{?model_name\}?/g, 'churn')
    .replace(/\$\{?model_version\}?/g, 'v1')
    .replace(/\$\{?__rate_interval\}?/g, '1m')
    .replace(/\$\{?__interval\}?/g, '15s')
    .replace(/\$\{?__range\}?/g, '1h');
  assertNoVariableLeft(out);
  return out;
}

function allQueries(): { where: string; expr: string }[] {
  const out: { where: string; expr: string }[] = [];
  for (const p of queryPanels) for (const t of p.targets ?? []) out.push({ where: `${p.title}/${t.refId}`, expr: t.expr });
  for (const a of dashboard.annotations.list) if (a.expr) out.push({ where: 'annotation', expr: a.expr });
  // label_values(<selector>, label): the selector must be a valid query too.
  for (const v of dashboard.templating.list.filter((x) => x.type === 'query')) {
    const m = /^label_values\((.+),\s*\w+\)$/.exec(v.query);
    assert.ok(m, `variable ${v.name}: ${v.query}`);
    out.push({ where: `variable ${v.name}`, expr: m[1] });
  }
  return out;
}

test('dashboard: uid, title, 15 s refresh, datasource and model variables', () => {
  assert.equal(dashboard.uid, 'modelwatch-ml-models');
  assert.equal(dashboard.refresh, '15s');
  const vars = new Map(dashboard.templating.list.map((v) => [v.name, v]));
  assert.equal(vars.get('DS_PROMETHEUS')?.type, 'datasource');
  assert.equal(vars.get('DS_PROMETHEUS')?.query, 'prometheus');
  assert.equal(vars.get('model_name')?.query, 'label_values(model_predictions_total, model_name)');
  assert.equal(vars.get('model_version')?.query, 'label_values(model_predictions_total{model_name=~"$model_name"}, model_version)');
});

test('dashboard: every panel has the Prometheus datasource, targets with queries, unique ids, no overlap', () => {
  assert.ok(queryPanels.length >= 10);
  const ids = new Set<number>();
  const cells = new Set<string>();
  for (const p of queryPanels) {
    assert.ok(!ids.has(p.id), `duplicate id ${p.id}`);
    ids.add(p.id);
    assert.deepEqual(p.datasource, { type: 'prometheus', uid: DS_UID }, p.title);
    assert.ok((p.targets ?? []).length > 0, `${p.title} has no targets`);
    for (const t of p.targets!) {
      assert.ok(t.expr.trim().length > 0 && t.refId, `${p.title} target`);
      assert.deepEqual(t.datasource, { type: 'prometheus', uid: DS_UID }, `${p.title}/${t.refId}`);
    }
    const { x, y, w, h } = p.gridPos;
    assert.ok(x >= 0 && w > 0 && x + w <= 24 && h > 0, `${p.title} gridPos`);
    for (let i = x; i < x + w; i++)
      for (let j = y; j < y + h; j++) {
        assert.ok(!cells.has(`${i},${j}`), `${p.title} overlaps another panel`);
        cells.add(`${i},${j}`);
      }
  }
});

test('dashboard: the required panels, with their queries and green/yellow/red thresholds', () => {
  const exprs = (title: string) => panelByTitle(title).targets!.map((t) => t.expr).join('\n');
  const colors = (title: string) => panelByTitle(title).fieldConfig!.defaults.thresholds!.steps.map((s) => s.color);
  const rag = (title: string, order: 'low-is-good' | 'high-is-good') =>
    assert.deepEqual(colors(title), order === 'low-is-good' ? ['green', 'yellow', 'red'] : ['red', 'yellow', 'green'], title);

  assert.match(exprs('Accuracy (7-day rolling)'), /avg_over_time\(model_accuracy\{[^}]*\}\[7d\]\)/);
  assert.equal(panelByTitle('Accuracy (7-day rolling)').type, 'stat');
  rag('Accuracy (7-day rolling)', 'high-is-good');
  const acc = panelByTitle('Accuracy (7-day rolling)').fieldConfig!.defaults.thresholds!.steps;
  assert.equal(acc[1].value, 0.8, 'yellow starts at the alert threshold');

  for (const m of ['model_accuracy', 'model_precision', 'model_recall', 'model_f1_score']) {
    assert.match(exprs('Accuracy / precision / recall / F1'), new RegExp(`\\b${m}\\{`));
  }
  rag('Accuracy / precision / recall / F1', 'high-is-good');

  const latency = exprs('Inference latency p50 / p95 / p99');
  for (const q of ['0.5', '0.95', '0.99']) {
    assert.match(latency, new RegExp(`histogram_quantile\\(${q.replace('.', '\\.')}, sum by \\(le, model_name, model_version\\) \\(rate\\(model_inference_duration_seconds_bucket`));
  }
  rag('Inference latency p50 / p95 / p99', 'low-is-good');

  assert.match(exprs('Data drift status'), /model_data_drift_detected/);
  assert.match(exprs('Data drift status'), /model_drifted_columns_ratio/);
  assert.match(exprs('Accuracy drop %'), /model_accuracy_drop_percent/);
  rag('Accuracy drop %', 'low-is-good');
  assert.match(exprs('Prediction volume'), /rate\(model_predictions_total\{/);
  assert.match(exprs('Error rate'), /model_prediction_error_ratio/);
  for (const p of dashboard.panels.filter((x) => x.title === 'Error rate')) {
    assert.deepEqual(p.fieldConfig!.defaults.thresholds!.steps.map((s) => s.color), ['green', 'yellow', 'red']);
    assert.equal(p.fieldConfig!.defaults.thresholds!.steps[2].value, 0.05, 'red at the alert threshold');
  }
  const pie = panelByTitle('Predicted class distribution');
  assert.equal(pie.type, 'piechart');
  assert.match(exprs('Predicted class distribution'), /sum by \(predicted_class\)/);
});

// Metric names a query may use: DESIGN.md §4, the later additions, and the shipped recording rules.
const KNOWN_METRICS = new Set([
  'model_accuracy', 'model_precision', 'model_recall', 'model_f1_score', 'model_predictions_total',
  'model_prediction_errors_total', 'model_labeled_predictions_total', 'model_inference_duration_seconds_bucket',
  'model_preprocessing_duration_seconds_bucket', 'model_postprocessing_duration_seconds_bucket',
  'model_prediction_duration_seconds_bucket', 'model_data_drift_detected', 'model_drifted_columns_ratio',
  'model_feature_drift_score', 'model_feature_drift_detected', 'model_concept_drift_detected',
  'model_accuracy_drop_percent', 'model_accuracy_trend', 'model_accuracy_declining_days',
  'model_error_rate_change_detected', 'model_feedback_unmatched_total', 'model_feature_missing_share',
  'modelwatch_receiver_accepted_spans_total', 'modelwatch_receiver_refused_spans_total', 'modelwatch_queue_rows',
  'modelwatch_queue_bytes', 'modelwatch_queue_capacity_bytes', 'modelwatch_exporter_sent_total',
  'modelwatch_exporter_failed_total', 'modelwatch_consumer_lag_seconds', 'modelwatch_consumer_lag_records',
  'modelwatch_event_loop_busy_seconds_total', 'modelwatch_process_cpu_seconds_total', 'modelwatch_event_loop_delay_seconds_bucket',
  'modelwatch_consumer_checkpoint_duration_seconds_bucket',
  'modelwatch_process_resident_memory_bytes', 'modelwatch_process_heap_used_bytes', 'modelwatch_memory_limit_bytes', 'ALERTS', 'up',
  ...SHIPPED_RULE_FILES.flatMap((f) =>
    (parseYaml(readFileSync(f, 'utf8')) as { groups: { rules: { record?: string }[] }[] }).groups
      .flatMap((g) => g.rules)
      .flatMap((r) => (r.record ? [r.record] : [])),
  ),
]);

test('dashboard: every query names only metrics the agent exports or the rules record', () => {
  for (const { where, expr } of allQueries()) {
    // Identifiers followed by a selector or range: metric names (functions are followed by "(").
    const bare = /^[A-Za-z_:][\w:]*$/.test(expr.trim());
    const names = bare ? [expr.trim()] : [...expr.matchAll(/([A-Za-z_:][\w:]*)\s*(?=\{|\[)/g)].map((m) => m[1]);
    assert.ok(names.length > 0, `${where}: no metric found in ${expr}`);
    for (const name of names) assert.ok(KNOWN_METRICS.has(name), `${where}: unknown metric ${name}`);
  }
});

test('dashboard: every query, variables substituted, parses with promtool', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'modelwatch-dashboard-'));
  try {
    const queries = allQueries();
    const rules = {
      groups: [{ name: 'dashboard', rules: queries.map((q, i) => ({ record: `dashboard:query_${i}`, expr: substitute(q.expr) })) }],
    };
    const file = join(dir, 'dashboard_queries.yml');
    writeFileSync(file, stringifyYaml(rules));
    const res = await runTool('promtool', ['check', 'rules', file]);
    assert.equal(res.code, 0, res.stdout + res.stderr);
    assert.match(res.stdout, new RegExp(`SUCCESS: ${queries.length} rules found`));

    // And the check can fail: a broken query is reported.
    writeFileSync(file, stringifyYaml({ groups: [{ name: 'd', rules: [{ record: 'd:q', expr: 'sum by (le (rate(x[1m]))' }] }] }));
    assert.notEqual((await runTool('promtool', ['check', 'rules', file])).code, 0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('dashboard: every query runs without error on a real Prometheus with the shipped rules', async () => {
  const prom = await startPrometheus({ configYaml: 'global:\n  evaluation_interval: 15s\n', rulesFiles: SHIPPED_RULE_FILES });
  try {
    for (const { where, expr } of allQueries()) {
      const q = encodeURIComponent(substitute(expr));
      const res = await getJson<{ status: string; data: { resultType: string } }>(prom, `/api/v1/query?query=${q}`);
      assert.equal(res.status, 'success', where);
      assert.equal(res.data.resultType, 'vector', where);
    }
  } finally {
    await prom.stop();
  }
});

test('provisioning: the datasource uid is the dashboard default, the provider loads a file folder', () => {
  const ds = parseYaml(readFileSync(join(REPO_ROOT, 'grafana/provisioning/datasources/prometheus.yml'), 'utf8')) as {
    apiVersion: number;
    datasources: { uid: string; type: string; url: string; access: string }[];
  };
  assert.equal(ds.apiVersion, 1);
  assert.equal(ds.datasources.length, 1);
  assert.equal(ds.datasources[0].type, 'prometheus');
  assert.equal(ds.datasources[0].access, 'proxy');
  const dsVar = dashboard.templating.list.find((v) => v.name === 'DS_PROMETHEUS');
  assert.equal(dsVar?.current?.value, ds.datasources[0].uid);

  const prov = parseYaml(readFileSync(join(REPO_ROOT, 'grafana/provisioning/dashboards/modelwatch.yml'), 'utf8')) as {
    apiVersion: number;
    providers: { type: string; options: { path: string } }[];
  };
  assert.equal(prov.apiVersion, 1);
  assert.equal(prov.providers[0].type, 'file');
  assert.match(prov.providers[0].options.path, /^\/.+/);
});
