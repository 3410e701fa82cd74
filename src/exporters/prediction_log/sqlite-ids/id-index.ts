// The SQLite log's index of prediction ids, kept by the writer: a log-structured merge instead of a
// unique B-tree. A unique index on random ids (trace id + span id) dirties a random page per row: ~10 KB
// written and ~30 µs per row at a million rows, against ~13 µs for time-ordered ids (BENCHMARKS.md,
// "Random prediction ids"). Here:
//   - rows are appended under an increasing `seq`; the ids of the rows past the watermark (the newest,
//     at most `runRows`) are held in memory (recent-ids.ts), rebuilt from the table at start, so nothing
//     is lost in a crash;
//   - when that table is full, those rows' ids are written as one sorted run, a WITHOUT ROWID table
//     (id, seq), with a Bloom filter stored beside it and the watermark moved, in one transaction;
//   - `fanout` runs of one level are merged into one run of the next, up to MAX_LEVEL, so a lookup asks
//     few runs. A merge is a streaming merge in SQLite (each run read in key order) done in steps, a few
//     ids per id written, so no write waits for a whole merge (4M ids took 9 s in one go); the runs it
//     merges serve lookups until its last step swaps them for the new run. A crash mid-merge leaves a
//     table outside the catalog, dropped at start, and the merge begins again;
//   - a lookup asks the recent ids, then each run whose filter may hold the id, newest first. An entry can
//     outlive its row (retention and erasure delete rows, not entries), so the caller verifies the row
//     still holds that id; merges drop entries older than the oldest row.
import type Database from 'better-sqlite3';
import { quoteIdent } from '../upsert-sql.js';
import { Bloom, hashId, type IdHash } from './bloom.js';
import { seqsInRunSql, type IdTables } from './names.js';
import { RecentIds } from './recent-ids.js';

/** Runs of this level are not merged further: a merge is at most fanout^MAX_LEVEL runs' worth of ids. */
const MAX_LEVEL = 2;
/** Ids merged per id written: each id is merged MAX_LEVEL times, so merges keep up with room to spare. */
const MERGE_PACE = 4;

/** What the index holds, for the agent's metrics. */
export interface IdIndexStats {
  /** Sorted runs in the catalog. */
  runs: number;
  /** Bytes of their Bloom filters in the writer's memory. */
  filterBytes: number;
  /** Ids of the newest rows, held in memory. */
  recentIds: number;
}

export interface IdIndexOptions {
  /** Ids per run of level 0 (and the most held in memory). */
  runRows?: number;
  /** Runs of one level merged into one of the next. */
  fanout?: number;
  /** The fewest ids a merge step copies. */
  minMergeStep?: number;
}

/** A merge under way: its target is not in the catalog until the last step. */
interface Merge {
  sources: Run[];
  level: number;
  target: string;
  /** Entries of rows older than this are left out (their rows were deleted). */
  oldestSeq: number;
  /** The last key copied, when any. */
  last?: [string, number];
  entries: number;
  bloom: Bloom;
}

interface Run {
  name: string;
  level: number;
  firstSeq: number;
  lastSeq: number;
  entries: number;
  bloom: Bloom;
  seqsOf: Database.Statement;
}

export class IdIndex {
  private readonly runRows: number;
  private readonly fanout: number;
  private readonly minMergeStep: number;
  /** Ids of rows with seq > watermark. */
  private readonly recent = new RecentIds();
  /** Newest first. */
  private runs: Run[] = [];
  private merging?: Merge;
  private watermark = 0;
  private readonly hash: IdHash = { a: 0, b: 0 };
  /** The last id looked up (or staged) and its hash. */
  private readonly found: IdHash = { a: 0, b: 0 };
  private hashed?: string;
  /** Rows inserted in the transaction under way, as columns. */
  private readonly staged = { ids: [] as string[], seqs: [] as number[], a: [] as number[], b: [] as number[] };

  constructor(
    private readonly db: Database.Database,
    private readonly names: IdTables,
    opts: IdIndexOptions = {},
  ) {
    this.runRows = opts.runRows ?? 65_536;
    this.fanout = opts.fanout ?? 8;
    this.minMergeStep = opts.minMergeStep ?? 1024;
    this.load();
  }

  /**
   * Offers `holds` the seq of each row that may hold this id, newest first, until it returns true (the
   * row held the id). False when no row does.
   */
  find(id: string, holds: (seq: number) => boolean): boolean {
    const h = hashId(id, this.found);
    this.hashed = id;
    const inMemory = this.recent.get(id, h);
    if (inMemory >= 0 && holds(inMemory)) return true;
    for (const run of this.runs) {
      if (!run.bloom.mayHave(h)) continue;
      for (const seq of run.seqsOf.all(id) as number[]) if (holds(seq)) return true;
    }
    return false;
  }

  /**
   * A row inserted in the transaction under way, held until `commitStaged`. Its id was most often just
   * looked up by `find`, whose hash is reused (hashing a 48-digit id again was ~0.3 µs per row).
   */
  stage(id: string, seq: number): void {
    const h = this.hashed === id ? this.found : hashId(id, this.found);
    this.hashed = id;
    const s = this.staged;
    s.ids.push(id);
    s.seqs.push(seq);
    s.a.push(h.a);
    s.b.push(h.b);
  }

  /** The staged rows' transaction committed: their ids are now found. */
  commitStaged(): void {
    const s = this.staged;
    const h = this.hash;
    for (let i = 0; i < s.ids.length; i++) {
      h.a = s.a[i];
      h.b = s.b[i];
      this.recent.set(s.ids[i], s.seqs[i], h);
    }
    this.discardStaged();
  }

  /** The staged rows' transaction rolled back (or is about to begin). */
  discardStaged(): void {
    const s = this.staged;
    s.ids.length = s.seqs.length = s.a.length = s.b.length = 0;
  }

  /**
   * Between transactions, after `written` rows: writes the recent ids as a run once they are a run's
   * worth, drops runs retention emptied, and takes a step of merging.
   */
  maintain(written: number): void {
    if (this.recent.size >= this.runRows) {
      const last = this.lastSeq();
      if (last > this.watermark) this.writeRun(this.watermark, last, 0, this.recentFilter());
      this.recent.clear();
      this.dropDeadRuns();
    }
    this.merging ??= this.nextMerge();
    if (this.merging) this.mergeStep(this.merging, Math.max(this.minMergeStep, written * MERGE_PACE));
  }

  stats(): IdIndexStats {
    return { runs: this.runs.length, filterBytes: this.runs.reduce((n, r) => n + r.bloom.bytes, 0) + (this.merging?.bloom.bytes ?? 0), recentIds: this.recent.size };
  }

  private load(): void {
    const db = this.db;
    const state = db.prepare(`SELECT watermark FROM ${this.names.state}`).get() as { watermark: number };
    this.watermark = state.watermark;
    const rows = db.prepare(`SELECT name, level, first_seq, last_seq, entries, bloom FROM ${this.names.catalog} ORDER BY last_seq DESC`).all() as {
      name: string; level: number; first_seq: number; last_seq: number; entries: number; bloom: Buffer;
    }[];
    this.runs = rows.map((r) => this.run(r.name, r.level, r.first_seq, r.last_seq, r.entries, Bloom.from(r.bloom)));
    // A merge the writer did not finish: its table is not in the catalog. The merge begins again.
    const tables = db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table'`).pluck().all() as string[];
    const unfinished = tables.filter((t) => this.names.isRunName(t) && !this.runs.some((r) => r.name === t));
    if (unfinished.length > 0) db.transaction(() => unfinished.forEach((t) => db.exec(`DROP TABLE ${quoteIdent(t)}`))).immediate();
    // A log upgraded from schema 1, or a writer that stopped with many rows past the watermark (it
    // cannot: at most runRows are held in memory), is indexed in runs of the largest size first.
    const largest = this.runRows * this.fanout ** MAX_LEVEL;
    const last = this.lastSeq();
    while (last - this.watermark > this.runRows) {
      const upTo = Math.min(last, this.watermark + largest);
      const level = Math.min(MAX_LEVEL, Math.floor(Math.log(Math.max(1, (upTo - this.watermark) / this.runRows)) / Math.log(this.fanout)));
      this.writeRun(this.watermark, upTo, level);
    }
    for (const r of db.prepare(`SELECT prediction_id, seq FROM ${this.names.log} WHERE seq > ?`).raw().iterate(this.watermark) as Iterable<[string, number]>) {
      this.recent.set(r[0], r[1], hashId(r[0], this.hash));
    }
  }

  /** A filter of the recent ids: those of the run about to be written, and any whose row was erased since. */
  private recentFilter(): Bloom {
    const bloom = Bloom.sized(this.recent.size);
    this.recent.eachHash(this.hash, (h) => bloom.add(h));
    return bloom;
  }

  private lastSeq(): number {
    return (this.db.prepare(`SELECT max(seq) AS s FROM ${this.names.log}`).get() as { s: number | null }).s ?? this.watermark;
  }

  /**
   * The ids of rows with seq in (after, upTo] as a run of `level`, and the watermark moved to upTo; its
   * filter given, or read back from the run.
   */
  private writeRun(after: number, upTo: number, level: number, filter?: Bloom): void {
    const db = this.db;
    db.transaction(() => {
      const name = this.newRunTable();
      const q = quoteIdent(name);
      const n = db.prepare(`INSERT INTO ${q} (id, seq) SELECT prediction_id, seq FROM ${this.names.log} WHERE seq > ? AND seq <= ? ORDER BY prediction_id, seq`).run(after, upTo).changes;
      // Rows deleted meanwhile (erasure) may leave nothing to index.
      if (n > 0) this.addRun(name, level, after + 1, upTo, n, filter);
      else db.exec(`DROP TABLE ${q}`);
      db.prepare(`UPDATE ${this.names.state} SET watermark = ?`).run(upTo);
    }).immediate();
    this.watermark = upTo;
  }

  /** The oldest `fanout` runs of the lowest level that has that many, to merge into one of the next. */
  private nextMerge(): Merge | undefined {
    for (let level = 0; level < MAX_LEVEL; level++) {
      const same = this.runs.filter((r) => r.level === level);
      if (same.length < this.fanout) continue;
      const sources = same.slice(-this.fanout);
      const target = this.db.transaction(() => this.newRunTable()).immediate();
      const entries = sources.reduce((n, r) => n + r.entries, 0);
      return { sources, level: level + 1, target, oldestSeq: this.oldestSeq(), entries: 0, bloom: Bloom.sized(entries) };
    }
    return undefined;
  }

  /** Copies the next `budget` entries of the merge; the last step puts the new run in the sources' place. */
  private mergeStep(m: Merge, budget: number): void {
    const db = this.db;
    const from = m.last ? '(id, seq) > (?, ?) AND ' : '';
    const arms = m.sources.map((r) => `SELECT id, seq FROM ${quoteIdent(r.name)} WHERE ${from}seq >= ?`).join(' UNION ALL ');
    const params = m.sources.flatMap(() => (m.last ? [...m.last, m.oldestSeq] : [m.oldestSeq]));
    const target = quoteIdent(m.target);
    let done = false;
    db.transaction(() => {
      // A compound SELECT ordered by the runs' own key is merged as it streams: no sort.
      const n = db.prepare(`INSERT INTO ${target} (id, seq) ${arms} ORDER BY 1, 2 LIMIT ?`).run(...params, budget).changes;
      const copied = db.prepare(`SELECT id, seq FROM ${target} WHERE ${m.last ? '(id, seq) > (?, ?)' : '1'} ORDER BY id, seq`).raw().iterate(...(m.last ?? [])) as Iterable<[string, number]>;
      const h = this.hash;
      for (const key of copied) {
        m.bloom.add(hashId(key[0], h));
        m.last = key;
      }
      m.entries += n;
      done = n < budget;
      if (done) {
        for (const r of m.sources) this.dropRun(r);
        const firstSeq = Math.min(...m.sources.map((r) => r.firstSeq));
        const lastSeq = Math.max(...m.sources.map((r) => r.lastSeq));
        this.addRun(m.target, m.level, firstSeq, lastSeq, m.entries, m.bloom);
      }
    }).immediate();
    if (done) this.merging = undefined;
  }

  /** The seq of the oldest row; Infinity when the log is empty. */
  private oldestSeq(): number {
    return (this.db.prepare(`SELECT min(seq) AS s FROM ${this.names.log}`).get() as { s: number | null }).s ?? Infinity;
  }

  /** Runs whose every row retention has deleted (a merge's sources wait for the merge). */
  private dropDeadRuns(): void {
    const oldest = this.oldestSeq();
    const dead = this.runs.filter((r) => r.lastSeq < oldest && !this.merging?.sources.includes(r));
    if (dead.length > 0) this.db.transaction(() => dead.forEach((r) => this.dropRun(r))).immediate();
  }

  private newRunTable(): string {
    const db = this.db;
    const { next_run } = db.prepare(`SELECT next_run FROM ${this.names.state}`).get() as { next_run: number };
    db.prepare(`UPDATE ${this.names.state} SET next_run = ?`).run(next_run + 1);
    const name = this.names.runName(next_run);
    db.exec(`CREATE TABLE ${quoteIdent(name)} (id TEXT NOT NULL, seq INTEGER NOT NULL, PRIMARY KEY (id, seq)) WITHOUT ROWID`);
    return name;
  }

  /**
   * Inside the transaction that filled the run: its catalog row, with its filter (built by a merge, or
   * read back from the table).
   */
  private addRun(name: string, level: number, firstSeq: number, lastSeq: number, entries: number, filter?: Bloom): void {
    const db = this.db;
    const bloom = filter ?? this.filterOf(name, entries);
    db.prepare(`INSERT INTO ${this.names.catalog} (name, level, first_seq, last_seq, entries, bloom) VALUES (?, ?, ?, ?, ?, ?)`)
      .run(name, level, firstSeq, lastSeq, entries, bloom.toBuffer());
    const run = this.run(name, level, firstSeq, lastSeq, entries, bloom);
    // Should the transaction roll back, the driver drops this object and loads the index afresh.
    this.runs = [...this.runs, run].sort((a, b) => b.lastSeq - a.lastSeq);
  }

  private filterOf(table: string, entries: number): Bloom {
    const bloom = Bloom.sized(entries);
    const h = this.hash;
    for (const id of this.db.prepare(`SELECT id FROM ${quoteIdent(table)}`).pluck().iterate() as Iterable<string>) bloom.add(hashId(id, h));
    return bloom;
  }

  private dropRun(run: Run): void {
    this.db.prepare(`DELETE FROM ${this.names.catalog} WHERE name = ?`).run(run.name);
    this.db.exec(`DROP TABLE ${quoteIdent(run.name)}`);
    this.runs = this.runs.filter((r) => r !== run);
  }

  private run(name: string, level: number, firstSeq: number, lastSeq: number, entries: number, bloom: Bloom): Run {
    const seqsOf = this.db.prepare(seqsInRunSql(name)).pluck();
    return { name, level, firstSeq, lastSeq, entries, bloom, seqsOf };
  }
}
