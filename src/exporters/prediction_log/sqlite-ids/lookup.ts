// Reading a row by prediction id without the writer's memory (id-index.ts keeps the newest ids and the
// runs' Bloom filters on the writer thread): the rows past the watermark are scanned (at most one run's
// worth), then each run is asked, newest first. One read transaction, so a merge committed meanwhile by
// the writer cannot drop a run between reading the catalog and reading the run.
import type Database from 'better-sqlite3';
import { seqsInRunSql, type IdTables } from './names.js';

export function rowById(db: Database.Database, names: IdTables, id: string): Record<string, unknown> | undefined {
  return db.transaction(() => {
    const { watermark } = db.prepare(`SELECT watermark FROM ${names.state}`).get() as { watermark: number };
    const tail = db.prepare(`SELECT * FROM ${names.log} WHERE seq > ? AND prediction_id = ? ORDER BY seq DESC LIMIT 1`).get(watermark, id);
    if (tail) return tail as Record<string, unknown>;
    const runs = db.prepare(`SELECT name FROM ${names.catalog} ORDER BY last_seq DESC`).pluck().all() as string[];
    const atSeq = db.prepare(`SELECT * FROM ${names.log} WHERE seq = ? AND prediction_id = ?`);
    for (const run of runs) {
      const seqs = db.prepare(seqsInRunSql(run)).pluck().all(id) as number[];
      for (const seq of seqs) {
        const row = atSeq.get(seq, id);
        if (row) return row as Record<string, unknown>;
      }
    }
    return undefined;
  })();
}
