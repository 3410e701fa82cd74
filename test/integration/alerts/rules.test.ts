// The shipped Prometheus rules: valid for the installed promtool, every alert unit-tested by
// promtool (firing and silent cases), well-formed labels/annotations, and tests that do fail when a
// rule changes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { ALERTS_DIR, REPO_ROOT, SHIPPED_RULE_FILES, runTool } from '../../helpers/prom-tools.js';

interface Rule {
  alert?: string;
  record?: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}
interface RuleFile {
  groups: { name: string; rules: Rule[] }[];
}
interface AlertTest {
  eval_time: string;
  alertname: string;
  exp_alerts?: unknown[];
}
interface TestFile {
  rule_files: string[];
  group_eval_order?: string[];
  tests: { alert_rule_test?: AlertTest[] }[];
}

const TESTS_DIR = join(ALERTS_DIR, 'tests');
const testFiles = readdirSync(TESTS_DIR)
  .filter((f) => f.endsWith('.yml'))
  .map((f) => join(TESTS_DIR, f));
const ruleFiles = SHIPPED_RULE_FILES.map((f) => parseYaml(readFileSync(f, 'utf8')) as RuleFile);
const groups = ruleFiles.flatMap((f) => f.groups);
const alerts = groups.flatMap((g) => g.rules).filter((r) => r.alert);

test('promtool check rules accepts the shipped rule files', async () => {
  const res = await runTool('promtool', ['check', 'rules', ...SHIPPED_RULE_FILES]);
  assert.equal(res.code, 0, res.stdout + res.stderr);
  assert.match(res.stdout, /SUCCESS: 8 rules found/);
  assert.match(res.stdout, new RegExp(`SUCCESS: ${alerts.length} rules found`));
});

test('promtool test rules: every unit test passes', async () => {
  assert.ok(testFiles.length >= 4);
  const res = await runTool('promtool', ['test', 'rules', ...testFiles]);
  assert.equal(res.code, 0, res.stdout + res.stderr);
  assert.doesNotMatch(res.stdout + res.stderr, /FAILED/);
});

test('every alert has a promtool test where it fires and one where it stays silent', () => {
  const firing = new Set<string>();
  const silent = new Set<string>();
  for (const file of testFiles) {
    const doc = parseYaml(readFileSync(file, 'utf8')) as TestFile;
    for (const t of doc.tests) {
      for (const a of t.alert_rule_test ?? []) {
        ((a.exp_alerts ?? []).length > 0 ? firing : silent).add(a.alertname);
      }
    }
  }
  const names = alerts.map((a) => a.alert!);
  assert.deepEqual(names.filter((n) => !firing.has(n)), [], 'alerts without a firing test');
  assert.deepEqual(names.filter((n) => !silent.has(n)), [], 'alerts without a silent test');
});

test('each test file loads both rule files and orders every group, recording first', () => {
  // promtool evaluates groups in random order unless all are listed; alerts read recorded series.
  const groupNames = groups.map((g) => g.name);
  assert.equal(groupNames[0], 'modelwatch.recording');
  for (const file of testFiles) {
    const doc = parseYaml(readFileSync(file, 'utf8')) as TestFile;
    assert.deepEqual(doc.rule_files, ['../ml_model_recording.yml', '../ml_model_alerts.yml'], file);
    assert.deepEqual(doc.group_eval_order, groupNames, file);
  }
});

// GitHub's heading anchors: lower case, punctuation dropped, spaces to dashes.
function anchors(markdown: string): Set<string> {
  const out = new Set<string>();
  for (const m of markdown.matchAll(/^#{1,6}\s+(.+)$/gm)) {
    out.add(m[1].trim().toLowerCase().replace(/[^\w\- ]/g, '').replace(/ /g, '-'));
  }
  return out;
}

test('every alert has a severity, model or agent labels, summary, description and a runbook section', () => {
  const runbookAnchors = anchors(readFileSync(join(REPO_ROOT, 'docs/runbook.md'), 'utf8'));
  const prefix = 'https://github.com/modelwatch/modelwatch/blob/main/docs/runbook.md#';
  const names = new Set<string>();
  for (const a of alerts) {
    const name = a.alert!;
    assert.ok(!names.has(name), `duplicate alert ${name}`);
    names.add(name);
    assert.ok(['critical', 'high', 'warning'].includes(a.labels?.severity ?? ''), `${name} severity`);
    const ann = a.annotations ?? {};
    assert.ok(ann.summary && ann.description, `${name} summary/description`);
    // Model alerts name the model in their text; agent alerts name the instance.
    const subject = name.startsWith('Modelwatch') ? '$labels.instance' : '$labels.model_name';
    assert.ok(ann.summary.includes(subject) && ann.description.includes(subject), `${name} names ${subject}`);
    assert.equal(ann.runbook_url, prefix + name.toLowerCase(), `${name} runbook_url`);
    assert.ok(runbookAnchors.has(name.toLowerCase()), `docs/runbook.md has no section ${name}`);
  }
});

/** Copies alerts/ to a temp dir, changes one alert rule, runs one promtool test file on the copy. */
async function runTestOnMutant(alert: string, change: (rule: Rule) => void, testFile: string): Promise<{ code: number; out: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'modelwatch-rules-mutant-'));
  try {
    cpSync(ALERTS_DIR, dir, { recursive: true });
    const rulesPath = join(dir, 'ml_model_alerts.yml');
    const doc = parseYaml(readFileSync(rulesPath, 'utf8')) as RuleFile;
    const rule = doc.groups.flatMap((g) => g.rules).find((r) => r.alert === alert);
    assert.ok(rule, alert);
    const before = JSON.stringify(rule);
    change(rule);
    assert.notEqual(JSON.stringify(rule), before, `the mutation of ${alert} changed nothing`);
    writeFileSync(rulesPath, stringifyYaml(doc));
    const res = await runTool('promtool', ['test', 'rules', join(dir, 'tests', testFile)]);
    return { code: res.code, out: res.stdout + res.stderr };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('the promtool tests fail when a threshold moves, a "for" is dropped or a label changes', async () => {
  const mutations: [string, string, (r: Rule) => void, string][] = [
    ['accuracy threshold just lower', 'ModelAccuracyCritical', (r) => (r.expr = r.expr.replace('< 0.80', '< 0.785')), 'model_quality_test.yml'],
    ['accuracy threshold inclusive', 'ModelAccuracyCritical', (r) => (r.expr = r.expr.replace('< 0.80', '<= 0.80')), 'model_quality_test.yml'],
    ['error rate without "for"', 'HighPredictionErrorRate', (r) => delete r.for, 'model_quality_test.yml'],
    ['p95 threshold at 0.99 s', 'HighInferenceLatencyP95', (r) => (r.expr = r.expr.replace('> 1', '> 0.99')), 'model_latency_test.yml'],
    ['data drift "for" 30m', 'DataDriftDetected', (r) => (r.for = '30m'), 'model_drift_test.yml'],
    [
      'volume drop without the vanished-series fallback',
      'PredictionVolumeDrop',
      (r) => (r.expr = r.expr.replace(/\s+or on \(model_name, model_version\)\s+0 \* sum by \(model_name, model_version\) \(rate\(model_predictions_total\[1h\] offset 1w\)\)/, '')),
      'prediction_volume_test.yml',
    ],
    ['volume drop forgetting past traffic', 'PredictionVolumeDrop', (r) => (r.expr = r.expr.replace('[1d]', '[1m]')), 'prediction_volume_test.yml'],
    ['target down as warning', 'ModelwatchTargetDown', (r) => (r.labels!.severity = 'warning'), 'agent_health_test.yml'],
  ];
  for (const [what, alert, change, file] of mutations) {
    const res = await runTestOnMutant(alert, change, file);
    assert.notEqual(res.code, 0, `tests still pass with: ${what}`);
    assert.match(res.out, new RegExp(alert), what);
  }
});
