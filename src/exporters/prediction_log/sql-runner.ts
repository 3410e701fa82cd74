// What the analysis and data-subject queries (analysis.ts) need from a driver: its dialect, its table
// and a way to run a statement on the driver's own connection.
import type { LogDriver, StoredRow } from './driver.js';

export type Dialect = 'sqlite' | 'postgres';

export interface SqlRunner {
  readonly dialect: Dialect;
  /** The table name, quoted. */
  readonly table: string;
  all(sql: string, params: readonly unknown[]): Promise<Record<string, unknown>[]>;
  /** Runs a statement; the number of rows it changed. */
  run(sql: string, params: readonly unknown[]): Promise<number>;
  /** A `SELECT *` row as the driver's get() returns it. */
  toStored(raw: Record<string, unknown>): StoredRow;
}

export interface Queryable {
  sql(): SqlRunner;
}

export function isQueryable(d: LogDriver): d is LogDriver & Queryable {
  return typeof (d as Partial<Queryable>).sql === 'function';
}
