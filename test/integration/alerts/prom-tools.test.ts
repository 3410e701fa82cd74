// The helpers that start real Prometheus and Alertmanager servers: readiness, loopback only, the
// shipped rules load in a real Prometheus, and stop() ends the process and removes its data.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import {
  SHIPPED_ALERTMANAGER_CONFIG,
  SHIPPED_RULE_FILES,
  findTool,
  getJson,
  startAlertmanager,
  startPrometheus,
} from '../../helpers/prom-tools.js';

interface RulesResponse {
  status: string;
  data: { groups: { name: string; file: string; rules: { name: string; type: string; health: string }[] }[] };
}

function shippedRuleNames(): { alerts: string[]; records: string[] } {
  const alerts: string[] = [];
  const records: string[] = [];
  for (const file of SHIPPED_RULE_FILES) {
    const doc = parseYaml(readFileSync(file, 'utf8')) as { groups: { rules: { alert?: string; record?: string }[] }[] };
    for (const g of doc.groups) for (const r of g.rules) (r.alert ? alerts : records).push((r.alert ?? r.record)!);
  }
  return { alerts, records };
}

test('every tool is found (a missing binary fails, it does not skip)', () => {
  for (const tool of ['promtool', 'amtool', 'prometheus', 'alertmanager'] as const) {
    assert.ok(findTool(tool).startsWith('/'), tool);
  }
});

test('findTool names the package to install when a binary is missing', () => {
  const saved = process.env.PATH;
  process.env.PATH = '/nonexistent';
  try {
    assert.throws(() => findTool('promtool'), /promtool not found.*apt-get install prometheus/);
  } finally {
    process.env.PATH = saved;
  }
});

test('startPrometheus: ready on loopback, loads the shipped rules, stop() cleans up', async () => {
  const prom = await startPrometheus({
    configYaml: 'global:\n  scrape_interval: 15s\n  evaluation_interval: 15s\n',
    rulesFiles: SHIPPED_RULE_FILES,
  });
  try {
    assert.match(prom.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    const ready = await fetch(`${prom.url}/-/ready`);
    assert.equal(ready.status, 200);
    await ready.arrayBuffer();

    const rules = await getJson<RulesResponse>(prom, '/api/v1/rules');
    assert.equal(rules.status, 'success');
    const loaded = rules.data.groups.flatMap((g) => g.rules);
    const { alerts, records } = shippedRuleNames();
    assert.deepEqual(
      loaded.filter((r) => r.type === 'alerting').map((r) => r.name).sort(),
      [...alerts].sort(),
    );
    assert.deepEqual(
      loaded.filter((r) => r.type === 'recording').map((r) => r.name).sort(),
      [...records].sort(),
    );
    assert.ok(alerts.length >= 15, `found ${alerts.length} alerts`);
  } finally {
    await prom.stop();
  }
  assert.equal(existsSync(prom.dir), false, 'data directory removed');
  await assert.rejects(fetch(`${prom.url}/-/ready`), 'process stopped');
});

test('startAlertmanager: ready with the shipped config, clustering off, stop() cleans up', async () => {
  const am = await startAlertmanager({ configYaml: readFileSync(SHIPPED_ALERTMANAGER_CONFIG, 'utf8') });
  try {
    const status = await getJson<{ cluster: { status: string }; config: { original: string } }>(am, '/api/v2/status');
    assert.equal(status.cluster.status, 'disabled');
    assert.match(status.config.original, /pagerduty-ml-oncall/);
  } finally {
    await am.stop();
  }
  assert.equal(existsSync(am.dir), false);
  await assert.rejects(fetch(`${am.url}/-/ready`));
});
