// What a SQLite prediction log file holds of its id index (src/exporters/prediction_log/sqlite-ids/),
// read with a connection of its own, for tests to set against what the writer and its gauges say.
import Database from 'better-sqlite3';

export interface IdIndexOnDisk {
  /** The catalog's runs, oldest first. */
  runs: { level: number; entries: number; first_seq: number; last_seq: number }[];
  /** Run tables not in the catalog: merges under way (or cut short by a crash). */
  unfinished: number;
  /** Rows past the watermark: their ids are in the writer's memory. */
  recent: number;
}

export function idIndexOnDisk(file: string, table: string): IdIndexOnDisk {
  const db = new Database(file, { readonly: true });
  try {
    const runs = db.prepare(`SELECT level, entries, first_seq, last_seq FROM "${table}:id_runs" ORDER BY last_seq`).all() as IdIndexOnDisk['runs'];
    const unfinished = db.prepare(`SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name LIKE '${table}:ids:%' AND name NOT IN (SELECT name FROM "${table}:id_runs")`).pluck().get() as number;
    const recent = db.prepare(`SELECT count(*) FROM "${table}" WHERE seq > (SELECT watermark FROM "${table}:id_index")`).pluck().get() as number;
    return { runs, unfinished, recent };
  } finally {
    db.close();
  }
}
