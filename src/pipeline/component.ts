// The one contract every component meets: a factory with a strict config schema (defaults, docs and
// `validate` come from it) that creates a component with start() and shutdown().
import type { Meter } from '@opentelemetry/api';
import type { MetricProducer, MetricReader } from '@opentelemetry/sdk-metrics';
import type { z } from 'zod';
import type { ConfigProblem } from '../config/problems.js';
import type { Logger } from '../telemetry/logger.js';
import type { MetricStore } from '../telemetry/metric-store.js';
import type { Db } from '../storage/database.js';
import type { AdminRoutes } from '../admin/routes.js';
import type { ConsumerRecord, WireRecord } from './records.js';
import type { LabelJoins } from './labels/shared-join.js';

export type ComponentKind = 'receiver' | 'processor' | 'exporter';

export interface Clock {
  now(): number;
}
export const systemClock: Clock = { now: () => Date.now() };

export interface ComponentContext {
  /** type[/name] */
  id: string;
  logger: Logger;
  /** The agent's own telemetry (modelwatch_* metrics), on the one MeterProvider. */
  meter(): Meter;
  /** The agent's SQLite database, for components that keep tables of their own (history, pending labels). */
  db: Db;
  clock: Clock;
  admin: AdminRoutes;
  /** Directory for files a component writes (reports, archives). */
  dataDir: string;
  /**
   * How a subject's tag value is stored (hashed under the privacy section): data-subject requests
   * look rows up by the stored form.
   */
  storedTagValue: (key: string, value: string) => string | undefined;
}

export interface Component {
  start(): Promise<void>;
  /** Stops taking work and flushes what it holds. */
  shutdown(): Promise<void>;
  /** Threads of its own (the SQLite log's writer), for modelwatch_event_loop_busy_seconds_total. */
  threads?(): ThreadLoad[];
}

export interface ThreadLoad {
  thread: string;
  busySeconds: number;
}

/** Where receivers hand decoded batches: the durable queue. */
export interface IntakeSink {
  /**
   * Commits a batch before the caller answers its client. Under pressure it waits a while for room
   * (backpressure) and then refuses with a retry hint; it never drops silently.
   */
  append(records: readonly WireRecord[], items: number): Promise<AppendResult>;
  /**
   * Asked before a request is read or decoded, with its size in bytes: refuses (after holding the call
   * back a while) when the agent is over its memory limit or the queue has no room at all.
   */
  admit(requestBytes: number): Promise<Admission>;
}
/** An admitted request holds its share of the memory budget until release() (call it in finally). */
export type Admission = ({ ok: true } & { release(): void }) | Exclude<AppendResult, { ok: true }>;
export type AppendResult = { ok: true } | { ok: false; reason: 'queue_full' | 'storage_error' | 'memory_limit'; retryAfterMs: number; message: string };

export interface ReceiverContext extends ComponentContext {
  sink: IntakeSink;
  intake: IntakeTelemetry;
}

export interface IntakeTelemetry {
  accepted(protocol: string, n: number): void;
  refused(protocol: string, reason: string, n: number): void;
}

export interface ProcessorContext extends ComponentContext {
  /** Model metrics this processor owns; checkpointed with its state. */
  metrics: MetricStore;
  /** The label joins of this processor's chain, shared by its quality processors (a private one when absent). */
  labelJoins?: LabelJoins;
}

export interface Processor extends Component {
  /** Hot path: no I/O. Records come in queue order; `at` is the queue row's receive time (ms). */
  consume(batch: readonly ConsumerRecord[], at: number): void;
  /** State that reflects every record consumed so far; checkpointed with the queue position. */
  snapshot(): unknown;
  restore(state: unknown): void;
  /**
   * Optional: flush writes to the processor's own tables (ctx.db). Called inside the same transaction
   * that saves snapshot() and the queue position, so tables and state always agree after a crash.
   * Between checkpoints, keep such writes in memory (a write-behind overlay), never on the hot path.
   */
  persist?(): void;
  /**
   * Optional: the checkpoint transaction that ran persist() committed. Until then keep what persist()
   * wrote, and write it again next time: a checkpoint that fails (a full disk) rolls the writes back.
   */
  persisted?(): void;
}

export interface ExporterContext extends ComponentContext {
  /** The processors' model metrics, for metric readers. */
  modelMetrics: MetricProducer;
}

export interface Exporter extends Component {
  /** Metric exporters are readers on the one MeterProvider. */
  metricReader?: MetricReader;
  /**
   * Record exporters get every record of their pipelines through their own queue cursor. Throwing means
   * "not delivered": the same batch is offered again after a backoff. Must be idempotent.
   */
  exportRecords?(batch: readonly ConsumerRecord[]): Promise<void>;
}

interface FactoryBase<K extends ComponentKind, C> {
  kind: K;
  type: string;
  description: string;
  config: z.ZodType<C>;
  /** Checks what would fail at start (ports, files, databases), for `modelwatch validate`. */
  preflight?(config: C): Promise<Omit<ConfigProblem, 'location'>[]>;
  /**
   * What the component must have to itself (the SQLite table it writes), each with the config key that
   * names it: two components of the pipelines claiming the same one are a config error.
   */
  claims?(config: C): { key: string; what: string }[];
}

export interface ReceiverFactory<C = any> extends FactoryBase<'receiver', C> {
  create(config: C, ctx: ReceiverContext): Component;
}
export interface ProcessorFactory<C = any> extends FactoryBase<'processor', C> {
  create(config: C, ctx: ProcessorContext): Processor;
}
export interface ExporterFactory<C = any> extends FactoryBase<'exporter', C> {
  create(config: C, ctx: ExporterContext): Exporter;
}
export type Factory = ReceiverFactory | ProcessorFactory | ExporterFactory;
