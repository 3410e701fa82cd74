// The table of predictions awaiting a label: keyed by the join's sequence number; a table written by an
// earlier version (keyed by prediction id) is rebuilt with every row kept.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openDatabase } from '../../../src/storage/database.js';
import { PendingPredictionTable } from '../../../src/pipeline/labels/pending-table.js';
import type { PendingChanges, PendingPrediction } from '../../../src/pipeline/labels/join.js';

const entry = (id: string, seq: number): PendingPrediction => ({ id, modelName: 'm', modelVersion: '1', predictedClass: 'a', atMs: 1000 + seq, seq });

test('a table keyed by prediction id (before) is rebuilt keyed by sequence, every row kept', () => {
  const db = openDatabase(':memory:', { sync: 'normal' });
  db.exec(`CREATE TABLE label_join_pending (owner TEXT NOT NULL, id TEXT NOT NULL, model_name TEXT NOT NULL, model_version TEXT NOT NULL,
    predicted_class TEXT NOT NULL, at_ms REAL NOT NULL, seq INTEGER NOT NULL, PRIMARY KEY (owner, id)) WITHOUT ROWID`);
  const old = db.prepare('INSERT INTO label_join_pending VALUES (?, ?, ?, ?, ?, ?, ?)');
  for (const [owner, id, seq] of [['window', 'zz', 1], ['window', 'aa', 2], ['other', 'bb', 1]] as const) old.run(owner, id, 'm', '1', 'a', 1000 + seq, seq);
  const t = new PendingPredictionTable(db, 'window');
  assert.deepEqual(t.load(), [entry('zz', 1), entry('aa', 2)]);
  assert.deepEqual(t.load('other'), [entry('bb', 1)]);
  const pk = db.prepare("SELECT name FROM pragma_table_info('label_join_pending') WHERE pk > 0 ORDER BY pk").all();
  assert.deepEqual(pk, [{ name: 'owner' }, { name: 'seq' }]);
  // Writes and deletes by sequence number; writing the same change twice (a rolled-back checkpoint) is harmless.
  const changes: PendingChanges = new Map([[1, null], [3, entry('cc', 3)]]);
  t.apply(changes);
  t.apply(changes);
  assert.deepEqual(t.load(), [entry('aa', 2), entry('cc', 3)]);
  t.release();
  db.close();
});
