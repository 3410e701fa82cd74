// The PostgreSQL driver: a pg Pool; each batch is one transaction of
// `INSERT ... SELECT FROM jsonb_array_elements($1) ON CONFLICT ...` statements of at most max_rows rows
// (one round trip per statement, whatever the row count). PostgreSQL text and jsonb cannot hold U+0000:
// it is stored as U+FFFD (see pgClean). Connection failures throw, so the pipeline retries the batch.
import pg from 'pg';
import { SCHEMA_TABLE, type LogDriver, type StoredRow } from './driver.js';
import { COLUMNS, JSON_COLUMNS, NUMBER_COLUMNS, TIME_COLUMNS, rowValues, wellFormed, type Clean, type LogRow } from './row.js';
import { postgresMigrations } from './schema/postgres.js';
import { onConflictUpdate, quoteIdent } from './upsert-sql.js';
import type { Queryable, SqlRunner } from './sql-runner.js';

/** SQLSTATE classes caused by the rows themselves: data exception, integrity, program limit (index row size). */
const DATA_ERROR_CLASSES = new Set(['22', '23', '54']);
/** A statement that hangs (server paused, network gone) must fail, so the batch is retried. */
const QUERY_TIMEOUT_MS = 60_000;

export const pgClean: Clean = (s) => {
  const w = wellFormed(s);
  return w.includes('\u0000') ? w.replace(/\u0000/g, '\uFFFD') : w;
};

function sqlType(c: keyof LogRow): string {
  if (TIME_COLUMNS.has(c)) return 'timestamptz';
  if (NUMBER_COLUMNS.has(c)) return 'float8';
  if (JSON_COLUMNS.has(c)) return 'jsonb';
  return 'text';
}

/** host:port/db of a postgres url, never the password (for logs and errors). */
export function describeUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.username ? `${decodeURIComponent(u.username)}@` : ''}${u.hostname}:${u.port || 5432}${u.pathname}`;
  } catch {
    return '(unparsable postgres url)';
  }
}

export interface PostgresDriverOptions {
  url: string;
  table: string;
  connectTimeoutMs: number;
  /** Idle connections that break (server restart) are reported here instead of crashing the process. */
  onIdleError?(err: Error): void;
}

export class PostgresDriver implements LogDriver, Queryable {
  readonly target: string;
  private readonly pool: pg.Pool;
  private readonly t: string;
  private readonly upsertSql: string;
  private migrated = false;

  constructor(private readonly opts: PostgresDriverOptions) {
    this.target = `postgres ${describeUrl(opts.url)} table ${opts.table}`;
    this.t = quoteIdent(opts.table);
    this.pool = new pg.Pool({
      connectionString: opts.url,
      max: 4,
      connectionTimeoutMillis: opts.connectTimeoutMs,
      idleTimeoutMillis: 30_000,
      query_timeout: QUERY_TIMEOUT_MS,
      application_name: 'modelwatch',
    });
    this.pool.on('error', (err) => opts.onIdleError?.(err));
    // The rows travel as one JSON array of arrays, each value cast from its text by PostgreSQL. pg's
    // encoding of 21 text arrays (two escapes and a concatenation per value, on the event loop) cost
    // 11-27 µs per row, JSON.stringify ~1 (BENCHMARKS.md, "The eleventh session").
    const values = COLUMNS.map((c, i) => `(r->>${i})::${sqlType(c)}`).join(', ');
    this.upsertSql = `INSERT INTO ${this.t} AS cur (${COLUMNS.join(', ')}) SELECT ${values} FROM jsonb_array_elements($1::jsonb) AS r ${onConflictUpdate()}`;
  }

  private async transaction<T>(work: (c: pg.PoolClient) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    let broken: Error | undefined;
    // pg-pool listens for errors only on idle clients: a server that goes away while this one is checked
    // out between two queries emits 'error' with no listener, which would crash the agent.
    const onError = (err: Error) => (broken = err);
    client.on('error', onError);
    try {
      await client.query('BEGIN');
      const out = await work(client);
      await client.query('COMMIT');
      return out;
    } catch (err) {
      await client.query('ROLLBACK').catch((e: Error) => (broken = e));
      throw err;
    } finally {
      // A connection that could not even roll back is discarded, not returned to the pool.
      client.removeListener('error', onError);
      client.release(broken);
    }
  }

  async migrate(): Promise<void> {
    const steps = postgresMigrations(this.opts.table);
    await this.transaction(async (c) => {
      // Two agents starting at once against one database: one migrates, the other waits.
      await c.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`modelwatch_log:${this.opts.table}`]);
      await c.query(`CREATE TABLE IF NOT EXISTS ${SCHEMA_TABLE} (table_name text NOT NULL, version integer NOT NULL, applied_at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (table_name, version))`);
      const { rows } = await c.query(`SELECT coalesce(max(version), 0) AS v FROM ${SCHEMA_TABLE} WHERE table_name = $1`, [this.opts.table]);
      const applied = Number(rows[0].v);
      if (applied > steps.length) throw new Error(`${this.target} has schema version ${applied}, newer than this agent knows (${steps.length})`);
      for (let v = applied + 1; v <= steps.length; v++) {
        await c.query(steps[v - 1]);
        await c.query(`INSERT INTO ${SCHEMA_TABLE} (table_name, version) VALUES ($1, $2)`, [this.opts.table, v]);
      }
    });
    this.migrated = true;
  }

  async write(rows: readonly LogRow[], maxRows: number): Promise<void> {
    if (!this.migrated) await this.migrate();
    await this.transaction(async (c) => {
      for (let i = 0; i < rows.length; i += maxRows) {
        const chunk = rows.slice(i, i + maxRows);
        await c.query(this.upsertSql, [JSON.stringify(chunk.map(jsonValues))]);
      }
    });
  }

  isDataError(err: unknown): boolean {
    const code = (err as { code?: unknown })?.code;
    return typeof code === 'string' && code.length === 5 && DATA_ERROR_CLASSES.has(code.slice(0, 2));
  }

  async get(id: string): Promise<StoredRow | undefined> {
    const { rows } = await this.pool.query(`SELECT * FROM ${this.t} WHERE prediction_id = $1`, [id]);
    return rows[0] && toStored(rows[0]);
  }

  async count(): Promise<number> {
    const { rows } = await this.pool.query(`SELECT count(*)::int AS n FROM ${this.t}`);
    return rows[0].n;
  }

  async firstTime(fromIso: string, beforeIso: string): Promise<string | undefined> {
    const { rows } = await this.pool.query(`SELECT min(time) AS t FROM ${this.t} WHERE time >= $1 AND time < $2`, [fromIso, beforeIso]);
    return rows[0].t ? (rows[0].t as Date).toISOString() : undefined;
  }

  async page(fromIso: string, toIso: string, after: { time: string; id: string } | undefined, limit: number): Promise<StoredRow[]> {
    const { rows } = after
      ? await this.pool.query(`SELECT * FROM ${this.t} WHERE time >= $1 AND time < $2 AND (time, prediction_id) > ($3::timestamptz, $4) ORDER BY time, prediction_id LIMIT $5`, [fromIso, toIso, after.time, after.id, limit])
      : await this.pool.query(`SELECT * FROM ${this.t} WHERE time >= $1 AND time < $2 ORDER BY time, prediction_id LIMIT $3`, [fromIso, toIso, limit]);
    return rows.map(toStored);
  }

  async deleteBefore(cutoffIso: string): Promise<number> {
    const r = await this.pool.query(`DELETE FROM ${this.t} WHERE time < $1 OR (time IS NULL AND ground_truth_at < $1)`, [cutoffIso]);
    return r.rowCount ?? 0;
  }

  /** For analysis and data-subject queries (analysis.ts), on this driver's pool. */
  sql(): SqlRunner {
    return {
      dialect: 'postgres',
      table: this.t,
      all: async (sql, params) => (await this.pool.query(sql, params as unknown[])).rows,
      run: async (sql, params) => (await this.pool.query(sql, params as unknown[])).rowCount ?? 0,
      toStored,
    };
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}

/** A row's values for the JSON parameter: JSON has no NaN or Infinity, float8 takes them as text. */
function jsonValues(r: LogRow): unknown[] {
  const values = rowValues(r);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (typeof v === 'number' && !Number.isFinite(v)) values[i] = String(v);
  }
  return values;
}

function toStored(r: Record<string, unknown>): StoredRow {
  const out: Record<string, unknown> = {};
  for (const c of COLUMNS) {
    const v = r[c] ?? null;
    out[c] = v instanceof Date ? v.toISOString() : v;
  }
  return out as StoredRow;
}

/** For `modelwatch validate`: undefined when the database answers, else why not (no password). */
export async function checkPostgres(url: string, timeoutMs: number): Promise<string | undefined> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: timeoutMs, query_timeout: timeoutMs });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('SELECT 1');
    return undefined;
  } catch (err) {
    return `cannot reach PostgreSQL at ${describeUrl(url)}: ${(err as Error).message || (err as { code?: string }).code || String(err)}`;
  } finally {
    await client.end().catch(() => undefined);
  }
}
