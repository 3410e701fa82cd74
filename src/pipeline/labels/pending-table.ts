// The durable copy of a LabelJoin's pending predictions: one SQLite table shared by all joins, rows keyed
// by the owning id (the first processor of a shared join, see shared-join.ts). Written only from persist()
// (inside the checkpoint transaction), so after `kill -9` the table matches the checkpointed state exactly.
import type { Db } from '../../storage/database.js';
import type { PendingChanges, PendingPrediction } from './join.js';

const claimed = new WeakMap<Db, Set<string>>();

// Keyed by the join's sequence number, which only grows: new predictions are appended at one end of the
// b-tree and the oldest (evicted, expired) removed at the other, touching few pages. Keyed by the random
// prediction id, as at first, every checkpoint at 10k predictions/s rewrote pages all over the table
// (~60 ms of the event loop a second).
const COLUMNS = `owner TEXT NOT NULL,
      seq INTEGER NOT NULL,
      id TEXT NOT NULL,
      model_name TEXT NOT NULL,
      model_version TEXT NOT NULL,
      predicted_class TEXT NOT NULL,
      at_ms REAL NOT NULL,
      PRIMARY KEY (owner, seq)`;

/** A table from before (keyed by owner and id) is rebuilt with the same rows, in one transaction. */
function migrateToSeqKey(db: Db): void {
  const cols = db.prepare("SELECT name, pk FROM pragma_table_info('label_join_pending')").all() as { name: string; pk: number }[];
  if (cols.find((c) => c.name === 'id')?.pk !== 2) return;
  db.transaction(() => {
    db.exec('ALTER TABLE label_join_pending RENAME TO label_join_pending_by_id');
    db.exec(`CREATE TABLE label_join_pending (${COLUMNS}) WITHOUT ROWID`);
    db.exec(`INSERT OR REPLACE INTO label_join_pending (owner, seq, id, model_name, model_version, predicted_class, at_ms)
      SELECT owner, seq, id, model_name, model_version, predicted_class, at_ms FROM label_join_pending_by_id`);
    db.exec('DROP TABLE label_join_pending_by_id');
  })();
}

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
    migrateToSeqKey(db);
    db.exec(`CREATE TABLE IF NOT EXISTS label_join_pending (${COLUMNS}) WITHOUT ROWID`);
    this.upsert = db.prepare(`INSERT OR REPLACE INTO label_join_pending (owner, seq, id, model_name, model_version, predicted_class, at_ms)
      VALUES (?, ?, ?, ?, ?, ?, ?)`);
    this.remove = db.prepare('DELETE FROM label_join_pending WHERE owner = ? AND seq = ?');
    this.select = db.prepare('SELECT id, model_name, model_version, predicted_class, at_ms, seq FROM label_join_pending WHERE owner = ? ORDER BY seq');
  }

  /** Releases the owner id (on shutdown), so a restarted service in the same process may claim it. */
  release(): void {
    claimed.get(this.db)?.delete(this.owner);
  }

  /** Applies the overlay; call inside the checkpoint transaction. */
  apply(changes: PendingChanges): void {
    for (const [seq, p] of changes) {
      if (p === null) this.remove.run(this.owner, seq);
      else this.upsert.run(this.owner, seq, p.id, p.modelName, p.modelVersion, p.predictedClass, p.atMs);
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
