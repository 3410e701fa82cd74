// Checkpoints and queue trims commit without an fsync of their own; everything else, an acknowledged
// batch above all, keeps the configured level: the connection is back at FULL after each, even when the
// write fails.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Checkpoints } from '../../../src/storage/checkpoints.js';
import { openDatabase, withoutCommitSync } from '../../../src/storage/database.js';
import { Queue } from '../../../src/storage/queue.js';

const FULL = 2;
const NORMAL = 1;

function withDb(sync: 'full' | 'normal', fn: (db: ReturnType<typeof openDatabase>) => void): void {
  const dir = mkdtempSync(join(tmpdir(), 'modelwatch-sync-'));
  const db = openDatabase(join(dir, 'agent.db'), { sync });
  try {
    fn(db);
  } finally {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

const level = (db: ReturnType<typeof openDatabase>) => db.pragma('synchronous', { simple: true });

test('a write without commit sync runs at NORMAL and leaves FULL behind, also when it throws', () => {
  withDb('full', (db) => {
    assert.equal(withoutCommitSync(db, () => level(db)), NORMAL);
    assert.equal(level(db), FULL);
    assert.throws(() => withoutCommitSync(db, () => {
      throw new Error('disk full');
    }), /disk full/);
    assert.equal(level(db), FULL);
  });
  withDb('normal', (db) => {
    assert.equal(withoutCommitSync(db, () => level(db)), NORMAL);
    assert.equal(level(db), NORMAL);
  });
});

test('a checkpoint and a queue trim commit at NORMAL; the connection stays at FULL for the appends', () => {
  withDb('full', (db) => {
    const queue = new Queue(db, 1024 ** 3);
    const checkpoints = new Checkpoints(db);
    const payload = queue.encode([]);
    queue.append('r', 1, payload);
    queue.append('r', 1, payload);
    assert.equal(queue.trimThrough(1), 1);
    assert.equal(level(db), FULL);
    assert.equal(queue.rowCount, 1);
    const seen: number[] = [];
    checkpoints.save('c', 0, { a: 1 }, () => void seen.push(level(db) as number));
    assert.deepEqual(seen, [NORMAL]);
    assert.equal(level(db), FULL);
    assert.throws(() => checkpoints.save('c', 1, { a: 2 }, () => {
      throw new Error('rolled back');
    }));
    assert.equal(level(db), FULL);
    assert.deepEqual(checkpoints.load('c'), { position: 0, state: { a: 1 } });
  });
});
