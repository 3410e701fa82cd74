// Where a feedback/sql receiver has read up to, in the agent's database. Written only after the labels
// before it were committed to the queue, so a crash re-reads (at least once), never skips.
import type { Db } from '../../storage/database.js';

export class CursorStore {
  private readonly get;
  private readonly put;

  constructor(db: Db, private readonly receiver: string) {
    db.exec(`CREATE TABLE IF NOT EXISTS feedback_sql_cursor (
      receiver TEXT PRIMARY KEY,
      cursor TEXT NOT NULL,
      updated_ms REAL NOT NULL)`);
    this.get = db.prepare('SELECT cursor FROM feedback_sql_cursor WHERE receiver = ?');
    this.put = db.prepare(`INSERT INTO feedback_sql_cursor (receiver, cursor, updated_ms) VALUES (?, ?, ?)
      ON CONFLICT (receiver) DO UPDATE SET cursor = excluded.cursor, updated_ms = excluded.updated_ms`);
  }

  load(): string | undefined {
    return (this.get.get(this.receiver) as { cursor: string } | undefined)?.cursor;
  }

  save(cursor: string, nowMs: number): void {
    this.put.run(this.receiver, cursor, nowMs);
  }
}
