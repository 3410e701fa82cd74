// The agent's own health metrics (modelwatch_*), recorded through the one MeterProvider. Counted per
// batch, never per span.
import type { Meter } from '@opentelemetry/api';
import type { IntakeTelemetry } from '../pipeline/component.js';
import type { QueueConsumer } from '../pipeline/consumer.js';
import type { Queue } from '../storage/queue.js';

/** A checkpoint holds the event loop: 1 ms–2.5 s, around the 20 ms an acknowledgement's p99 may take. */
const CHECKPOINT_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

export class AgentMetrics implements IntakeTelemetry {
  private readonly acceptedSpans;
  private readonly refusedSpans;
  private readonly exporterSent;
  private readonly exporterFailed;
  private readonly processorErrors;
  private readonly checkpointSeconds;

  constructor(
    meter: Meter,
    queue: Queue,
    extra: { orphanStages: () => number; overflowSeries: () => number; consumers: () => readonly Pick<QueueConsumer, 'name' | 'lag'>[] },
  ) {
    this.acceptedSpans = meter.createCounter('modelwatch_receiver_accepted_spans', { description: 'Spans and log records accepted into the queue' });
    this.refusedSpans = meter.createCounter('modelwatch_receiver_refused_spans', { description: 'Spans and log records refused, by reason (malformed, queue_full, ...)' });
    this.exporterSent = meter.createCounter('modelwatch_exporter_sent', { description: 'Records delivered by record exporters' });
    this.exporterFailed = meter.createCounter('modelwatch_exporter_failed', { description: 'Failed export attempts (retried with backoff)' });
    this.processorErrors = meter.createCounter('modelwatch_processor_errors', { description: 'Batches a processor failed on' });
    this.checkpointSeconds = meter.createHistogram('modelwatch_consumer_checkpoint_duration_seconds', {
      description: "How long a consumer's checkpoint (its position and state, one transaction) held the event loop",
      unit: 's',
      advice: { explicitBucketBoundaries: CHECKPOINT_BUCKETS },
    });
    meter.createObservableGauge('modelwatch_queue_rows', { description: 'Batches held in the durable queue' }).addCallback((r) => r.observe(queue.rowCount));
    meter.createObservableGauge('modelwatch_queue_bytes', { description: 'Bytes held in the durable queue', unit: 'By' }).addCallback((r) => r.observe(queue.usedBytes));
    meter.createObservableGauge('modelwatch_queue_capacity_bytes', { description: 'Queue bound (storage.max_bytes)', unit: 'By' }).addCallback((r) => r.observe(queue.capacityBytes));
    // How far each consumer is behind the intake: the signal that the agent no longer keeps up (a slow or
    // failing exporter, or more traffic than it can process), long before the queue fills. One query per
    // consumer per collection, over the rows it has still to read.
    const lagRecords = meter.createObservableGauge('modelwatch_consumer_lag_records', { description: 'Records accepted into the queue that this consumer has not processed yet' });
    const lagSeconds = meter.createObservableGauge('modelwatch_consumer_lag_seconds', { description: 'Age of the oldest queued batch this consumer has not processed (0 when caught up)', unit: 's' });
    meter.addBatchObservableCallback((r) => {
      const now = Date.now();
      for (const c of extra.consumers()) {
        const lag = c.lag(now);
        r.observe(lagRecords, lag.records, { consumer: c.name });
        r.observe(lagSeconds, lag.seconds, { consumer: c.name });
      }
    }, [lagRecords, lagSeconds]);
    meter.createObservableCounter('modelwatch_orphan_stages', { description: 'Stage spans whose prediction span never arrived' }).addCallback((r) => r.observe(extra.orphanStages()));
    meter.createObservableCounter('modelwatch_metric_overflow_series', { description: 'Records that fell into an overflow series past the cardinality cap' }).addCallback((r) => r.observe(extra.overflowSeries()));
  }

  accepted(protocol: string, n: number): void {
    if (n > 0) this.acceptedSpans.add(n, { protocol });
  }
  refused(protocol: string, reason: string, n: number): void {
    if (n > 0) this.refusedSpans.add(n, { protocol, reason });
  }
  sent(exporter: string, n: number): void {
    this.exporterSent.add(n, { exporter });
  }
  failed(exporter: string): void {
    this.exporterFailed.add(1, { exporter });
  }
  processorFailed(processor: string): void {
    this.processorErrors.add(1, { processor });
  }
  checkpointed(consumer: string, seconds: number): void {
    this.checkpointSeconds.record(seconds, { consumer });
  }
}
