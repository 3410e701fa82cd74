// The writer thread of the SQLite prediction log (see sqlite-writer.ts): one connection, one transaction
// per message, and the outcome posted back with the error's class and SQLite code.
import { parentPort, workerData } from 'node:worker_threads';
import { SqliteDriver } from './sqlite.js';

const { path, table } = workerData as { path: string; table: string };
const driver = new SqliteDriver(path, table, { writerThread: false });

parentPort!.on('message', async (m: { id: number; rows: unknown[][] }) => {
  try {
    await driver.writeValues(m.rows);
    parentPort!.postMessage({ id: m.id, ok: true });
  } catch (err) {
    const e = err as Error & { code?: unknown };
    parentPort!.postMessage({ id: m.id, ok: false, error: { name: e?.name ?? 'Error', message: e?.message ?? String(err), code: typeof e?.code === 'string' ? e.code : undefined } });
  }
});
