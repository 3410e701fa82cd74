// The writer thread of the SQLite prediction log (see sqlite-writer.ts): one connection, one transaction
// per message, and the outcome posted back with the error's class and SQLite code.
import { parentPort, workerData } from 'node:worker_threads';
import { wellFormed } from './row.js';
import { SqliteDriver } from './sqlite.js';
import type { IdIndexOptions } from './sqlite-ids/id-index.js';
import type { WriterReply, WriterRequest } from './sqlite-writer.js';
import { storeBatch } from './store-batch.js';

const { path, table, idIndex } = workerData as { path: string; table: string; idIndex?: IdIndexOptions };
const driver = new SqliteDriver(path, table, { writerThread: false, idIndex });

parentPort!.on('message', async (m: WriterRequest) => {
  let reply: WriterReply;
  try {
    if ('rows' in m) {
      await driver.writeValues(m.rows);
      reply = { id: m.id, ok: true };
    } else {
      reply = { id: m.id, ok: true, refused: await storeBatch(driver, m.records, wellFormed, 0) };
    }
  } catch (err) {
    const e = err as Error & { code?: unknown };
    reply = { id: m.id, ok: false, error: { name: e?.name ?? 'Error', message: e?.message ?? String(err), code: typeof e?.code === 'string' ? e.code : undefined } };
  }
  parentPort!.postMessage({ ...reply, idIndex: driver.idIndexStats() });
});
