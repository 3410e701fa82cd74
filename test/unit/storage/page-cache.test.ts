// The agent's connections keep a small page cache (page-cache.ts): better-sqlite3's 16 MB default showed
// as ~30 MiB of resident memory at 10k spans/s.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { openDatabase } from '../../../src/storage/database.js';
import { PAGE_CACHE_KIB } from '../../../src/storage/page-cache.js';
import { SqliteDriver } from '../../../src/exporters/prediction_log/sqlite.js';

test('the storage database and the prediction log open with a page cache of PAGE_CACHE_KIB, not the library default', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'modelwatch-cache-'));
  try {
    const fresh = new Database(join(dir, 'other.db'));
    assert.notEqual(fresh.pragma('cache_size', { simple: true }), -PAGE_CACHE_KIB, 'the default differs, or this test proves nothing');
    fresh.close();

    const db = openDatabase(join(dir, 'agent.db'));
    assert.equal(db.pragma('cache_size', { simple: true }), -PAGE_CACHE_KIB);
    db.close();

    const log = new SqliteDriver(join(dir, 'log.db'), 'predictions', { writerThread: false });
    await log.migrate();
    const conn = (log as unknown as { open(): Database.Database }).open();
    assert.equal(conn.pragma('cache_size', { simple: true }), -PAGE_CACHE_KIB);
    await log.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
