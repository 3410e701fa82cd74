// The durable copy of a LabelJoin's pending predictions: one SQLite table shared by all joins, rows keyed
// by the owning id (the first processor of a shared join, see shared-join.ts). Written only from persist()
// (inside the checkpoint transaction), so after `kill -9` the table matches the checkpointed state exactly.
import type { Db } from '../../storage/database.js';
import type { PendingChanges, PendingPrediction } from './join.js';

const claimed = new WeakMap<Db, Set<string>>();

export class PendingPredictionTable {
  private readonly upsert;
  private readonly remove;
  private readonly select;

  constructor(private readonly db: Db, private readonly owner: string) {
    // Two instances with one id (one processor listed in two pipelines) would overwrite each other's rows.
    const owners = claimed.get(db) ?? new Set<string>();
    claimed.set(db, owners);
    if (owners.has(owner)) {
      throw new Error(`processor ${owner} is used in more than one pipeline; give each use its own name (e.g. ${owner}/a, ${owner}/b)`);
    }
    owners.add(owner);
    db.exec(`CREATE TABLE IF NOT EXISTS label_join_pending (
      owner TEXT NOT NULL,
      id TEXT NOT NULL,
      model_name TEXT NOT NULL,
      model_version TEXT NOT NULL,
      predicted_class TEXT NOT NULL,
      at_ms REAL NOT NULL,
      seq INTEGER NOT NULL,
      PRIMARY KEY (owner, id)) WITHOUT ROWID`);
    this.upsert = db.prepare(`INSERT INTO label_join_pending (owner, id, model_name, model_version, predicted_class, at_ms, seq)
      VALUES (?, ?, ?, ?, ?, ?, ?)
      ON CONFLICT (owner, id) DO UPDATE SET model_name = excluded.model_name, model_version = excluded.model_version,
        predicted_class = excluded.predicted_class, at_ms = excluded.at_ms, seq = excluded.seq`);
    this.remove = db.prepare('DELETE FROM label_join_pending WHERE owner = ? AND id = ?');
    this.select = db.prepare('SELECT id, model_name, model_version, predicted_class, at_ms, seq FROM label_join_pending WHERE owner = ? ORDER BY seq');
  }

  /** Releases the owner id (on shutdown), so a restarted service in the same process may claim it. */
  release(): void {
    claimed.get(this.db)?.delete(this.owner);
  }

  /** Applies the overlay; call inside the checkpoint transaction. */
  apply(changes: PendingChanges): void {
    for (const [id, p] of changes) {
      if (p === null) this.remove.run(this.owner, id);
      else this.upsert.run(this.owner, id, p.modelName, p.modelVersion, p.predictedClass, p.atMs, p.seq);
    }
  }

  /** This owner's rows, or those another owner id wrote (a shared join whose owner changed). */
  load(owner = this.owner): PendingPrediction[] {
    const rows = this.select.all(owner) as { id: string; model_name: string; model_version: string; predicted_class: string; at_ms: number; seq: number }[];
    return rows.map((r) => ({ id: r.id, modelName: r.model_name, modelVersion: r.model_version, predictedClass: r.predicted_class, atMs: r.at_ms, seq: r.seq }));
  }

  /** Forgets every row of this owner (a processor starting without a checkpoint must not inherit rows). */
  clear(owner = this.owner): void {
    this.db.prepare('DELETE FROM label_join_pending WHERE owner = ?').run(owner);
  }

  /** Takes over the rows written under another owner id, dropping this owner's own; in a checkpoint transaction. */
  adopt(from: string): void {
    this.clear();
    this.db.prepare('UPDATE label_join_pending SET owner = ? WHERE owner = ?').run(this.owner, from);
  }
}
