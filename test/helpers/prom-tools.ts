// Locates and runs the Prometheus tool binaries (promtool, amtool, prometheus, alertmanager) for tests,
// and starts real Prometheus / Alertmanager servers on loopback with throw-away data directories.
// A missing binary is an error, never a skip: CI installs Debian's `prometheus` and
// `prometheus-alertmanager` packages.
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { accessSync, constants, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { freePort } from './ports.js';
import { REPO_ROOT } from './paths.js';

export { REPO_ROOT };
export const ALERTS_DIR = join(REPO_ROOT, 'alerts');
/** The shipped rule files, in load order (alerts read recorded series). */
export const SHIPPED_RULE_FILES = [
  join(ALERTS_DIR, 'ml_model_recording.yml'),
  join(ALERTS_DIR, 'ml_model_alerts.yml'),
];
export const SHIPPED_ALERTMANAGER_CONFIG = join(ALERTS_DIR, 'alertmanager.yml');

export type PromToolName = 'promtool' | 'amtool' | 'prometheus' | 'alertmanager';

// Environment override first, then the names Debian and upstream use.
const CANDIDATES: Record<PromToolName, { env: string; names: string[] }> = {
  promtool: { env: 'PROMTOOL', names: ['promtool'] },
  amtool: { env: 'AMTOOL', names: ['amtool'] },
  prometheus: { env: 'PROMETHEUS', names: ['prometheus'] },
  alertmanager: { env: 'ALERTMANAGER', names: ['prometheus-alertmanager', 'alertmanager'] },
};

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Absolute path of a tool; throws (with how to install it) when it is not found. */
export function findTool(tool: PromToolName): string {
  const { env, names } = CANDIDATES[tool];
  const override = process.env[env];
  if (override) {
    if (isExecutable(override)) return override;
    throw new Error(`${env}=${override} is not an executable file`);
  }
  const dirs = (process.env.PATH ?? '').split(delimiter).filter(Boolean);
  for (const name of names) {
    for (const dir of dirs) {
      const path = join(dir, name);
      if (isExecutable(path)) return path;
    }
  }
  throw new Error(
    `${tool} not found on PATH (looked for ${names.join(', ')}; or set ${env}). ` +
      'Install it: apt-get install prometheus prometheus-alertmanager',
  );
}

export interface ToolResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a tool to completion; never throws on a non-zero exit (the result says it). */
export function runTool(
  tool: PromToolName,
  args: readonly string[],
  opts: { cwd?: string; timeoutMs?: number } = {},
): Promise<ToolResult> {
  const bin = findTool(tool);
  return new Promise((resolvePromise, reject) => {
    execFile(
      bin,
      args,
      { cwd: opts.cwd ?? REPO_ROOT, timeout: opts.timeoutMs ?? 60_000, maxBuffer: 16 * 1024 * 1024 },
      (err, stdout, stderr) => {
        if (err && typeof err.code !== 'number') {
          reject(new Error(`${tool} ${args.join(' ')}: ${err.message}`));
          return;
        }
        resolvePromise({ code: err ? (err.code as number) : 0, stdout, stderr });
      },
    );
  });
}

export interface RunningServer {
  /** Base URL, e.g. http://127.0.0.1:40123 */
  url: string;
  port: number;
  /** The temporary directory holding config and data; removed by stop(). */
  dir: string;
  /** Everything the process wrote to stdout and stderr so far. */
  logs(): string;
  /** SIGTERM, then SIGKILL after 5 s; removes the data directory. */
  stop(): Promise<void>;
}

// Children still running when the test process exits are killed, so a failed test leaves nothing behind.
const live = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

async function waitReady(url: string, child: ChildProcess, logs: () => string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`exited (${child.exitCode ?? child.signalCode}) before ready:\n${logs()}`);
    }
    try {
      const res = await fetch(`${url}/-/ready`, { signal: AbortSignal.timeout(1000) });
      await res.arrayBuffer();
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await sleep(100);
  }
  throw new Error(`not ready within ${timeoutMs} ms:\n${logs()}`);
}

function stopChild(child: ChildProcess, dir: string): () => Promise<void> {
  return async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise<void>((r) => child.once('exit', () => r()));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    }
    live.delete(child);
    rmSync(dir, { recursive: true, force: true });
  };
}

/**
 * Starts `args(port)` on a free loopback port and waits for /-/ready. A port found free can be taken
 * before the server binds it: on an early exit, try again with another port.
 */
async function startServer(
  tool: PromToolName,
  dir: string,
  args: (port: number) => string[],
  fixedPort: number | undefined,
): Promise<RunningServer> {
  const bin = findTool(tool);
  let lastError: unknown;
  for (let attempt = 0; attempt < (fixedPort ? 1 : 3); attempt++) {
    const port = fixedPort ?? (await freePort());
    const url = `http://127.0.0.1:${port}`;
    const child = spawn(bin, args(port), { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    live.add(child);
    let output = '';
    child.stdout?.on('data', (b: Buffer) => (output += b.toString()));
    child.stderr?.on('data', (b: Buffer) => (output += b.toString()));
    const logs = () => output;
    try {
      await waitReady(url, child, logs, 30_000);
      return { url, port, dir, logs, stop: stopChild(child, dir) };
    } catch (err) {
      lastError = err;
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGKILL');
        await new Promise((r) => child.once('exit', r));
      }
      live.delete(child);
    }
  }
  rmSync(dir, { recursive: true, force: true });
  throw new Error(`${tool}: ${lastError instanceof Error ? lastError.message : String(lastError)}`);
}

export interface PrometheusOptions {
  /** prometheus.yml text (global, scrape_configs, alerting...). */
  configYaml: string;
  /** Absolute rule file paths, appended to the config's rule_files. */
  rulesFiles?: readonly string[];
  port?: number;
}

/** A real Prometheus on 127.0.0.1 with a temporary TSDB; resolves once /-/ready answers. */
export async function startPrometheus(opts: PrometheusOptions): Promise<RunningServer> {
  const dir = mkdtempSync(join(tmpdir(), 'modelwatch-prometheus-'));
  const config = (parseYaml(opts.configYaml) ?? {}) as Record<string, unknown>;
  const ruleFiles = [...((config.rule_files as string[] | undefined) ?? []), ...(opts.rulesFiles ?? [])];
  if (ruleFiles.length > 0) config.rule_files = ruleFiles;
  const configFile = join(dir, 'prometheus.yml');
  writeFileSync(configFile, stringifyYaml(config));
  return startServer(
    'prometheus',
    dir,
    (port) => [
      `--config.file=${configFile}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--web.enable-lifecycle',
      '--log.level=warn',
    ],
    opts.port,
  );
}

export interface AlertmanagerOptions {
  /** alertmanager.yml text. */
  configYaml: string;
  port?: number;
}

/** A real Alertmanager on 127.0.0.1, clustering off, temporary storage; resolves once ready. */
export async function startAlertmanager(opts: AlertmanagerOptions): Promise<RunningServer> {
  const dir = mkdtempSync(join(tmpdir(), 'modelwatch-alertmanager-'));
  const configFile = join(dir, 'alertmanager.yml');
  writeFileSync(configFile, opts.configYaml);
  return startServer(
    'alertmanager',
    dir,
    (port) => [
      `--config.file=${configFile}`,
      `--storage.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      // An empty address disables the gossip cluster (it would listen on 0.0.0.0:9094).
      '--cluster.listen-address=',
      '--log.level=warn',
    ],
    opts.port,
  );
}

/** GET a JSON API path of a running server. */
export async function getJson<T = unknown>(server: { url: string }, path: string): Promise<T> {
  const res = await fetch(`${server.url}${path}`, { signal: AbortSignal.timeout(10_000) });
  if (!res.ok) throw new Error(`GET ${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}
