// The agent database's WAL copied by a thread of its own while the event loop writes at a steady pace:
// the thread copies all but the newest pages, and past 16 MiB the event loop's own checkpoint copies the
// little left and lets the WAL restart, so it stays near that length.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { pino } from 'pino';
import { openDatabase } from '../../../src/storage/database.js';
import { WalCheckpointer } from '../../../src/storage/wal-checkpointer.js';

test('a steady writer: the thread copies the WAL as it grows, and the WAL stays bounded', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'modelwatch-wal-'));
  const db = openDatabase(join(dir, 'agent.db'), { sync: 'normal' });
  const checkpointer = WalCheckpointer.start(db, 'normal', pino({ level: 'silent' }), { intervalMs: 20 })!;
  try {
    assert.ok(checkpointer, 'a database on disk gets the thread');
    db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, b BLOB NOT NULL)');
    const insert = db.prepare('INSERT INTO t (id, b) VALUES (?, ?)');
    const trim = db.prepare('DELETE FROM t WHERE id <= ?');
    const blob = Buffer.alloc(64 * 1024, 7);
    // A backlog first: one commit of 260 rows (~16.5 MiB) takes the WAL past the 16 MiB mark, so the
    // event loop's checkpoint runs after the thread's. (A steady writer alone crosses the mark only
    // when the thread's copies never catch up with it; when they do, SQLite restarts the WAL by itself,
    // which made this check depend on timing.)
    db.transaction(() => {
      for (let id = 1; id <= 260; id++) insert.run(id, blob);
    })();
    for (let i = 0; i < 250 && checkpointer.restarts === 0; i++) await sleep(20);
    assert.ok(checkpointer.restarts >= 1, 'the event loop let the WAL restart');
    // Then 340 commits of 64 KiB, a queue's pattern: new rows in, old rows out.
    for (let id = 261; id <= 600; id++) {
      db.transaction(() => {
        insert.run(id, blob);
        trim.run(id - 20);
      })();
      await sleep(2);
    }
    assert.ok(checkpointer.checkpoints >= 5, `${checkpointer.checkpoints} checkpoints`);
    // Writes over, the next checkpoint copies everything.
    const after = checkpointer.checkpoints;
    for (let i = 0; i < 200 && checkpointer.checkpoints < after + 2; i++) await sleep(20);
    assert.ok(checkpointer.walPages > 0, 'the WAL holds pages');
    assert.equal(checkpointer.behindPages, 0, `${checkpointer.behindPages} of ${checkpointer.walPages} pages not copied`);
    const walBytes = statSync(join(dir, 'agent.db-wal')).size;
    assert.ok(walBytes < 18 * 1024 * 1024, `the WAL grew to ${walBytes} bytes`);
    assert.deepEqual(db.prepare('SELECT count(*) AS n, max(id) AS last FROM t').get(), { n: 20, last: 600 });
  } finally {
    await checkpointer.close();
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a thread that dies is started again, and its busy time keeps counting up', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'modelwatch-wal-'));
  const db = openDatabase(join(dir, 'agent.db'), { sync: 'normal' });
  const logged: string[] = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => void logged.push(JSON.parse(line).msg) });
  const checkpointer = WalCheckpointer.start(db, 'normal', logger, { intervalMs: 20, restartDelayMs: 50 })!;
  const until = async (what: string, ok: () => boolean) => {
    for (let i = 0; i < 250 && !ok(); i++) await sleep(20);
    assert.ok(ok(), what);
  };
  try {
    db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, b BLOB NOT NULL)');
    await until('the thread checkpoints', () => checkpointer.checkpoints >= 3);
    // The thread dies as a crash would end it (this stands for an out-of-memory or a native fault).
    const busy = checkpointer.busySeconds();
    await (checkpointer as unknown as { worker: { terminate(): Promise<number> } }).worker.terminate();
    assert.ok(checkpointer.busySeconds() >= busy, 'busy time does not go back when the thread ends');
    assert.ok(logged.some((m) => /WAL checkpoint thread stopped/.test(m)), logged.join('\n'));
    const before = checkpointer.checkpoints;
    await until('a new thread checkpoints', () => checkpointer.respawns === 1 && checkpointer.checkpoints > before + 2);
    db.prepare('INSERT INTO t (b) VALUES (?)').run(Buffer.alloc(8192));
    assert.ok(checkpointer.busySeconds() >= busy);
  } finally {
    await checkpointer.close();
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('threads that keep dying soon after they start wait longer each time; one that ran a while starts again soon', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'modelwatch-wal-'));
  const db = openDatabase(join(dir, 'agent.db'), { sync: 'normal' });
  const delays: number[] = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => void delays.push(...[JSON.parse(line).restartInMs].filter((d) => d !== undefined)) });
  const healthyAfterMs = 3000;
  const checkpointer = WalCheckpointer.start(db, 'normal', logger, { intervalMs: 20, restartDelayMs: 40, healthyAfterMs })!;
  const internals = checkpointer as unknown as { worker?: { terminate(): Promise<number> } };
  const until = async (what: string, ok: () => boolean) => {
    for (let i = 0; i < 250 && !ok(); i++) await sleep(20);
    assert.ok(ok(), what);
  };
  try {
    // Each thread is ended right after its first good checkpoint: the delay doubles every time.
    for (let round = 0; round < 3; round++) {
      const before = checkpointer.checkpoints;
      await until(`thread ${round} checkpoints`, () => internals.worker !== undefined && checkpointer.checkpoints > before);
      await internals.worker!.terminate();
    }
    assert.deepEqual(delays, [40, 80, 160]);
    // The next thread runs past healthyAfterMs before it ends: back to the first delay.
    await until('a fourth thread', () => checkpointer.respawns === 3);
    await sleep(healthyAfterMs + 100);
    await internals.worker!.terminate();
    assert.deepEqual(delays, [40, 80, 160, 40]);
  } finally {
    await checkpointer.close();
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('an in-memory database has no WAL and gets no thread', () => {
  const db = openDatabase(':memory:');
  assert.equal(WalCheckpointer.start(db, 'full', pino({ level: 'silent' })), undefined);
  db.close();
});
