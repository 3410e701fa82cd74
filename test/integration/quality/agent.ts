// Starts the real agent as a child process (as test/helpers/agent.ts does) through agent-main.ts, with
// the quality components registered, and reads its admin API.
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { allocatePorts, type AgentHandle, type AgentPorts } from '../../helpers/agent.js';

const ROOT = resolve(import.meta.dirname, '../../..');
const MAIN = resolve(import.meta.dirname, 'agent-main.js');

/** Under tsx (node --import tsx) the child needs the loader too; compiled (dist/) it does not. */
function loaderArgs(): string[] {
  return MAIN.includes('/dist/') ? [] : ['--import', resolve(ROOT, 'node_modules/tsx/dist/loader.mjs')];
}

export function qualityConfig(ports: AgentPorts, dir: string, opts: { processors?: string; receivers?: string; pipelineReceivers?: string[]; checkpoint?: string } = {}): string {
  return `receivers:
  otlp:
    protocols:
      grpc: { endpoint: 127.0.0.1:${ports.grpc} }
      http: { endpoint: 127.0.0.1:${ports.http} }
${opts.receivers ?? ''}
processors:
${opts.processors ?? '  window: { size: 40, min_samples: 10 }\n  concept_drift: { baseline_samples: 50, min_samples: 10, window: 40 }'}
exporters:
  prometheus: { endpoint: 127.0.0.1:${ports.prometheus} }
storage:
  path: ${join(dir, 'modelwatch.db')}
  sync: normal
  checkpoint_interval: ${opts.checkpoint ?? '100ms'}
admin: { endpoint: 127.0.0.1:${ports.admin} }
service:
  pipelines:
    predictions:
      receivers: [${['otlp', ...(opts.pipelineReceivers ?? [])].join(', ')}]
      processors: [window, concept_drift]
      exporters: [prometheus]
`;
}

export async function startQualityAgent(opts: { dir?: string; ports?: AgentPorts; config?: (ports: AgentPorts, dir: string) => string } = {}): Promise<AgentHandle> {
  const dir = opts.dir ?? mkdtempSync(join(tmpdir(), 'modelwatch-quality-'));
  const ports = opts.ports ?? (await allocatePorts());
  const configFile = join(dir, 'config.yaml');
  writeFileSync(configFile, (opts.config ?? qualityConfig)(ports, dir));
  const proc = spawn(process.execPath, [...loaderArgs(), MAIN, configFile], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
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
      if ((await fetch(`http://127.0.0.1:${ports.admin}/healthz`)).ok) break;
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

export async function history(agent: AgentHandle, model: string): Promise<{ model: string; versions: Record<string, { day: string; count: number; accuracy: number | null; precision: number | null; recall: number | null; f1: number | null }[]> }> {
  const res = await fetch(`http://127.0.0.1:${agent.ports.admin}/api/v1/models/${encodeURIComponent(model)}/history`);
  if (!res.ok) throw new Error(`history: HTTP ${res.status}`);
  return res.json() as never;
}

export async function runConceptDrift(agent: AgentHandle, model?: string): Promise<{ status: number; body: any }> {
  const q = model ? `?model=${encodeURIComponent(model)}` : '';
  const res = await fetch(`http://127.0.0.1:${agent.ports.admin}/api/v1/concept-drift/run${q}`, { method: 'POST' });
  return { status: res.status, body: await res.json() };
}
