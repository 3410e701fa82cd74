// The thread of wal-checkpointer.ts: its own connection to the agent's database, a passive checkpoint
// every interval, and what each one did posted back.
import Database from 'better-sqlite3';
import { parentPort, workerData } from 'node:worker_threads';
import type { CheckpointerData, CheckpointReport } from './wal-checkpointer.js';

const { path, sync, intervalMs } = workerData as CheckpointerData;
const db = new Database(path, { fileMustExist: true });
// The same durability as the writers': FULL syncs the database file after each copy.
db.pragma(`synchronous = ${sync === 'normal' ? 'NORMAL' : 'FULL'}`);
// This connection never writes rows; it must not start a checkpoint of its own on top of these.
db.pragma('wal_autocheckpoint = 0');

setInterval(() => {
  let report: CheckpointReport;
  try {
    // PASSIVE: copies what no reader still needs and never waits for, or blocks, the writers.
    const [r] = db.pragma('wal_checkpoint(PASSIVE)') as { busy: number; log: number; checkpointed: number }[];
    report = { ok: true, walPages: r.log, copiedPages: r.checkpointed };
  } catch (err) {
    report = { ok: false, error: (err as Error).message };
  }
  parentPort!.postMessage(report);
}, intervalMs);
