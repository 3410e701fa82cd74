// SQLite's page cache, per connection. better-sqlite3 builds SQLite with a 16 MB default, which the
// prediction log's connection fills within a minute at 10k spans/s and the agent's own database (the
// queue's tail, the journals) nearly so: ~30 MiB of the agent's resident memory. Neither needs it: the
// operating system caches the same pages, the queue is read back within a second of being written, and
// the log's writes go to the id runs' last pages. Measured (fourteenth session, three alternating pairs):
// peak RSS at 10k spans/s 211-230 MiB against 247-248, CPU within the noise; the log alone at 2^20 rows
// 12.1-13.1 µs a row against 13.1-13.2.
import type { Db } from './database.js';

export const PAGE_CACHE_KIB = 2048;

export function limitPageCache(db: Db): void {
  db.pragma(`cache_size = -${PAGE_CACHE_KIB}`);
}
