// The queue's in-memory copies of recent rows must agree with the table: what is trimmed is gone.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openDatabase } from '../../../src/storage/database.js';
import { Queue } from '../../../src/storage/queue.js';
import type { WireRecord } from '../../../src/pipeline/records.js';

const feedback = (id: string): WireRecord => ({ kind: 'feedback', predictionId: id, groundTruthClass: 'a', timeMs: 1 });

function appendRow(queue: Queue, id: string): number {
  const records = [feedback(id)];
  return queue.append('otlp', 1, queue.encode(records), 1000, records);
}

test('rows trimmed by every consumer are read neither from memory nor from the table', () => {
  const db = openDatabase(':memory:', { sync: 'normal' });
  const queue = new Queue(db, 1024 ** 2);
  const ids = ['a', 'b', 'c'].map((p) => appendRow(queue, p));
  assert.equal(queue.trimThrough(ids[1]), 2);
  const rows = queue.read(0, 10);
  assert.deepEqual(rows.map((r) => r.id), [ids[2]]);
  assert.equal((rows[0].records[0] as { predictionId: string }).predictionId, 'c');
  assert.equal(queue.rowCount, 1);
  db.close();
});

test('rows beyond the in-memory copies are read back from the table', () => {
  const db = openDatabase(':memory:', { sync: 'normal' });
  const queue = new Queue(db, 1024 ** 2);
  // More rows than the decoded-row cache keeps (512): the oldest come from SQLite, decoded again.
  const ids = Array.from({ length: 600 }, (_, i) => appendRow(queue, `p${i}`));
  const rows = queue.read(0, 1000);
  assert.deepEqual(rows.map((r) => r.id), ids);
  assert.deepEqual(rows.map((r) => (r.records[0] as { predictionId: string }).predictionId), ids.map((_, i) => `p${i}`));
  db.close();
});

test('a read stops at the record budget, from memory and from the table alike (at least one row)', () => {
  const db = openDatabase(':memory:', { sync: 'normal' });
  const queue = new Queue(db, 1024 ** 2);
  const appendMany = (n: number, cache: boolean) => {
    const records = Array.from({ length: n }, (_, i) => feedback(`r${i}`));
    return queue.append('otlp', n, queue.encode(records), 1000, cache ? records : undefined);
  };
  // Three rows of 3 records in memory, then three of 3 only in the table (appended without a decoded copy).
  const ids = [appendMany(3, true), appendMany(3, true), appendMany(3, true), appendMany(3, false), appendMany(3, false), appendMany(3, false)];
  assert.deepEqual(queue.read(0, 64, 5).map((r) => r.id), ids.slice(0, 2), 'memory: 3 + 3 reaches 5');
  assert.deepEqual(queue.read(ids[2], 64, 5).map((r) => r.id), ids.slice(3, 5), 'table: 3 + 3 reaches 5');
  assert.deepEqual(queue.read(ids[1], 64, 5).map((r) => r.id), ids.slice(2, 4), 'across both');
  assert.deepEqual(queue.read(0, 64, 1).map((r) => r.id), [ids[0]], 'one row even past the budget');
  assert.deepEqual(queue.read(ids[2], 2).map((r) => r.id), ids.slice(3, 5), 'the row limit still holds');
  assert.equal(queue.read(ids[5], 64, 5).length, 0);
  db.close();
});

test('rows whose decoded copies were dropped (every consumer read them) are still read back from the table', () => {
  const db = openDatabase(':memory:', { sync: 'normal' });
  const queue = new Queue(db, 1024 ** 2);
  const ids = ['a', 'b', 'c'].map((p) => appendRow(queue, p));
  queue.forgetThrough(ids[1]);
  const rows = queue.read(0, 10);
  assert.deepEqual(rows.map((r) => r.id), ids);
  assert.deepEqual(rows.map((r) => (r.records[0] as { predictionId: string }).predictionId), ['a', 'b', 'c']);
  db.close();
});

test("a reader's backlog: the records after its position and when the oldest of their rows arrived", () => {
  const db = openDatabase(':memory:', { sync: 'normal' });
  const queue = new Queue(db, 1024 ** 2);
  const sizes = [2, 3, 4];
  for (const [i, n] of sizes.entries()) {
    const records = Array.from({ length: n }, (_, k) => feedback(`r${i}-${k}`));
    queue.append('otlp', n, queue.encode(records), 1000 * (i + 1), records);
  }
  assert.deepEqual(queue.backlogAfter(0), { records: 9, oldestMs: 1000 });
  assert.deepEqual(queue.backlogAfter(1), { records: 7, oldestMs: 2000 });
  assert.deepEqual(queue.backlogAfter(2), { records: 4, oldestMs: 3000 });
  assert.deepEqual(queue.backlogAfter(3), { records: 0, oldestMs: undefined });
  // Trimmed rows are no one's backlog: a reader behind the trim (none should be) sees what is left.
  queue.trimThrough(1);
  assert.deepEqual(queue.backlogAfter(0), { records: 7, oldestMs: 2000 });
});

test('the size and time queries read the covering index, not the rows and their payloads', () => {
  const db = openDatabase(':memory:', { sync: 'normal' });
  const queue = new Queue(db, 1024 ** 2);
  // The queue's own statements (private: this is about how SQLite runs them), parameters bound to 0.
  const statements = queue as unknown as Record<'backlog' | 'sizesAfter' | 'sizeBelow', { source: string }>;
  for (const name of ['backlog', 'sizesAfter', 'sizeBelow'] as const) {
    const sql = statements[name].source;
    const params = Array.from(sql.matchAll(/\?/g), () => 0);
    const plan = (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as { detail: string }[]).map((r) => r.detail).join('; ');
    assert.match(plan, /COVERING INDEX queue_sizes/, `${name}: ${sql}: ${plan}`);
  }
});
