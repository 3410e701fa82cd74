// The agent's own SQLite database: the durable queue, checkpoints and processor history live here.
// WAL mode; `synchronous` FULL by default so that an acknowledged batch survives power loss too, not
// only a crash of the process (NORMAL survives `kill -9` and is faster: see storage.sync).
import Database from 'better-sqlite3';
import { existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { limitPageCache } from './page-cache.js';

export type Db = Database.Database;

/** 'mwat': marks a database as ours, so a foreign file is refused instead of being written to. */
export const APPLICATION_ID = 0x6d776174;

export class StorageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StorageError';
  }
}

export interface OpenOptions {
  sync?: 'normal' | 'full';
}

export function openDatabase(path: string, opts: OpenOptions = {}): Db {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  let db: Db;
  try {
    db = new Database(path);
  } catch (err) {
    throw new StorageError(`cannot open storage database ${path}: ${(err as Error).message}`);
  }
  try {
    verify(db, path);
    db.pragma(`application_id = ${APPLICATION_ID}`);
    db.pragma('journal_mode = WAL');
    db.pragma(`synchronous = ${opts.sync === 'normal' ? 'NORMAL' : 'FULL'}`);
    db.pragma('busy_timeout = 5000');
    limitPageCache(db);
  } catch (err) {
    db.close();
    if (err instanceof StorageError) throw err;
    throw new StorageError(`cannot use storage database ${path}: ${(err as Error).message}`);
  }
  return db;
}

/**
 * Runs `write`, whose transactions commit without an fsync of their own: for writes that need no
 * durability of their own because the next synced commit (an acknowledged batch's, a few ms later) makes
 * them durable with it. A WAL is recovered as a prefix of its commits, so a later commit that survives a
 * power loss brings these along, and one lost with them is replayed: a consumer's checkpoint (the queue
 * rows after the previous one stay until a trim that comes after it), a queue trim. With synchronous
 * FULL each cost an fdatasync on the event loop, 3–5 ms once a second at 10k spans/s.
 */
export function withoutCommitSync<T>(db: Db, write: () => T): T {
  const level = db.pragma('synchronous', { simple: true }) as number;
  // NORMAL (1) and OFF (0) sync nothing at commit already.
  if (level <= 1) return write();
  db.pragma('synchronous = NORMAL');
  try {
    return write();
  } finally {
    db.pragma(`synchronous = ${level}`);
  }
}

/** Refuses a file that is not ours or is damaged: the same checks at start and in `modelwatch validate`. */
function verify(db: Db, path: string): void {
  const appId = db.pragma('application_id', { simple: true }) as number;
  const tables = db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE type = 'table'").get() as { n: number };
  if (appId !== APPLICATION_ID && tables.n > 0) {
    throw new StorageError(`${path} is not a modelwatch storage database (it holds other tables); point storage.path at a new file`);
  }
  const check = db.pragma('quick_check', { simple: true });
  if (check !== 'ok') throw new StorageError(`storage database ${path} is corrupt (quick_check: ${String(check)}); move it aside to start afresh`);
}

/** Read-only check for `modelwatch validate`: undefined when the file is absent or usable, else why not. */
export function checkStorageFile(path: string): string | undefined {
  if (path === ':memory:' || !existsSync(path)) return undefined;
  let db: Db;
  try {
    db = new Database(path, { readonly: true, fileMustExist: true });
  } catch (err) {
    return `cannot open storage database ${path}: ${(err as Error).message}`;
  }
  try {
    verify(db, path);
    return undefined;
  } catch (err) {
    return err instanceof StorageError ? err.message : `cannot use storage database ${path}: ${(err as Error).message}`;
  } finally {
    db.close();
  }
}
