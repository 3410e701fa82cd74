// Where a log table's id index lives (created by the schema's migration 2, schema/sqlite.ts): a
// catalog of sorted runs, one row of state, and the runs themselves, tables named <table>_ids_<n>.
import { quoteIdent } from '../upsert-sql.js';

export interface IdTables {
  /** The log table, quoted. */
  log: string;
  /** name, level, first_seq, last_seq, entries, bloom: one row per sorted run. */
  catalog: string;
  /** watermark (the last seq the runs cover), next_run (the number of the next run's table). */
  state: string;
  runName(n: number): string;
}

export function idTables(table: string): IdTables {
  return {
    log: quoteIdent(table),
    catalog: quoteIdent(`${table}_id_runs`),
    state: quoteIdent(`${table}_id_index`),
    runName: (n) => `${table}_ids_${n}`,
  };
}
