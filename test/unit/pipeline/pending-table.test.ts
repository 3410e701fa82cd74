// The predictions awaiting a label are kept as a FifoJournal; the one-row-per-prediction tables of earlier
// versions (keyed by owner and id, then by owner and seq) are taken over with every row, and dropped.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openDatabase } from '../../../src/storage/database.js';
import { PendingChunk, PendingPredictionTable } from '../../../src/pipeline/labels/pending-table.js';
import type { PendingPrediction } from '../../../src/pipeline/labels/join.js';

const count = (db: ReturnType<typeof openDatabase>, sql: string) => (db.prepare(sql).get() as { n: number }).n;
const entry = (id: string, seq: number): PendingPrediction => ({ id, modelName: 'm', modelVersion: '1', predictedClass: 'a', atMs: 1000 + seq, seq });

const layouts = {
  'owner and id': 'PRIMARY KEY (owner, id)',
  'owner and seq': 'PRIMARY KEY (owner, seq)',
};

for (const [name, key] of Object.entries(layouts)) {
  test(`a row table keyed by ${name} (before) is taken over, every row kept, and dropped`, () => {
    const db = openDatabase(':memory:', { sync: 'normal' });
    db.exec(`CREATE TABLE label_join_pending (owner TEXT NOT NULL, id TEXT NOT NULL, model_name TEXT NOT NULL, model_version TEXT NOT NULL,
      predicted_class TEXT NOT NULL, at_ms REAL NOT NULL, seq INTEGER NOT NULL, ${key}) WITHOUT ROWID`);
    const old = db.prepare('INSERT INTO label_join_pending VALUES (?, ?, ?, ?, ?, ?, ?)');
    for (const [owner, id, seq] of [['window', 'zz', 1], ['window', 'aa', 2], ['other', 'bb', 7]] as const) old.run(owner, id, 'm', '1', 'a', 1000 + seq, seq);
    const t = new PendingPredictionTable(db, 'window');
    assert.deepEqual(t.load(), [entry('zz', 1), entry('aa', 2)]);
    assert.deepEqual(t.load('other'), [entry('bb', 7)]);
    assert.equal(count(db, "SELECT count(*) AS n FROM sqlite_master WHERE name = 'label_join_pending'"), 0);
    // A later change: seq 1 removed (a label came), 3 added, the oldest held is now 2.
    t.write([PendingChunk.of([entry('cc', 3)])], [1], 2);
    assert.deepEqual(t.load(), [entry('aa', 2), entry('cc', 3)]);
    t.release();
    db.close();
  });
}

test('a label for a prediction in the middle leaves a tombstone; both go once the oldest held passes them', () => {
  const db = openDatabase(':memory:', { sync: 'normal' });
  const t = new PendingPredictionTable(db, 'window');
  t.write([PendingChunk.of([entry('a', 0), entry('b', 1), entry('c', 2)])], [], 0);
  t.write([PendingChunk.of([])], [1], 0);
  assert.deepEqual(t.load(), [entry('a', 0), entry('c', 2)]);
  assert.equal(count(db, 'SELECT count(*) AS n FROM label_join_pending_removed'), 1);
  t.write([PendingChunk.of([entry('d', 3)])], [2], 3);
  assert.deepEqual(t.load(), [entry('d', 3)]);
  assert.equal(count(db, 'SELECT count(*) AS n FROM label_join_pending_removed'), 0);
  assert.equal(count(db, 'SELECT count(*) AS n FROM label_join_pending_chunks'), 1, 'the first chunk is gone');
  t.release();
  db.close();
});
