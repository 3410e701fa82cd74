// A drift processor outside the agent, for unit tests: a context with a fixed clock, a metric store,
// admin routes and a temporary data directory; predictions built from feature maps.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { AdminRoutes } from '../../../src/admin/routes.js';
import type { ProcessorContext } from '../../../src/pipeline/component.js';
import type { Prediction } from '../../../src/pipeline/records.js';
import { MetricStore } from '../../../src/telemetry/metric-store.js';
import { driftConfig } from '../../../src/processors/drift/config.js';
import { DriftProcessor } from '../../../src/processors/drift/processor.js';

export interface Harness {
  processor: DriftProcessor;
  metrics: MetricStore;
  admin: AdminRoutes;
  clock: { t: number; now(): number };
  dir: string;
}

export function makeProcessor(rawConfig: unknown, opts: { dir?: string; t?: number } = {}): Harness {
  const dir = opts.dir ?? mkdtempSync(join(tmpdir(), 'drift-unit-'));
  const clock = { t: opts.t ?? Date.UTC(2025, 0, 6, 12), now() { return this.t; } };
  const metrics = new MetricStore();
  const admin = new AdminRoutes();
  const ctx: ProcessorContext = {
    id: 'drift', logger: pino({ level: 'silent' }), meter: () => { throw new Error('unused'); },
    db: undefined as never, clock, admin, dataDir: dir, metrics, storedTagValue: (_key: string, value: string) => value,
  };
  const processor = new DriftProcessor(driftConfig.parse(rawConfig), ctx);
  return { processor, metrics, admin, clock, dir };
}

let seq = 0;
export function prediction(model: string, version: string, features: Prediction['features'], extra: Partial<Prediction> = {}): Prediction {
  seq++;
  return { kind: 'prediction', id: `p${seq}`, traceId: 't', spanId: 's', startMs: 0, endMs: 1, modelName: model, modelVersion: version, features, ...extra };
}

/** The gauge values of a metric as label-string → value. */
export function gaugeValues(metrics: MetricStore, name: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const m of metrics.collect()) {
    if (m.descriptor.name !== name) continue;
    for (const p of m.dataPoints) out[Object.values(p.attributes).join('|')] = p.value as number;
  }
  return out;
}

export function csv(columns: Record<string, ArrayLike<number | string>>): string {
  const names = Object.keys(columns);
  const n = columns[names[0]].length;
  const lines = [names.join(',')];
  for (let i = 0; i < n; i++) lines.push(names.map((c) => String(columns[c][i])).join(','));
  return lines.join('\n') + '\n';
}
