// Configs of the end-to-end stack, generated from the shipped files so the test exercises them and not
// a copy that could drift: the rules with shorter `for:` and range windows, Alertmanager with every
// integration replaced by a local webhook, Prometheus scraping the agent every second, and the agent's
// full pipeline with small windows.
import { readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import type { AgentPorts } from '../helpers/agent.js';
import { SHIPPED_ALERTMANAGER_CONFIG, SHIPPED_RULE_FILES } from '../helpers/prom-tools.js';

/** Every `for:` becomes this (the shipped 5m, 10m, 15m and 1h would make the test last hours). */
export const SHORT_FOR = '5s';
/** Range windows of the shipped rules and what they become. */
export const SHORT_RANGES: Readonly<Record<string, string>> = { '5m': '20s', '1h': '1m' };
/** Ranges left as they are: they only look back further than the test lasts, which is harmless. */
const KEPT_RANGES = new Set(['1d']);

interface RuleFile {
  groups: { name: string; rules: { alert?: string; record?: string; expr: string; for?: string; labels?: Record<string, string> }[] }[];
}

/**
 * Writes shortened copies of the shipped rule files into `dir` and returns their paths (load order
 * kept). Throws on a range window it has no mapping for, so a new window in the shipped rules is a
 * visible decision here rather than a silently slow alert.
 */
export function writeShortenedRules(dir: string): string[] {
  return SHIPPED_RULE_FILES.map((file) => {
    const doc = parseYaml(readFileSync(file, 'utf8')) as RuleFile;
    for (const rule of doc.groups.flatMap((g) => g.rules)) {
      if (rule.for !== undefined) rule.for = SHORT_FOR;
      rule.expr = rule.expr.replace(/\[(\w+)\]/g, (whole, range: string) => {
        if (SHORT_RANGES[range]) return `[${SHORT_RANGES[range]}]`;
        if (KEPT_RANGES.has(range)) return whole;
        throw new Error(`${basename(file)}: no short form for the range [${range}] in ${rule.alert ?? rule.record}`);
      });
    }
    const out = join(dir, basename(file));
    writeFileSync(out, stringifyYaml(doc, { lineWidth: 0 }));
    return out;
  });
}

/** Severity of every alert in the shipped rules, by alert name. */
export function shippedSeverities(): Map<string, string> {
  const out = new Map<string, string>();
  for (const file of SHIPPED_RULE_FILES) {
    const doc = parseYaml(readFileSync(file, 'utf8')) as RuleFile;
    for (const rule of doc.groups.flatMap((g) => g.rules)) if (rule.alert) out.set(rule.alert, rule.labels?.severity ?? '');
  }
  return out;
}

interface Route {
  receiver?: string;
  group_wait?: string;
  group_interval?: string;
  routes?: Route[];
}

/**
 * The shipped alertmanager.yml with routing tree and inhibition untouched, except: each receiver's
 * integrations are replaced by one webhook to `${hookBase}/hook/<receiver name>`, and the grouping
 * waits are shortened (30s / 5m would dominate the test's time).
 */
export function alertmanagerConfig(hookBase: string): { yaml: string; receivers: string[] } {
  const cfg = parseYaml(readFileSync(SHIPPED_ALERTMANAGER_CONFIG, 'utf8')) as { route: Route; receivers: { name: string }[] };
  const receivers = cfg.receivers.map((r) => r.name);
  cfg.receivers = receivers.map((name) => ({ name, webhook_configs: [{ url: `${hookBase}/hook/${name}`, send_resolved: false }] }));
  const shorten = (r: Route) => {
    if (r.group_wait !== undefined) r.group_wait = '1s';
    if (r.group_interval !== undefined) r.group_interval = '2s';
    r.routes?.forEach(shorten);
  };
  cfg.route.group_wait = '1s';
  cfg.route.group_interval = '2s';
  shorten(cfg.route);
  return { yaml: stringifyYaml(cfg, { lineWidth: 0 }), receivers };
}

/** Prometheus: scrape the agent every second as job `modelwatch`, evaluate every second, alert to `alertmanagerPort`. */
export function prometheusConfig(agentMetricsPort: number, alertmanagerPort: number): string {
  return stringifyYaml({
    global: { scrape_interval: '1s', scrape_timeout: '1s', evaluation_interval: '1s' },
    alerting: { alertmanagers: [{ static_configs: [{ targets: [`127.0.0.1:${alertmanagerPort}`] }] }] },
    scrape_configs: [{ job_name: 'modelwatch', static_configs: [{ targets: [`127.0.0.1:${agentMetricsPort}`] }] }],
  });
}

export interface AgentSettings {
  referenceCsv: string;
  baselineAccuracy: number;
  /** Size of the quality window and of the concept-drift window (labels). */
  window: number;
  /** Port where nothing listens: the PostgreSQL copy of the prediction log is down for the whole test. */
  deadPostgresPort: number;
}

/** The full default pipeline (config/modelwatch.yaml's shape) on test ports, with small windows. */
export function agentConfig(s: AgentSettings): (ports: AgentPorts, dir: string) => string {
  return (ports, dir) => `receivers:
  otlp:
    protocols:
      grpc: { endpoint: 127.0.0.1:${ports.grpc} }
      http: { endpoint: 127.0.0.1:${ports.http} }
processors:
  stages: {}
  window: { size: ${s.window}, min_samples: 20, update_interval: 5s }
  concept_drift: { baseline_accuracy: ${s.baselineAccuracy}, window: ${s.window}, min_samples: 20 }
  drift:
    reference: { path: ${s.referenceCsv} }
    current: { window: 7d, sub_window: 1h }
    schedule: null
    drift_share: 0.5
    min_samples: 100
exporters:
  prometheus: { endpoint: 127.0.0.1:${ports.prometheus} }
  prediction_log/local: { driver: sqlite, path: ${join(dir, 'predictions.db')} }
  prediction_log/pg: { driver: postgres, url: "postgres://modelwatch@127.0.0.1:${s.deadPostgresPort}/modelwatch", connect_timeout: 1s }
storage: { path: ${join(dir, 'modelwatch.db')}, max_bytes: 256MiB, sync: normal, checkpoint_interval: 1s }
# Far above what the test needs; set so the dashboard's memory panel has its limit line to show.
limits: { memory: 4GiB }
admin: { endpoint: 127.0.0.1:${ports.admin} }
service:
  pipelines:
    predictions:
      receivers: [otlp]
      processors: [stages, window, concept_drift, drift]
      exporters: [prometheus, prediction_log/local, prediction_log/pg]
`;
}
