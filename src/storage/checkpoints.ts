// A consumer's position in the queue and the state that reflects exactly the rows up to it, written in
// one transaction so that a restart resumes where the state left off: no row counted twice or missed.
import { deserialize, serialize } from 'node:v8';
import { withoutCommitSync, type Db } from './database.js';

export interface Checkpoint {
  position: number;
  state: unknown;
}

export class Checkpoints {
  private readonly upsert;
  private readonly get;
  private readonly all;
  private readonly remove;

  /** `db` is also where consumers keep tables beside their state (written in save()'s transaction). */
  constructor(readonly db: Db) {
    db.exec(`CREATE TABLE IF NOT EXISTS checkpoints (
      consumer TEXT PRIMARY KEY,
      position INTEGER NOT NULL,
      state BLOB,
      updated_ms REAL NOT NULL)`);
    this.upsert = db.prepare(`INSERT INTO checkpoints (consumer, position, state, updated_ms) VALUES (?, ?, ?, ?)
      ON CONFLICT (consumer) DO UPDATE SET position = excluded.position, state = excluded.state, updated_ms = excluded.updated_ms`);
    this.get = db.prepare('SELECT position, state FROM checkpoints WHERE consumer = ?');
    this.all = db.prepare('SELECT consumer, position FROM checkpoints');
    this.remove = db.prepare('DELETE FROM checkpoints WHERE consumer = ?');
  }

  load(consumer: string): Checkpoint | undefined {
    const row = this.get.get(consumer) as { position: number; state: Buffer | null } | undefined;
    if (!row) return undefined;
    return { position: row.position, state: row.state ? deserialize(row.state) : undefined };
  }

  /**
   * Saves position and state; `alsoWrite` runs in the same transaction (tables kept beside the state).
   * No fsync of its own (withoutCommitSync): a checkpoint lost to a power cut is replayed from the last.
   */
  save(consumer: string, position: number, state: unknown, alsoWrite?: () => void): void {
    const blob = state === undefined ? null : serialize(state);
    withoutCommitSync(this.db, () =>
      this.db.transaction(() => {
        alsoWrite?.();
        this.upsert.run(consumer, position, blob, Date.now());
      })(),
    );
  }

  positions(): Map<string, number> {
    return new Map((this.all.all() as { consumer: string; position: number }[]).map((r) => [r.consumer, r.position]));
  }

  /** Forgets consumers no longer configured, so they do not hold queue rows forever. */
  forget(consumer: string): void {
    this.remove.run(consumer);
  }
}
