// The durable copy of a LabelJoin's pending predictions: a FifoJournal (storage/fifo-journal.ts) shared by
// all joins, rows keyed by the owning id (the first processor of a shared join, see shared-join.ts).
// Written only from persist() (inside the checkpoint transaction), so after `kill -9` the copy matches the
// checkpointed state exactly.
import type { Db } from '../../storage/database.js';
import { FifoJournal, type EncodedChunk } from '../../storage/fifo-journal.js';
import { decodeModelChunk, ModelChunk, type ModelColumns } from '../model-chunk.js';
import type { PendingPrediction } from './join.js';

const claimed = new WeakMap<Db, Set<string>>();

type Pending = Omit<PendingPrediction, 'seq'>;

interface PendingColumns extends ModelColumns {
  ids: string[];
  classes: string[];
}

/** Pending predictions in the journal's chunk format, appended one by one (no object per prediction). */
export class PendingChunk extends ModelChunk {
  private readonly ids: string[] = [];
  private readonly classes: string[] = [];

  add(seq: number, id: string, modelName: string, modelVersion: string, predictedClass: string, atMs: number): void {
    this.push(seq, modelName, modelVersion, atMs);
    this.ids.push(id);
    this.classes.push(predictedClass);
  }

  /** A chunk of these predictions (ascending seq). */
  static of(predictions: Iterable<PendingPrediction>): PendingChunk {
    const chunk = new PendingChunk();
    for (const p of predictions) chunk.add(p.seq, p.id, p.modelName, p.modelVersion, p.predictedClass, p.atMs);
    return chunk;
  }

  encoded(): EncodedChunk {
    return this.encode({ ids: this.ids, classes: this.classes });
  }
}

function decode(data: unknown): Pending[] {
  const c = data as PendingColumns;
  return decodeModelChunk(c, c.ids.length, (i, modelName, modelVersion, atMs) => ({ id: c.ids[i], modelName, modelVersion, predictedClass: c.classes[i], atMs }));
}

/**
 * The table of earlier versions, one row per prediction (keyed by owner and seq, or before that by owner
 * and id): its rows become one chunk per owner, in one transaction, and it is dropped.
 */
function migrateRowTable(db: Db, journal: FifoJournal<Pending>): void {
  const exists = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'label_join_pending'").get();
  if (!exists) return;
  db.transaction(() => {
    const rows = db.prepare('SELECT owner, seq, id, model_name, model_version, predicted_class, at_ms FROM label_join_pending ORDER BY owner, seq').all() as
      { owner: string; seq: number; id: string; model_name: string; model_version: string; predicted_class: string; at_ms: number }[];
    const byOwner = new Map<string, PendingChunk>();
    const first = new Map<string, number>();
    for (const r of rows) {
      let chunk = byOwner.get(r.owner);
      if (!chunk) {
        byOwner.set(r.owner, (chunk = new PendingChunk()));
        first.set(r.owner, r.seq);
      }
      chunk.add(r.seq, r.id, r.model_name, r.model_version, r.predicted_class, r.at_ms);
    }
    for (const [owner, chunk] of byOwner) journal.write(owner, [chunk.encoded()], [], first.get(owner)!);
    db.exec('DROP TABLE label_join_pending');
  })();
}

export class PendingPredictionTable {
  private readonly journal: FifoJournal<Pending>;

  constructor(private readonly db: Db, private readonly owner: string) {
    // Two instances with one id (one processor listed in two pipelines) would overwrite each other's rows.
    const owners = claimed.get(db) ?? new Set<string>();
    claimed.set(db, owners);
    if (owners.has(owner)) {
      throw new Error(`processor ${owner} is used in more than one pipeline; give each use its own name (e.g. ${owner}/a, ${owner}/b)`);
    }
    owners.add(owner);
    this.journal = new FifoJournal(db, 'label_join_pending', decode);
    migrateRowTable(db, this.journal);
  }

  /** Releases the owner id (on shutdown), so a restarted service in the same process may claim it. */
  release(): void {
    claimed.get(this.db)?.delete(this.owner);
  }

  /**
   * Writes the predictions added since the last write (`added`, chunks in ascending seq), tombstones for
   * those removed from the middle, and `low`, the oldest seq the join still holds. In the checkpoint transaction.
   */
  write(added: readonly PendingChunk[], removed: readonly number[], low: number): void {
    this.journal.write(this.owner, added.map((c) => c.encoded()), removed, low);
  }

  /** This owner's predictions, or those another owner id wrote (a shared join whose owner changed). */
  load(owner = this.owner): PendingPrediction[] {
    return this.journal.load(owner).map((e) => ({ ...e.value, seq: e.seq }));
  }

  /** Forgets every row of this owner (a processor starting without a checkpoint must not inherit rows). */
  clear(owner = this.owner): void {
    this.journal.clear(owner);
  }

  /** Takes over the rows written under another owner id, dropping this owner's own; in a checkpoint transaction. */
  adopt(from: string): void {
    this.journal.rename(from, this.owner);
  }
}

/** Every owner's pending predictions, by owner then age (diagnostics and tests). */
export function allPendingPredictions(db: Db): (PendingPrediction & { owner: string })[] {
  const journal = new FifoJournal(db, 'label_join_pending', decode);
  return journal.owners().flatMap((owner) => journal.load(owner).map((e) => ({ owner, ...e.value, seq: e.seq })));
}
