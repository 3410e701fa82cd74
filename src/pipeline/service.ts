// Builds the running agent from a resolved config: storage, exporters (first, so metric readers exist
// before the MeterProvider), processors, queue consumers, receivers; starts them in that order and stops
// them in reverse, so nothing is accepted that cannot be committed and nothing committed is left unread.
import type { Meter } from '@opentelemetry/api';
import { MeterProvider, type MetricReader } from '@opentelemetry/sdk-metrics';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { dirname } from 'node:path';
import { AdminRoutes, sendJson } from '../admin/routes.js';
import { AdminServer } from '../admin/server.js';
import { componentKey, type ResolvedComponent, type ResolvedConfig } from '../config/resolve.js';
import { parseEndpoint } from '../config/units.js';
import { Checkpoints } from '../storage/checkpoints.js';
import { openDatabase, type Db } from '../storage/database.js';
import { Queue } from '../storage/queue.js';
import { WalCheckpointer } from '../storage/wal-checkpointer.js';
import { AgentMetrics } from '../telemetry/agent-metrics.js';
import { ProcessMetrics } from '../telemetry/process-metrics.js';
import type { Logger } from '../telemetry/logger.js';
import { MetricStore } from '../telemetry/metric-store.js';
import { ModelMetricsProducer } from '../telemetry/producer.js';
import { type Clock, type Component, type ComponentContext, type Exporter, type ExporterFactory, type Processor, type ProcessorFactory, type ReceiverFactory, systemClock } from './component.js';
import { QueueConsumer, type ConsumerOptions } from './consumer.js';
import { RootsJournal } from './roots-journal.js';
import { LabelJoins } from './labels/shared-join.js';
import { QueueIntake } from './intake.js';
import { bearerCheck, readToken } from '../security/auth.js';
import { loadTls } from '../security/tls.js';
import { createPrivacyTransform, createTagLookup } from '../privacy/transform.js';

export interface ServiceOptions {
  config: ResolvedConfig;
  logger: Logger;
  clock?: Clock;
  version?: string;
  /**
   * Checks the config files again and, when they are valid, restarts the agent on them (the admin
   * reload endpoint and SIGHUP). Returns the problems when the new config is refused.
   */
  reload?: () => Promise<{ ok: true } | { ok: false; problems: string[] }>;
}

const ASSEMBLER = { ttlMs: 30_000, maxEntries: 50_000 };
const DRAIN_MS = 5_000;

export class Service {
  private db?: Db;
  private queue?: Queue;
  private checkpoints?: Checkpoints;
  private meterProvider?: MeterProvider;
  private agentMetrics?: AgentMetrics;
  private processMetrics?: ProcessMetrics;
  private readonly routes = new AdminRoutes();
  private admin?: AdminServer;
  private readonly exporters = new Map<string, Exporter>();
  private readonly processors: { id: string; processor: Processor }[] = [];
  private readonly receivers = new Map<string, Component>();
  private readonly consumers: QueueConsumer[] = [];
  private readonly stores: MetricStore[] = [];
  private trimTimer?: NodeJS.Timeout;
  private walCheckpointer?: WalCheckpointer;
  private trimFailing = false;
  private started = false;

  constructor(private readonly opts: ServiceOptions) {}

  get adminPort(): number | undefined {
    return this.admin?.port;
  }

  async start(): Promise<void> {
    const { config, logger } = this.opts;
    const clock = this.opts.clock ?? systemClock;
    this.db = openDatabase(config.storage.path, { sync: config.storage.sync });
    const db = this.db;
    this.walCheckpointer = WalCheckpointer.start(db, config.storage.sync, logger);
    this.queue = new Queue(db, config.storage.max_bytes);
    this.checkpoints = new Checkpoints(db);
    const queue = this.queue;
    const checkpoints = this.checkpoints;
    const pipelines = Object.entries(config.service.pipelines);
    const component = (kind: 'receiver' | 'processor' | 'exporter', id: string): ResolvedComponent =>
      config.components.get(componentKey(kind, id))!;

    // Privacy first: keys are read now, so a missing key fails the start, not the first request.
    const privacy = config.privacy ? createPrivacyTransform(config.privacy) : undefined;
    const storedTagValue = config.privacy ? createTagLookup(config.privacy) : (_key: string, value: string) => value;

    let meter: Meter | undefined;
    const baseCtx = (id: string): ComponentContext => ({
      id,
      logger: logger.child({ component: id }),
      meter: () => meter!,
      db,
      clock,
      admin: this.routes,
      dataDir: dirname(config.storage.path),
      storedTagValue,
    });

    // Exporters first: their metric readers must exist before the MeterProvider.
    const modelMetrics = new ModelMetricsProducer();
    const readers: MetricReader[] = [];
    for (const [, p] of pipelines) {
      for (const id of p.exporters) {
        if (this.exporters.has(id)) continue;
        const c = component('exporter', id);
        const exporter = (c.factory as ExporterFactory).create(c.config, { ...baseCtx(id), modelMetrics });
        this.exporters.set(id, exporter);
        if (exporter.metricReader) readers.push(exporter.metricReader);
      }
    }
    this.meterProvider = new MeterProvider({
      resource: resourceFromAttributes({ 'service.name': 'modelwatch', 'service.version': this.opts.version ?? 'dev' }),
      readers,
    });
    meter = this.meterProvider.getMeter('modelwatch');
    const agentMetrics = new AgentMetrics(meter, queue, {
      orphanStages: () => this.consumers.reduce((n, c) => n + c.assembler.expired, 0),
      overflowSeries: () => this.stores.reduce((n, s) => n + [...s.overflowCounts().values()].reduce((a, b) => a + b, 0), 0),
      consumers: () => this.consumers,
    });
    this.agentMetrics = agentMetrics;
    this.processMetrics = new ProcessMetrics(meter, {
      memoryLimitBytes: config.limits.memory,
      threads: () => [
        ...(this.walCheckpointer ? [{ thread: 'storage/wal_checkpoint', busySeconds: this.walCheckpointer.busySeconds() }] : []),
        ...[...this.exporters.values()].flatMap((e) => e.threads?.() ?? []),
      ],
    });

    const intake = new QueueIntake(queue, {
      backpressureWaitMs: config.storage.backpressure_wait,
      maxMemoryBytes: config.limits.memory,
      transform: privacy,
      onAppend: () => {
        for (const c of this.consumers) c.wake();
      },
      logger,
    });

    // One processor chain and one consumer per pipeline; one consumer per record exporter per pipeline.
    const consumerNames = new Set<string>();
    type ConsumerRole = Pick<ConsumerOptions, 'deliver' | 'snapshot' | 'persist' | 'persisted' | 'restore' | 'onDelivered' | 'onDeliveryError' | 'retry' | 'maxRecordsPerBatch'>;
    const addConsumer = (consumerName: string, receivers: ReadonlySet<string>, role: ConsumerRole) => {
      consumerNames.add(consumerName);
      this.consumers.push(
        new QueueConsumer({
          name: consumerName,
          queue,
          checkpoints,
          receivers,
          assembler: ASSEMBLER,
          checkpointIntervalMs: config.storage.checkpoint_interval,
          rowsPerBatch: 64,
          onAdvanced: () => queue.forgetThrough(this.consumers.reduce((min, c) => Math.min(min, c.position), Infinity)),
          onCheckpoint: (seconds) => agentMetrics.checkpointed(consumerName, seconds),
          logger,
          ...role,
        }),
      );
    };
    for (const [name, p] of pipelines) {
      const receivers = new Set(p.receivers);
      const chain: { id: string; processor: Processor; metrics: MetricStore }[] = [];
      const labelJoins = new LabelJoins(db);
      for (const id of p.processors) {
        const c = component('processor', id);
        const metrics = new MetricStore(config.service.telemetry.max_series_per_metric);
        const processor = (c.factory as ProcessorFactory).create(c.config, { ...baseCtx(id), metrics, labelJoins });
        modelMetrics.add(metrics);
        this.stores.push(metrics);
        chain.push({ id, processor, metrics });
        this.processors.push({ id, processor });
      }
      if (chain.length > 0) {
        addConsumer(`pipeline/${name}/processors`, receivers, {
          // The chain runs on the event loop: short batches, so acknowledgements are not held back long.
          maxRecordsPerBatch: 512,
          deliver: (batch, at) => {
            for (const { id, processor } of chain) {
              try {
                processor.consume(batch, at);
              } catch (err) {
                agentMetrics.processorFailed(id);
                logger.error({ err, processor: id }, 'processor failed on a batch; it is skipped for this processor');
              }
            }
          },
          snapshot: () => Object.fromEntries(chain.map(({ id, processor, metrics }) => [id, { state: processor.snapshot(), metrics: metrics.snapshot() }])),
          persist: () => {
            for (const { processor } of chain) processor.persist?.();
          },
          persisted: () => {
            for (const { processor } of chain) processor.persisted?.();
          },
          restore: (state) => {
            const s = (state ?? {}) as Record<string, { state: unknown; metrics: unknown }>;
            for (const { id, processor, metrics } of chain) {
              if (!s[id]) continue;
              metrics.restore(s[id].metrics);
              processor.restore(s[id].state);
            }
          },
        });
      }
      for (const id of p.exporters) {
        const exporter = this.exporters.get(id)!;
        if (!exporter.exportRecords) continue;
        addConsumer(`pipeline/${name}/exporter/${id}`, receivers, {
          // Record exporters write elsewhere than the event loop (a database, the SQLite writer thread):
          // larger batches amortize each round trip.
          maxRecordsPerBatch: 4096,
          deliver: (batch) => exporter.exportRecords!(batch),
          onDelivered: (n) => agentMetrics.sent(id, n),
          onDeliveryError: () => agentMetrics.failed(id),
          retry: { minMs: 200, maxMs: 30_000 },
        });
      }
    }
    // Consumers no longer configured would hold queue rows forever.
    for (const old of checkpoints.positions().keys()) {
      if (!consumerNames.has(old)) {
        logger.warn({ consumer: old }, 'forgetting the queue position of a consumer that is no longer configured');
        checkpoints.forget(old);
        RootsJournal.forget(checkpoints.db, old);
      }
    }

    for (const [, p] of pipelines) {
      for (const id of p.receivers) {
        if (this.receivers.has(id)) continue;
        const c = component('receiver', id);
        this.receivers.set(id, (c.factory as ReceiverFactory).create(c.config, { ...baseCtx(id), sink: intake.sinkFor(id), intake: agentMetrics }));
      }
    }

    const adminEndpoint = parseEndpoint(config.admin.endpoint)!;
    this.admin = new AdminServer(this.routes, adminEndpoint, logger.child({ component: 'admin' }), {
      tls: config.admin.tls && loadTls(config.admin.tls),
      authorized: config.admin.auth && bearerCheck(readToken(config.admin.auth)),
    });
    this.admin.addReadinessCheck(() => {
      try {
        db.prepare('SELECT 1').get();
        // Not ready when nearly full: a load balancer should send new work to another replica.
        const full = queue.usedBytes >= 0.95 * queue.capacityBytes;
        return { name: 'storage', ok: !full, detail: full ? `queue ${queue.usedBytes} of ${queue.capacityBytes} bytes` : undefined };
      } catch (err) {
        return { name: 'storage', ok: false, detail: (err as Error).message };
      }
    });
    const startedAt = Date.now();
    this.routes.add('GET', '/api/v1/status', (_req, res) => {
      const now = Date.now();
      sendJson(res, 200, {
        version: this.opts.version ?? 'dev',
        uptime_seconds: (now - startedAt) / 1000,
        pipelines: Object.keys(config.service.pipelines),
        queue: { rows: queue.rowCount, bytes: queue.usedBytes, capacity_bytes: queue.capacityBytes, head: queue.headId },
        consumers: this.consumers.map((c) => {
          const lag = c.lag(now);
          return { name: c.name, position: c.position, lag_records: lag.records, lag_seconds: lag.seconds, error: c.lastError ?? null };
        }),
      });
    });
    const reload = this.opts.reload;
    this.routes.add(
      'POST',
      '/api/v1/reload',
      async (_req, res) => {
        if (!reload) return sendJson(res, 501, { error: 'reload is not available in this mode' });
        const result = await reload();
        sendJson(res, result.ok ? 202 : 400, result.ok ? { status: 'reloading' } : { status: 'rejected', problems: result.problems });
      },
      { destructive: true },
    );
    this.admin.addReadinessCheck(() => {
      const failing = this.consumers.filter((c) => c.lastError).map((c) => `${c.name}: ${c.lastError}`);
      return { name: 'exporters', ok: failing.length === 0, detail: failing.join('; ') || undefined };
    });

    // Start: exporters, processors, consumers, receivers, then the admin port says we are up.
    for (const e of this.exporters.values()) await e.start();
    for (const { processor } of this.processors) await processor.start();
    for (const c of this.consumers) {
      c.restoreCheckpoint();
      c.start();
    }
    for (const r of this.receivers.values()) await r.start();
    await this.admin.start();
    this.trimTimer = setInterval(() => this.trim(), 1000);
    this.trimTimer.unref();
    this.started = true;
    logger.info({ pipelines: pipelines.map(([n]) => n), queueRows: queue.rowCount }, 'modelwatch started');
  }

  /** Deletes queue rows every consumer has checkpointed past (rows after a checkpoint replay on restart). */
  private trim(): void {
    if (!this.queue || !this.checkpoints) return;
    const saved = this.checkpoints.positions();
    const positions = this.consumers.map((c) => saved.get(c.name) ?? 0);
    const through = positions.length > 0 ? Math.min(...positions) : this.queue.headId;
    try {
      this.walCheckpointer?.fit();
      this.queue.trimThrough(through);
      this.trimFailing = false;
    } catch (err) {
      // Runs on a timer: a throw here (a full disk: even a DELETE needs WAL room) would kill the agent.
      // The rows stay and are trimmed on a later tick.
      if (!this.trimFailing) this.opts.logger.error({ err: (err as Error).message }, 'cannot trim the queue; will retry');
      this.trimFailing = true;
    }
  }

  async shutdown(): Promise<void> {
    const { logger } = this.opts;
    if (this.trimTimer) clearInterval(this.trimTimer);
    // Stop intake first, then let consumers drain what was accepted, then flush exporters.
    for (const r of this.receivers.values()) await r.shutdown().catch((err) => logger.error({ err }, 'receiver shutdown failed'));
    await Promise.all(this.consumers.map((c) => c.stop(DRAIN_MS)));
    for (const { processor } of this.processors) await processor.shutdown().catch((err) => logger.error({ err }, 'processor shutdown failed'));
    for (const e of this.exporters.values()) await e.shutdown().catch((err) => logger.error({ err }, 'exporter shutdown failed'));
    this.processMetrics?.close();
    await this.meterProvider?.shutdown().catch(() => undefined);
    if (this.started) this.trim();
    await this.admin?.shutdown();
    await this.walCheckpointer?.close();
    this.db?.close();
    logger.info('modelwatch stopped');
  }
}
