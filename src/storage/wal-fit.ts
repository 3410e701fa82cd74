// A WAL copied into its database file only every N pages (fewer, larger checkpoints) must still fit the
// disk: on a disk with less room than that, the WAL fills it by itself and then stays full for good, as a
// checkpoint needs room to grow the database file and SQLite checkpoints only after a commit that
// succeeded. Tested on a 16 MiB tmpfs (test/integration/reliability/disk-full.test.ts).
import { statfsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Db } from './database.js';

const PAGE_BYTES = 4096;
const MIN_PAGES = 64;

/**
 * Sets the WAL's checkpoint size to `maxPages`, or to a quarter of the disk's free space when that is
 * less (and back up when room returns); returns the size set. Cheap (a statfs): call it before writes, at
 * most every second.
 */
export function fitWalToDisk(db: Db, maxPages: number): number {
  if (db.memory) return maxPages;
  let free: number;
  try {
    const disk = statfsSync(dirname(resolve(db.name)));
    free = disk.bavail * disk.bsize;
  } catch {
    free = Infinity;
  }
  const pages = Math.max(MIN_PAGES, Math.min(maxPages, Math.floor(free / 4 / PAGE_BYTES)));
  db.pragma(`wal_autocheckpoint = ${pages}`);
  return pages;
}
