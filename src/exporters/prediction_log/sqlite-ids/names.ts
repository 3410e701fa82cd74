// Where a log table's id index lives (created by the schema's migration 2, schema/sqlite.ts): a
// catalog of sorted runs, one row of state, and the runs themselves, tables named <table>:ids:<n>. The
// colon cannot appear in a log table's name (config.ts), so no other log's tables can look like these.
import { quoteIdent } from '../upsert-sql.js';

export interface IdTables {
  /** The log table, quoted. */
  log: string;
  /** name, level, first_seq, last_seq, entries, bloom: one row per sorted run. */
  catalog: string;
  /** watermark (the last seq the runs cover), next_run (the number of the next run's table). */
  state: string;
  runName(n: number): string;
  isRunName(name: string): boolean;
}

/** The query for the seqs a run holds for one id, newest first. */
export const seqsInRunSql = (run: string): string => `SELECT seq FROM ${quoteIdent(run)} WHERE id = ? ORDER BY seq DESC`;

export const idCatalogName = (table: string): string => `${table}:id_runs`;
export const idStateName = (table: string): string => `${table}:id_index`;

export function idTables(table: string): IdTables {
  return {
    log: quoteIdent(table),
    catalog: quoteIdent(idCatalogName(table)),
    state: quoteIdent(idStateName(table)),
    runName: (n) => `${table}:ids:${n}`,
    isRunName: (name) => name.startsWith(`${table}:ids:`) && /^\d+$/.test(name.slice(table.length + 5)),
  };
}
