// A worker's file is found next to the module that starts it, with that module's own extension: built
// JavaScript starts .js threads, sources run under tsx start .ts ones.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { threadModule } from '../../../src/pipeline/thread-module.js';

test('the thread module sits beside its starter, with the starter extension', () => {
  assert.equal(threadModule('file:///app/dist/src/storage/wal-checkpointer.js', 'wal-checkpointer-thread').href, 'file:///app/dist/src/storage/wal-checkpointer-thread.js');
  assert.equal(threadModule('file:///app/src/storage/wal-checkpointer.ts', 'wal-checkpointer-thread').href, 'file:///app/src/storage/wal-checkpointer-thread.ts');
  // And the built threads exist where the built starters look for them.
  const starter = new URL('../../../src/storage/wal-checkpointer.js', import.meta.url).href;
  assert.ok(existsSync(fileURLToPath(threadModule(starter, 'wal-checkpointer-thread'))));
  const writer = new URL('../../../src/exporters/prediction_log/sqlite-writer.js', import.meta.url).href;
  assert.ok(existsSync(fileURLToPath(threadModule(writer, 'sqlite-writer-thread'))));
});
