// Starts the real agent (the built CLI) as a child process on free loopback ports, for integration tests.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from './ports.js';
import { AGENT_NODE_FLAGS } from '../../src/pipeline/heap-tuning.js';

/** The built CLI (tests run compiled from dist/ under npm test). */
export const CLI = resolve(import.meta.dirname, '../../src/cli/main.js');

/**
 * The command line that runs the CLI: the built file, or, when this helper itself runs from source
 * (node --import tsx --test test/...), the TypeScript entry through the same loader.
 */
export function cliArgs(): string[] {
  // With node's flags as the modelwatch command passes them: the tests and the bench run what users run.
  if (!import.meta.url.endsWith('.ts')) return [...AGENT_NODE_FLAGS, CLI];
  return [...AGENT_NODE_FLAGS, '--import', resolve(import.meta.dirname, '../../node_modules/tsx/dist/loader.mjs'), resolve(import.meta.dirname, '../../src/cli/main.ts')];
}

export interface AgentPorts {
  grpc: number;
  http: number;
  prometheus: number;
  admin: number;
}

export interface AgentHandle {
  ports: AgentPorts;
  dir: string;
  configFile: string;
  proc: ChildProcess;
  logs(): string;
  metricsText(): Promise<string>;
  /** SIGTERM and wait for exit; returns the exit code. */
  stop(): Promise<number | null>;
  /** SIGKILL: no drain, no checkpoint. */
  kill9(): Promise<void>;
}

export async function allocatePorts(): Promise<AgentPorts> {
  return { grpc: await freePort(), http: await freePort(), prometheus: await freePort(), admin: await freePort() };
}

/** The embedded default shape, on test ports; `extra` is YAML appended to override or add. */
export function agentConfig(ports: AgentPorts, dir: string, body?: string): string {
  return (
    body ??
    `receivers:
  otlp:
    protocols:
      grpc: { endpoint: 127.0.0.1:${ports.grpc} }
      http: { endpoint: 127.0.0.1:${ports.http} }
processors:
  stages: {}
exporters:
  prometheus: { endpoint: 127.0.0.1:${ports.prometheus} }
storage:
  path: ${join(dir, 'modelwatch.db')}
  sync: normal
  checkpoint_interval: 100ms
admin: { endpoint: 127.0.0.1:${ports.admin} }
service:
  pipelines:
    predictions:
      receivers: [otlp]
      processors: [stages]
      exporters: [prometheus]
`
  );
}

/**
 * One pipeline on test ports: the OTLP receiver (HTTP, and gRPC unless `grpc: false`), the given
 * processors and exporters (id -> YAML flow map), and `storage` (a YAML flow map). Only what differs
 * between tests is written in the test.
 */
export function pipelineConfig(
  ports: AgentPorts,
  opts: { storage: string; exporters: Record<string, string>; processors?: Record<string, string>; grpc?: boolean },
): string {
  const processors = opts.processors ?? {};
  const section = (entries: Record<string, string>) => Object.entries(entries).map(([id, cfg]) => `  ${id}: ${cfg}\n`).join('');
  return `receivers:
  otlp:
    protocols:
${opts.grpc === false ? '' : `      grpc: { endpoint: 127.0.0.1:${ports.grpc} }\n`}      http: { endpoint: 127.0.0.1:${ports.http} }
${Object.keys(processors).length > 0 ? `processors:\n${section(processors)}` : ''}exporters:
${section(opts.exporters)}storage: ${opts.storage}
admin: { endpoint: 127.0.0.1:${ports.admin} }
service:
  pipelines:
    predictions:
      receivers: [otlp]
${Object.keys(processors).length > 0 ? `      processors: [${Object.keys(processors).join(', ')}]\n` : ''}      exporters: [${Object.keys(opts.exporters).join(', ')}]
`;
}

export async function startAgent(
  opts: {
    dir?: string;
    ports?: AgentPorts;
    config?: (ports: AgentPorts, dir: string) => string;
    env?: Record<string, string>;
    /** How to tell the agent is up (default: GET http://127.0.0.1:<admin>/healthz). */
    healthz?: (ports: AgentPorts) => Promise<boolean>;
  } = {},
): Promise<AgentHandle> {
  // A port found free can be taken by another process before the agent binds it: with ports of its
  // own choosing, try again on fresh ones when that is why the agent exited.
  for (let attempt = 1; ; attempt++) {
    try {
      return await startAgentOnce(opts);
    } catch (err) {
      if (opts.ports || attempt >= 3 || !(err instanceof Error) || !err.message.includes('EADDRINUSE')) throw err;
    }
  }
}

async function startAgentOnce(opts: Parameters<typeof startAgent>[0] = {}): Promise<AgentHandle> {
  const dir = opts.dir ?? mkdtempSync(join(tmpdir(), 'modelwatch-test-'));
  const ports = opts.ports ?? (await allocatePorts());
  const configFile = join(dir, 'config.yaml');
  writeFileSync(configFile, (opts.config ?? agentConfig)(ports, dir));
  const proc = spawn(process.execPath, [...cliArgs(), 'run', '--config', configFile], { cwd: dir, env: { ...process.env, ...opts.env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  proc.stdout!.on('data', (d) => (output += d));
  proc.stderr!.on('data', (d) => (output += d));
  const exited = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)));
  const handle: AgentHandle = {
    ports,
    dir,
    configFile,
    proc,
    logs: () => output,
    metricsText: async () => (await fetch(`http://127.0.0.1:${ports.prometheus}/metrics`)).text(),
    stop: async () => {
      if (proc.exitCode === null) proc.kill('SIGTERM');
      return exited;
    },
    kill9: async () => {
      if (proc.exitCode === null) proc.kill('SIGKILL');
      await exited;
    },
  };
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`agent exited with ${proc.exitCode} before it was healthy:\n${output}`);
    try {
      if (opts.healthz ? await opts.healthz(ports) : (await fetch(`http://127.0.0.1:${ports.admin}/healthz`)).ok) break;
    } catch {
      /* not up yet */
    }
    if (Date.now() > deadline) {
      await handle.kill9();
      throw new Error(`agent not healthy within 20 s:\n${output}`);
    }
    await sleep(50);
  }
  return handle;
}

/** Polls until `check` returns a value other than undefined, or fails with the last state. */
export async function eventually<T>(check: () => Promise<T | undefined>, what: string, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await sleep(100);
  }
}
