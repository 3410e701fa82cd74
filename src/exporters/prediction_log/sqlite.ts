// The SQLite driver: better-sqlite3, WAL, one transaction per batch, written on a thread of its own.
// Rows are found by prediction id through the log's own id index (sqlite-ids/): the writer asks it
// whether a row exists, merges into it with UPDATE ... FROM or appends a new one.
// NaN cannot be stored in a REAL column (SQLite turns it into NULL), so a NaN number is stored as the
// text 'NaN' (SQLite columns are dynamically typed) and read back as NaN; ±Infinity are stored as REAL.
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { SCHEMA_TABLE, type LogDriver, type StoredRow } from './driver.js';
import type { ConsumerRecord } from '../../pipeline/records.js';
import { COLUMNS, JSON_COLUMNS, NUMBER_COLUMNS, rowValues, type LogRow, type Refusal } from './row.js';
import { sqliteMigrations } from './schema/sqlite.js';
import { SqliteWriterThread } from './sqlite-writer.js';
import { fitWalToDisk } from '../../storage/wal-fit.js';
import { limitPageCache } from '../../storage/page-cache.js';
import { mergeAssignments, quoteIdent } from './upsert-sql.js';
import { IdIndex, type IdIndexOptions, type IdIndexStats } from './sqlite-ids/id-index.js';
import { rowById } from './sqlite-ids/lookup.js';
import { idTables, type IdTables } from './sqlite-ids/names.js';
import type { Queryable, SqlRunner } from './sql-runner.js';

const DATA_ERRORS = /^SQLITE_(TOOBIG|CONSTRAINT|MISMATCH|RANGE)/;

/** WAL pages (4 KiB) per checkpoint where the disk has room: 64 MiB. */
const WAL_CHECKPOINT_PAGES = 16384;

export class SqliteDriver implements LogDriver, Queryable {
  readonly target: string;
  private db?: Database.Database;
  private insert?: Database.Statement;
  private update?: Database.Statement;
  /** The writer's view of the id index, loaded at the first write (readers do without: lookup.ts). */
  private ids?: IdIndex;
  private readonly names: IdTables;
  private walFittedMs = 0;
  private readonly t: string;

  /** Where write() runs its transactions: a thread of its own (see sqlite-writer.ts), or this connection. */
  private readonly thread?: SqliteWriterThread;

  constructor(
    private readonly path: string,
    private readonly table: string,
    private readonly opts: { writerThread?: boolean; idIndex?: IdIndexOptions } = {},
  ) {
    this.target = `sqlite ${resolve(path)} table ${table}`;
    this.t = quoteIdent(table);
    this.names = idTables(table);
    if (opts.writerThread ?? true) this.thread = new SqliteWriterThread(path, table, opts.idIndex);
  }

  private open(): Database.Database {
    if (this.db) return this.db;
    mkdirSync(dirname(resolve(this.path)), { recursive: true });
    const db = new Database(this.path);
    db.pragma('journal_mode = WAL');
    // The queue row is trimmed once this commit returns: make it survive power loss too.
    db.pragma('synchronous = FULL');
    db.pragma('busy_timeout = 5000');
    limitPageCache(db);
    // A page changed by several batches (the time indexes' last pages, a run being merged) is copied into
    // the file once per 64 MiB of WAL instead of once per 4 MiB (the default). Measured with schema 1's
    // unique id index on 820k rows in batches of 4096: 20.9k → 26.3k rows/s, CPU 23.8 → 20.5 s. Less on a
    // small disk.
    fitWalToDisk(db, WAL_CHECKPOINT_PAGES);
    this.walFittedMs = Date.now();
    this.db = db;
    return db;
  }

  /** Follows the disk's free space with the WAL's checkpoint size (wal-fit.ts), once a second at most. */
  private fitWal(db: Database.Database): void {
    const now = Date.now();
    if (now - this.walFittedMs < 1000) return;
    this.walFittedMs = now;
    fitWalToDisk(db, WAL_CHECKPOINT_PAGES);
  }

  async migrate(): Promise<void> {
    const db = this.open();
    db.exec(`CREATE TABLE IF NOT EXISTS ${SCHEMA_TABLE} (table_name TEXT NOT NULL, version INTEGER NOT NULL, applied_at TEXT NOT NULL, PRIMARY KEY (table_name, version))`);
    const steps = sqliteMigrations(this.table);
    db.transaction(() => {
      const row = db.prepare(`SELECT max(version) AS v FROM ${SCHEMA_TABLE} WHERE table_name = ?`).get(this.table) as { v: number | null };
      const applied = row.v ?? 0;
      if (applied > steps.length) throw new Error(`${this.target} has schema version ${applied}, newer than this agent knows (${steps.length})`);
      for (let v = applied + 1; v <= steps.length; v++) {
        db.exec(steps[v - 1]);
        db.prepare(`INSERT INTO ${SCHEMA_TABLE} (table_name, version, applied_at) VALUES (?, ?, ?)`).run(this.table, v, new Date().toISOString());
      }
    }).immediate();
    this.insert = db.prepare(`INSERT INTO ${this.t} (${COLUMNS.join(', ')}) VALUES (${COLUMNS.map(() => '?').join(', ')})`);
    const patch = COLUMNS.map((c) => `? AS ${c}`).join(', ');
    this.update = db.prepare(`UPDATE ${this.t} AS cur SET ${mergeAssignments()} FROM (SELECT ${patch}) AS excluded WHERE cur.seq = ? AND cur.prediction_id = excluded.prediction_id`);
  }

  async write(rows: readonly LogRow[]): Promise<void> {
    const values = rows.map(rowValues);
    if (this.thread) return this.thread.write(values);
    return this.writeValues(values);
  }

  /** With a writer thread: the seconds it has been busy (undefined without one). */
  threadBusySeconds(): number | undefined {
    return this.thread?.busySeconds();
  }

  /** The id index as its writer last saw it (undefined before the first write). */
  idIndexStats(): IdIndexStats | undefined {
    return this.thread ? this.thread.idIndexStats() : this.ids?.stats();
  }

  /** With a writer thread: the records are mapped and written there (store-batch.ts). */
  get storeRecords(): ((batch: readonly ConsumerRecord[]) => Promise<Refusal[]>) | undefined {
    const thread = this.thread;
    return thread && ((batch) => thread.storeRecords(batch));
  }

  /** Upserts rows given as values in COLUMNS order (distinct ids), in one transaction on this connection. */
  async writeValues(rows: readonly unknown[][]): Promise<void> {
    if (!this.insert) await this.migrate();
    const db = this.open();
    this.fitWal(db);
    const ids = (this.ids ??= new IdIndex(db, this.names, this.opts.idIndex));
    const insert = this.insert!;
    const update = this.update!;
    ids.discardStaged();
    db.transaction(() => {
      for (const r of rows) {
        const id = r[0] as string; // COLUMNS[0]
        // A row without an id goes to the insert, whose NOT NULL refuses it as the data's fault.
        if (typeof id === 'string' && ids.find(id, (seq) => update.run(...r, seq).changes === 1)) continue;
        // Values as arguments, not one array: the binding reads an array element by element through V8's
        // object API (~0.4 µs of 2.5 per row, measured in memory with the log's 21 columns).
        ids.stage(id, Number(insert.run(...r).lastInsertRowid));
      }
    }).immediate();
    ids.commitStaged();
    try {
      ids.maintain(rows.length);
    } catch (err) {
      // Its runs in memory may no longer match the database's: load them again at the next write. The
      // rows committed; the batch is offered again all the same, and its rows merge into themselves.
      this.ids = undefined;
      throw err;
    }
  }

  isDataError(err: unknown): boolean {
    if (err instanceof TypeError || err instanceof RangeError) return true;
    const code = (err as { code?: unknown })?.code;
    return typeof code === 'string' && DATA_ERRORS.test(code);
  }

  async get(id: string): Promise<StoredRow | undefined> {
    const r = rowById(this.open(), this.names, id);
    return r && toStored(r);
  }

  async count(): Promise<number> {
    return (this.open().prepare(`SELECT count(*) AS n FROM ${this.t}`).get() as { n: number }).n;
  }

  async firstTime(fromIso: string, beforeIso: string): Promise<string | undefined> {
    const r = this.open().prepare(`SELECT min(time) AS t FROM ${this.t} WHERE time >= ? AND time < ?`).get(fromIso, beforeIso) as { t: string | null };
    return r.t ?? undefined;
  }

  async page(fromIso: string, toIso: string, after: { time: string; id: string } | undefined, limit: number): Promise<StoredRow[]> {
    const db = this.open();
    const rows = after
      ? db.prepare(`SELECT * FROM ${this.t} WHERE time >= ? AND time < ? AND (time, prediction_id) > (?, ?) ORDER BY time, prediction_id LIMIT ?`).all(fromIso, toIso, after.time, after.id, limit)
      : db.prepare(`SELECT * FROM ${this.t} WHERE time >= ? AND time < ? ORDER BY time, prediction_id LIMIT ?`).all(fromIso, toIso, limit);
    return (rows as Record<string, unknown>[]).map(toStored);
  }

  async deleteBefore(cutoffIso: string): Promise<number> {
    const r = this.open().prepare(`DELETE FROM ${this.t} WHERE time < ? OR (time IS NULL AND ground_truth_at < ?)`).run(cutoffIso, cutoffIso);
    return r.changes;
  }

  /** For analysis and data-subject queries (analysis.ts), on this driver's connection. */
  sql(): SqlRunner {
    return {
      dialect: 'sqlite',
      table: this.t,
      all: async (sql, params) => this.open().prepare(sql).all(...params) as Record<string, unknown>[],
      run: async (sql, params) => this.open().prepare(sql).run(...params).changes,
      toStored,
    };
  }

  async close(): Promise<void> {
    await this.thread?.close();
    this.db?.close();
    this.db = undefined;
    this.insert = undefined;
    this.update = undefined;
    this.ids = undefined;
  }
}

function toStored(r: Record<string, unknown>): StoredRow {
  const out: Record<string, unknown> = {};
  for (const c of COLUMNS) {
    const v = r[c] ?? null;
    if (v !== null && JSON_COLUMNS.has(c)) out[c] = JSON.parse(v as string);
    else if (v !== null && NUMBER_COLUMNS.has(c)) out[c] = Number(v);
    else out[c] = v;
  }
  return out as StoredRow;
}
