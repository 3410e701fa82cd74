// The quality tests' agent config, and readers of its admin API.
import { join } from 'node:path';
import { startAgent, type AgentHandle, type AgentPorts } from '../../helpers/agent.js';

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

/** The real agent (the CLI) on a quality config. */
export async function startQualityAgent(opts: { dir?: string; ports?: AgentPorts; config?: (ports: AgentPorts, dir: string) => string } = {}): Promise<AgentHandle> {
  return startAgent({ dir: opts.dir, ports: opts.ports, config: opts.config ?? qualityConfig, env: { MODELWATCH_LOG_LEVEL: process.env.MODELWATCH_LOG_LEVEL ?? 'warn' } });
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
