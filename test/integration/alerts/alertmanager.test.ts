// The shipped Alertmanager config: valid for the installed amtool, routes each severity to the agreed
// receivers, keeps secrets out of the repository, and (in a real Alertmanager) a critical alert
// inhibits the same model's lesser alerts and nothing else.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parse as parseYaml } from 'yaml';
import { SHIPPED_ALERTMANAGER_CONFIG, getJson, runTool, startAlertmanager } from '../../helpers/prom-tools.js';

const configText = readFileSync(SHIPPED_ALERTMANAGER_CONFIG, 'utf8');

async function routesFor(labels: Record<string, string>, configFile = SHIPPED_ALERTMANAGER_CONFIG): Promise<string[]> {
  const args = ['config', 'routes', 'test', `--config.file=${configFile}`];
  for (const [k, v] of Object.entries(labels)) args.push(`${k}=${v}`);
  const res = await runTool('amtool', args);
  assert.equal(res.code, 0, res.stdout + res.stderr);
  return res.stdout.trim().split(',');
}

test('amtool check-config accepts the shipped config', async () => {
  const res = await runTool('amtool', ['check-config', SHIPPED_ALERTMANAGER_CONFIG]);
  assert.equal(res.code, 0, res.stdout + res.stderr);
  assert.match(res.stdout, /SUCCESS/);
  assert.match(res.stdout, /4 receivers/);
  assert.match(res.stdout, /1 inhibit rules/);
});

test('amtool check-config rejects a route to an unknown receiver (the check can fail)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'modelwatch-am-'));
  try {
    const broken = join(dir, 'alertmanager.yml');
    writeFileSync(broken, configText.replace('receiver: email-ml-team', 'receiver: email-ml-teem'));
    const res = await runTool('amtool', ['check-config', broken]);
    assert.notEqual(res.code, 0);
    assert.match(res.stdout + res.stderr, /email-ml-teem/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('each severity reaches its receivers', async () => {
  const model = { alertname: 'ModelAccuracyCritical', model_name: 'churn', model_version: 'v1' };
  assert.deepEqual(await routesFor({ ...model, severity: 'critical' }), ['pagerduty-ml-oncall', 'slack-ml-alerts-urgent']);
  assert.deepEqual(await routesFor({ ...model, severity: 'high' }), ['slack-ml-alerts-urgent', 'email-ml-team']);
  assert.deepEqual(await routesFor({ ...model, severity: 'warning' }), ['slack-ml-monitoring']);
  // Without a known severity an alert still reaches a channel.
  assert.deepEqual(await routesFor({ alertname: 'Other' }), ['slack-ml-monitoring']);
  // Agent alerts carry no model labels and route the same way.
  assert.deepEqual(
    await routesFor({ alertname: 'ModelwatchTargetDown', severity: 'critical', instance: 'agent-1:9464' }),
    ['pagerduty-ml-oncall', 'slack-ml-alerts-urgent'],
  );
});

test('receivers point at the agreed channels, grouping is by alert and model', () => {
  const cfg = parseYaml(configText) as {
    route: { group_by: string[] };
    receivers: { name: string; slack_configs?: { channel: string }[]; email_configs?: { to: string }[]; pagerduty_configs?: unknown[] }[];
  };
  assert.deepEqual(cfg.route.group_by, ['alertname', 'model_name']);
  const byName = new Map(cfg.receivers.map((r) => [r.name, r]));
  assert.equal(byName.get('slack-ml-alerts-urgent')?.slack_configs?.[0].channel, '#ml-alerts-urgent');
  assert.equal(byName.get('slack-ml-monitoring')?.slack_configs?.[0].channel, '#ml-monitoring');
  assert.equal(byName.get('pagerduty-ml-oncall')?.pagerduty_configs?.length, 1);
  assert.equal(byName.get('email-ml-team')?.email_configs?.length, 1);
});

test('no secret is in the config: every credential is a *_file under /etc/alertmanager/secrets/', () => {
  const inline = /^(api_url|slack_api_url|routing_key|service_key|auth_password|smtp_auth_password|auth_secret|smtp_auth_secret|http_config)$/;
  const files: string[] = [];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(walk);
    else if (node && typeof node === 'object') {
      for (const [k, v] of Object.entries(node)) {
        assert.doesNotMatch(k, inline, `inline credential key ${k}`);
        if (k.endsWith('_file')) files.push(String(v));
        walk(v);
      }
    }
  };
  walk(parseYaml(configText));
  assert.ok(files.length >= 4, `secret files: ${files.join(', ')}`);
  for (const f of files) assert.match(f, /^\/etc\/alertmanager\/secrets\/[\w.-]+$/);
  assert.doesNotMatch(configText, /hooks\.slack\.com|https:\/\/events\.pagerduty\.com/);
});

interface GettableAlert {
  labels: Record<string, string>;
  status: { state: string; inhibitedBy: string[] };
}

test('a real Alertmanager: critical inhibits the same model version\'s lesser alerts, nothing else', async () => {
  const am = await startAlertmanager({ configYaml: configText });
  try {
    const endsAt = new Date(Date.now() + 10 * 60_000).toISOString();
    const post = [
      { alertname: 'ModelAccuracyCritical', severity: 'critical', model_name: 'churn', model_version: 'v1' },
      { alertname: 'HighInferenceLatencyP95', severity: 'warning', model_name: 'churn', model_version: 'v1' },
      { alertname: 'ModelAccuracyDrop', severity: 'high', model_name: 'churn', model_version: 'v1' },
      { alertname: 'HighInferenceLatencyP95', severity: 'warning', model_name: 'churn', model_version: 'v2' },
      { alertname: 'HighInferenceLatencyP95', severity: 'warning', model_name: 'fraud', model_version: 'v1' },
      // Agent-wide critical without model labels must not silence other label-less alerts.
      { alertname: 'ModelwatchTargetDown', severity: 'critical', instance: 'agent-1:9464' },
      { alertname: 'ModelwatchExporterFailing', severity: 'high', instance: 'agent-2:9464', exporter: 'otlp_http' },
    ].map((labels) => ({ labels, annotations: { summary: 's' }, endsAt }));
    const res = await fetch(`${am.url}/api/v2/alerts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(post),
    });
    assert.equal(res.status, 200, await res.text());

    let alerts: GettableAlert[] = [];
    for (let i = 0; i < 50 && alerts.length < post.length; i++) {
      alerts = await getJson<GettableAlert[]>(am, '/api/v2/alerts');
      if (alerts.length < post.length) await sleep(100);
    }
    const state = (name: string, extra: Record<string, string>) => {
      const a = alerts.find((x) => x.labels.alertname === name && Object.entries(extra).every(([k, v]) => x.labels[k] === v));
      assert.ok(a, `${name} ${JSON.stringify(extra)} not found`);
      return a.status.inhibitedBy.length > 0 ? 'inhibited' : a.status.state;
    };
    assert.equal(state('HighInferenceLatencyP95', { model_name: 'churn', model_version: 'v1' }), 'inhibited');
    assert.equal(state('ModelAccuracyDrop', { model_name: 'churn', model_version: 'v1' }), 'inhibited');
    assert.equal(state('ModelAccuracyCritical', { model_name: 'churn' }), 'active');
    assert.equal(state('HighInferenceLatencyP95', { model_name: 'churn', model_version: 'v2' }), 'active');
    assert.equal(state('HighInferenceLatencyP95', { model_name: 'fraud' }), 'active');
    assert.equal(state('ModelwatchExporterFailing', {}), 'active');
  } finally {
    await am.stop();
  }
});
