// Hands the processors' model metrics to the OpenTelemetry SDK readers (Prometheus pull, OTLP push).
// Several stores may export the same metric (two pipelines with a `stages` processor each): points with
// the same attributes are merged, summed for counters and histograms, so no reader sees a duplicate series.
import { resourceFromAttributes } from '@opentelemetry/resources';
import { DataPointType, type CollectionResult, type MetricData, type MetricProducer } from '@opentelemetry/sdk-metrics';
import type { MetricStore } from './metric-store.js';

type Point = MetricData['dataPoints'][number];

function attrKey(p: Point): string {
  return JSON.stringify(Object.entries(p.attributes).sort(([a], [b]) => (a < b ? -1 : 1)));
}

function mergePoint(kind: DataPointType, a: Point, b: Point): Point {
  if (kind === DataPointType.SUM) return { ...a, value: (a.value as number) + (b.value as number) } as Point;
  if (kind === DataPointType.HISTOGRAM) {
    const x = a.value as { buckets: { boundaries: number[]; counts: number[] }; sum: number; count: number; min?: number; max?: number };
    const y = b.value as typeof x;
    return {
      ...a,
      value: {
        buckets: { boundaries: x.buckets.boundaries, counts: x.buckets.counts.map((c, i) => c + (y.buckets.counts[i] ?? 0)) },
        sum: x.sum + y.sum,
        count: x.count + y.count,
        min: Math.min(x.min ?? Infinity, y.min ?? Infinity),
        max: Math.max(x.max ?? -Infinity, y.max ?? -Infinity),
      },
    } as Point;
  }
  return b;
}

export function mergeMetrics(lists: MetricData[][]): MetricData[] {
  const byName = new Map<string, { metric: MetricData; points: Map<string, Point> }>();
  for (const list of lists) {
    for (const m of list) {
      let entry = byName.get(m.descriptor.name);
      if (!entry) {
        entry = { metric: m, points: new Map() };
        byName.set(m.descriptor.name, entry);
      }
      for (const p of m.dataPoints as Point[]) {
        const k = attrKey(p);
        const prev = entry.points.get(k);
        entry.points.set(k, prev ? mergePoint(m.dataPointType, prev, p) : p);
      }
    }
  }
  return [...byName.values()].map(({ metric, points }) => ({ ...metric, dataPoints: [...points.values()] }) as MetricData);
}

export class ModelMetricsProducer implements MetricProducer {
  private readonly stores = new Set<MetricStore>();
  private readonly resource = resourceFromAttributes({});

  add(store: MetricStore): void {
    this.stores.add(store);
  }

  async collect(): Promise<CollectionResult> {
    const metrics = mergeMetrics([...this.stores].map((s) => s.collect()));
    return {
      resourceMetrics: { resource: this.resource, scopeMetrics: [{ scope: { name: 'modelwatch.models' }, metrics }] },
      errors: [],
    };
  }
}
