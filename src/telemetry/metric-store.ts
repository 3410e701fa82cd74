// Model metrics owned by a processor: aggregated in the processor's own state (so they are checkpointed
// with the queue offset and survive restarts exactly) and handed to the OpenTelemetry SDK at collection
// time through a MetricProducer. Recording is a Map lookup and an add: no attribute objects per span.
import { ValueType, type HrTime } from '@opentelemetry/api';
import { AggregationTemporality, DataPointType, type MetricData } from '@opentelemetry/sdk-metrics';

export const OVERFLOW_ATTRIBUTE = 'otel_metric_overflow';
const OVERFLOW_KEY = '\u0000overflow';
const SEP = '\u0001';
/** The key a series is recorded under in `series`. */
const keyOf = (labels: readonly string[]) => (labels.length === 1 ? labels[0] : labels.join(SEP));

interface Series<V> {
  labels: readonly string[];
  value: V;
}

interface HistogramValue {
  /** The bucket bounds the counts were kept under. */
  boundaries?: readonly number[];
  counts: number[];
  sum: number;
  count: number;
  min: number;
  max: number;
}

export interface InstrumentOptions {
  name: string;
  help: string;
  unit?: string;
  labels: readonly string[];
  /** Series beyond this go to one overflow series (labelled otel_metric_overflow="true"). */
  maxSeries?: number;
}

abstract class Instrument<V> {
  readonly series = new Map<string, Series<V>>();
  /**
   * The same series by label values, one Map level per label, so a lookup builds no key string: a join
   * per record (the stages processor records three series per prediction) was ~6% of all the bytes the
   * agent allocated at 10k spans/s. `series` stays the record of what exists (snapshot, points, removal).
   */
  private index = new Map<string, unknown>();
  overflowed = 0;
  constructor(readonly opts: InstrumentOptions, readonly maxSeries: number) {}

  protected abstract empty(): V;

  /** The series for these label values, created on first use, or the overflow series past the cap. */
  protected at(labels: readonly string[]): Series<V> {
    const last = labels.length - 1;
    if (last < 0) return this.atKey(labels);
    let level = this.index;
    for (let i = 0; i < last; i++) {
      const next = level.get(labels[i]) as Map<string, unknown> | undefined;
      if (next === undefined) return this.atKey(labels);
      level = next;
    }
    return (level.get(labels[last]) as Series<V> | undefined) ?? this.atKey(labels);
  }

  private atKey(labels: readonly string[]): Series<V> {
    const key = keyOf(labels);
    let s = this.series.get(key);
    if (s !== undefined) return s;
    if (this.series.size >= this.maxSeries) {
      this.overflowed++;
      s = this.series.get(OVERFLOW_KEY);
      if (s === undefined) {
        s = { labels: [], value: this.empty() };
        this.series.set(OVERFLOW_KEY, s);
      }
      return s;
    }
    s = { labels: [...labels], value: this.empty() };
    this.series.set(key, s);
    this.indexSeries(s);
    return s;
  }

  private indexSeries(s: Series<V>): void {
    const last = s.labels.length - 1;
    if (last < 0) return;
    let level = this.index;
    for (let i = 0; i < last; i++) {
      let next = level.get(s.labels[i]) as Map<string, unknown> | undefined;
      if (next === undefined) level.set(s.labels[i], (next = new Map()));
      level = next;
    }
    level.set(s.labels[last], s);
  }

  /** Removes one series (not the overflow series). */
  protected removeSeries(labels: readonly string[]): void {
    if (!this.series.delete(keyOf(labels))) return;
    let level: Map<string, unknown> | undefined = this.index;
    for (let i = 0; i < labels.length - 1 && level; i++) level = level.get(labels[i]) as Map<string, unknown> | undefined;
    level?.delete(labels[labels.length - 1]);
  }

  private reindex(): void {
    this.index = new Map();
    for (const [k, s] of this.series) if (k !== OVERFLOW_KEY) this.indexSeries(s);
  }

  protected attributes(key: string, s: Series<V>): Record<string, string> {
    if (key === OVERFLOW_KEY) return { [OVERFLOW_ATTRIBUTE]: 'true' };
    const out: Record<string, string> = {};
    this.opts.labels.forEach((name, i) => {
      out[name] = s.labels[i];
    });
    return out;
  }

  snapshot(): [string, readonly string[], V][] {
    return [...this.series].map(([k, s]) => [k, s.labels, s.value]);
  }

  restore(rows: [string, readonly string[], V][]): void {
    this.series.clear();
    for (const [k, labels, value] of rows) if (this.compatible(value)) this.series.set(k, { labels, value });
    this.reindex();
  }

  /** Whether a restored value fits this instrument as configured now (a reload may change it). */
  protected compatible(_value: V): boolean {
    return true;
  }
}

export class Counter extends Instrument<number> {
  protected empty(): number {
    return 0;
  }
  add(labels: readonly string[], n = 1): void {
    this.at(labels).value += n;
  }
  points(start: HrTime, end: HrTime) {
    return [...this.series].map(([k, s]) => ({ startTime: start, endTime: end, attributes: this.attributes(k, s), value: s.value }));
  }
}

export class Gauge extends Instrument<number> {
  protected empty(): number {
    return 0;
  }
  set(labels: readonly string[], v: number): void {
    this.at(labels).value = v;
  }
  remove(labels: readonly string[]): void {
    this.removeSeries(labels);
  }
  points(start: HrTime, end: HrTime) {
    return [...this.series].map(([k, s]) => ({ startTime: start, endTime: end, attributes: this.attributes(k, s), value: s.value }));
  }
}

export class Histogram extends Instrument<HistogramValue> {
  constructor(opts: InstrumentOptions, maxSeries: number, readonly boundaries: readonly number[]) {
    super(opts, maxSeries);
  }
  protected empty(): HistogramValue {
    return { counts: new Array(this.boundaries.length + 1).fill(0), sum: 0, count: 0, min: Infinity, max: -Infinity, boundaries: this.boundaries };
  }
  /**
   * Counts kept under other bucket boundaries cannot be re-bucketed: such a series starts afresh, which
   * Prometheus reads as a counter reset.
   */
  protected override compatible(value: HistogramValue): boolean {
    const b = value.boundaries;
    return b !== undefined && b.length === this.boundaries.length && b.every((x, i) => x === this.boundaries[i]);
  }
  record(labels: readonly string[], v: number): void {
    if (!Number.isFinite(v)) return;
    const h = this.at(labels).value;
    const b = this.boundaries;
    let i = 0;
    // Prometheus buckets are upper-inclusive: le="0.1" counts v <= 0.1.
    while (i < b.length && v > b[i]) i++;
    h.counts[i]++;
    h.sum += v;
    h.count++;
    if (v < h.min) h.min = v;
    if (v > h.max) h.max = v;
  }
  points(start: HrTime, end: HrTime) {
    return [...this.series].map(([k, s]) => ({
      startTime: start,
      endTime: end,
      attributes: this.attributes(k, s),
      value: {
        buckets: { boundaries: [...this.boundaries], counts: [...s.value.counts] },
        sum: s.value.sum,
        count: s.value.count,
        min: s.value.count ? s.value.min : undefined,
        max: s.value.count ? s.value.max : undefined,
      },
    }));
  }
}

type AnyInstrument = Counter | Gauge | Histogram;

function hrTime(ms: number): HrTime {
  return [Math.floor(ms / 1000), Math.round((ms % 1000) * 1e6)];
}

/** One component's model metrics. Names are registered once; the same name returns the same instrument. */
export class MetricStore {
  private readonly instruments = new Map<string, AnyInstrument>();
  private startMs = Date.now();

  constructor(private readonly defaultMaxSeries = 2000) {}

  counter(opts: InstrumentOptions): Counter {
    return this.register(opts, () => new Counter(opts, opts.maxSeries ?? this.defaultMaxSeries));
  }
  gauge(opts: InstrumentOptions): Gauge {
    return this.register(opts, () => new Gauge(opts, opts.maxSeries ?? this.defaultMaxSeries));
  }
  histogram(opts: InstrumentOptions & { boundaries: readonly number[] }): Histogram {
    return this.register(opts, () => new Histogram(opts, opts.maxSeries ?? this.defaultMaxSeries, opts.boundaries));
  }

  private register<T extends AnyInstrument>(opts: InstrumentOptions, make: () => T): T {
    const existing = this.instruments.get(opts.name);
    if (existing) return existing as T;
    const made = make();
    this.instruments.set(opts.name, made);
    return made;
  }

  /** Series that fell into overflow, per metric name: the agent exports this as its own metric. */
  overflowCounts(): Map<string, number> {
    const out = new Map<string, number>();
    for (const [name, inst] of this.instruments) if (inst.overflowed) out.set(name, inst.overflowed);
    return out;
  }

  collect(nowMs = Date.now()): MetricData[] {
    const start = hrTime(this.startMs);
    const end = hrTime(nowMs);
    const out: MetricData[] = [];
    for (const inst of this.instruments.values()) {
      if (inst.series.size === 0) continue;
      const descriptor = { name: inst.opts.name, description: inst.opts.help, unit: inst.opts.unit ?? '', valueType: ValueType.DOUBLE };
      if (inst instanceof Counter) {
        out.push({ descriptor, aggregationTemporality: AggregationTemporality.CUMULATIVE, dataPointType: DataPointType.SUM, isMonotonic: true, dataPoints: inst.points(start, end) });
      } else if (inst instanceof Gauge) {
        out.push({ descriptor, aggregationTemporality: AggregationTemporality.CUMULATIVE, dataPointType: DataPointType.GAUGE, dataPoints: inst.points(start, end) });
      } else {
        out.push({ descriptor, aggregationTemporality: AggregationTemporality.CUMULATIVE, dataPointType: DataPointType.HISTOGRAM, dataPoints: inst.points(start, end) });
      }
    }
    return out;
  }

  snapshot(): unknown {
    const instruments: Record<string, unknown> = {};
    for (const [name, inst] of this.instruments) instruments[name] = inst.snapshot();
    return { startMs: this.startMs, instruments };
  }

  /** Restores series of instruments registered so far (register instruments before restoring). */
  restore(state: unknown): void {
    const s = state as { startMs: number; instruments: Record<string, [string, string[], never][]> } | undefined;
    if (!s) return;
    this.startMs = s.startMs;
    for (const [name, rows] of Object.entries(s.instruments)) this.instruments.get(name)?.restore(rows);
  }
}
