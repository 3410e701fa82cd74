// A consumer's linger: a batch short of its record bound waits for more rows, up to lingerMs from its
// oldest row's arrival; a full batch, an old row and a stop do not wait.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { pino } from 'pino';
import { openDatabase } from '../../../src/storage/database.js';
import { Checkpoints } from '../../../src/storage/checkpoints.js';
import { Queue } from '../../../src/storage/queue.js';
import { QueueConsumer } from '../../../src/pipeline/consumer.js';
import type { ConsumerRecord, WireRecord } from '../../../src/pipeline/records.js';
import { eventually } from '../../helpers/agent.js';

function setup(lingerMs: number, maxRecordsPerBatch: number) {
  const db = openDatabase(':memory:', { sync: 'normal' });
  const queue = new Queue(db, 1024 ** 2);
  const batches: string[][] = [];
  const consumer = new QueueConsumer({
    name: 'test',
    queue,
    checkpoints: new Checkpoints(db),
    receivers: new Set(['otlp']),
    assembler: { ttlMs: 30_000, maxEntries: 1000 },
    checkpointIntervalMs: 60_000,
    rowsPerBatch: 64,
    maxRecordsPerBatch,
    lingerMs,
    logger: pino({ level: 'silent' }),
    deliver: (batch: ConsumerRecord[]) => {
      batches.push(batch.map((r) => (r.kind === 'feedback' ? r.predictionId : '?')));
    },
  });
  const append = (ids: string[], receivedMs = Date.now()) => {
    const records: WireRecord[] = ids.map((id) => ({ kind: 'feedback', predictionId: id, groundTruthClass: 'a', timeMs: 1 }));
    queue.append('otlp', records.length, queue.encode(records), receivedMs, records);
    consumer.wake();
  };
  consumer.start();
  return { consumer, batches, append };
}

test('rows that arrive within the linger go out as one batch', async (t) => {
  const { consumer, batches, append } = setup(400, 100);
  t.after(() => consumer.stop(0));
  append(['a1', 'a2']);
  await sleep(50);
  append(['b1']);
  await eventually(async () => (batches.length > 0 ? true : undefined), 'a delivery');
  assert.deepEqual(batches, [['a1', 'a2', 'b1']]);
});

test('a batch that reaches the record bound, or whose oldest row has waited the linger, goes at once', async (t) => {
  // A linger no test waits out: a delivery here is one that did not linger.
  const { consumer, batches, append } = setup(600_000, 3);
  t.after(() => consumer.stop(0));
  append(['a1', 'a2', 'a3']);
  await eventually(async () => (batches.length === 1 ? true : undefined), 'the full batch delivered');
  append(['b1'], Date.now() - 600_001);
  await eventually(async () => (batches.length === 2 ? true : undefined), 'the old row delivered');
  append(['c1']);
  await sleep(300);
  assert.deepEqual(batches, [['a1', 'a2', 'a3'], ['b1']], 'a young short batch waits');
});

test('stop delivers a lingering batch instead of waiting', async () => {
  const { consumer, batches, append } = setup(600_000, 100);
  append(['a1']);
  await sleep(100);
  assert.deepEqual(batches, []);
  await consumer.stop(5_000);
  assert.deepEqual(batches, [['a1']]);
});
