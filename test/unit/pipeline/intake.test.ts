// The intake's admission and group commit, on a real SQLite queue: memory and queue room are checked
// before a request is read; a call is held back before it is refused; nothing is dropped silently.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pino } from 'pino';
import { openDatabase } from '../../../src/storage/database.js';
import { Queue } from '../../../src/storage/queue.js';
import { QueueIntake } from '../../../src/pipeline/intake.js';
import type { WireRecord } from '../../../src/pipeline/records.js';

const logger = pino({ level: 'silent' });
const feedback = (id: string): WireRecord => ({ kind: 'feedback', predictionId: id, groundTruthClass: 'a', timeMs: 1 });

function setup(opts: { capacity?: number; memory?: number; rss?: () => number; wait?: number } = {}) {
  const rss = opts.rss ?? (() => 0);
  const db = openDatabase(':memory:', { sync: 'normal' });
  const queue = new Queue(db, opts.capacity ?? 1024 ** 2);
  let appended = 0;
  const intake = new QueueIntake(queue, { backpressureWaitMs: opts.wait ?? 100, maxMemoryBytes: opts.memory ?? 0, memory: { rss, collect: () => false }, onAppend: () => appended++, logger });
  return { queue, intake, sink: intake.sinkFor('otlp'), appended: () => appended };
}

test('concurrent appends share one transaction and are all committed before they are answered', async () => {
  const { queue, sink, appended } = setup();
  const results = await Promise.all(Array.from({ length: 10 }, (_, i) => sink.append([feedback(`p${i}`)], 1)));
  assert.ok(results.every((r) => r.ok));
  assert.equal(queue.rowCount, 10);
  // Consumers are woken on the next turn, so their processing does not go before the answers.
  assert.equal(appended(), 0, 'consumers not woken before every call is answered');
  await new Promise((r) => setImmediate(r));
  assert.equal(appended(), 1, 'one group commit for ten calls made in the same turn');
  assert.deepEqual(queue.read(0, 100).map((r) => (r.records[0] as { predictionId: string }).predictionId), Array.from({ length: 10 }, (_, i) => `p${i}`));
});

test('over the memory limit a request is held back, then refused; admitted requests count against it until released', async () => {
  let rss = 100;
  const { sink } = setup({ memory: 2000, rss: () => rss, wait: 60 });
  // The limit applies with 5% headroom: 1900 of 2000; a request costs 8 times its wire size.
  const first = await sink.admit(100); // 100 + 800 = 900
  assert.ok(first.ok);
  const second = await sink.admit(100); // 100 + 800 + 800 = 1700: fits
  assert.ok(second.ok);
  const t0 = Date.now();
  const third = await sink.admit(100); // 100 + 1600 + 800 > 1900
  assert.equal(third.ok, false);
  assert.equal(!third.ok && third.reason, 'memory_limit');
  assert.ok(Date.now() - t0 >= 50, 'held back before refusing');
  if (first.ok) first.release();
  assert.ok((await sink.admit(100)).ok, 'room again once a request is released');
  // Released twice counts once.
  if (first.ok) first.release();
  rss = 10_000;
  assert.equal((await sink.admit(1)).ok, false);
  // A held-back request is admitted as soon as memory falls.
  setTimeout(() => (rss = 100), 20);
  const later = await setup({ memory: 2000, rss: () => rss, wait: 500 }).sink.admit(10);
  assert.ok(later.ok);
});

test('a request refused for memory is refused for memory, even when memory comes free as the wait ends', async () => {
  // Resident memory over the limit for the whole wait, then back under at the very next read (a
  // collection ran): the refusal must say memory, never "queue full" (a 429 with a 5 s hint), though the
  // queue has room.
  const wait = 60;
  let firstRead: number | undefined;
  let lateReads = 0;
  const rss = () => {
    firstRead ??= Date.now();
    if (Date.now() < firstRead + wait + 2) return 10_000;
    return lateReads++ === 0 ? 10_000 : 100;
  };
  const { sink } = setup({ memory: 2000, rss, wait });
  const r = await sink.admit(10);
  assert.equal(r.ok ? 'admitted' : r.reason, 'memory_limit');
});

test('a queue with no room refuses before reading and after the wait; room returns when consumers trim', async () => {
  const { queue, sink } = setup({ capacity: 200, wait: 50 });
  let ok = 0;
  for (let i = 0; i < 50; i++) if ((await sink.append([feedback(`q${i}`)], 1)).ok) ok++;
  assert.ok(ok > 0 && ok < 50, `some fit, some did not (${ok})`);
  const refused = await sink.admit(100);
  assert.equal(!refused.ok && refused.reason, 'queue_full');
  queue.trimThrough(queue.headId);
  assert.ok((await sink.admit(100)).ok);
  assert.equal(queue.rowCount, 0);
});

test('stage children sent with their prediction are queued on it, not as records of their own', async () => {
  const { queue, sink } = setup();
  const traceId = 'a'.repeat(32);
  const spanId = '1'.repeat(16);
  const stage = (parentSpanId: string, s: 'preprocess' | 'inference'): WireRecord => ({ kind: 'stage', traceId, parentSpanId, spanId: '2'.repeat(16), stage: s, seconds: 0.5, endMs: 1 });
  const prediction: WireRecord = { kind: 'prediction', id: traceId + spanId, traceId, spanId, startMs: 0, endMs: 1, modelName: 'm', modelVersion: '1', predictedClass: 'a', features: {} };
  const elsewhere = stage('3'.repeat(16), 'inference');
  assert.ok((await sink.append([stage(spanId, 'preprocess'), stage(spanId, 'inference'), elsewhere, prediction], 4)).ok);
  const [row] = queue.read(0, 10);
  assert.equal(row.records.length, 2);
  assert.deepEqual(row.records[0], elsewhere);
  assert.deepEqual((row.records[1] as { stages?: object }).stages, { preprocess: 0.5, inference: 0.5 });
});
