// What the prediction log needs from a database. Two drivers: sqlite.ts (better-sqlite3) and
// postgres.ts (pg). Both upsert with the rules in row.ts and report errors as either the store's
// fault (retry the batch) or the data's (isolate and refuse the row).
import type { ConsumerRecord } from '../../pipeline/records.js';
import type { LogRow, Refusal } from './row.js';
import type { IdIndexStats } from './sqlite-ids/id-index.js';

/** A row as read back: times as ISO strings, JSON columns parsed, numbers as numbers (NaN kept). */
export type StoredRow = { [K in keyof LogRow]: K extends 'probabilities' | 'features' | 'resource' | 'tags' ? unknown : LogRow[K] };

export interface LogDriver {
  /** For logs: where the rows go, never with a password. */
  readonly target: string;
  /** Creates or upgrades the schema (versioned, one transaction). Idempotent. */
  migrate(): Promise<void>;
  /** Upserts rows whose ids are distinct, in one transaction, `maxRows` per statement. */
  write(rows: readonly LogRow[], maxRows: number): Promise<void>;
  /** Optional: maps and writes records itself (store-batch.ts, elsewhere than the event loop); returns the refusals. */
  storeRecords?(batch: readonly ConsumerRecord[]): Promise<Refusal[]>;
  /** Optional: the seconds its own writer thread has been busy (undefined when it writes without one). */
  threadBusySeconds?(): number | undefined;
  /** Optional: what the SQLite log's id index holds (sqlite-ids/), undefined before its first write. */
  idIndexStats?(): IdIndexStats | undefined;
  /** True when an error is caused by the rows themselves (retrying cannot help), false when by the store. */
  isDataError(err: unknown): boolean;
  get(id: string): Promise<StoredRow | undefined>;
  count(): Promise<number>;
  /** The earliest prediction time in [fromIso, beforeIso), for walking the days that hold rows. */
  firstTime(fromIso: string, beforeIso: string): Promise<string | undefined>;
  /** Prediction rows with time in [fromIso, toIso), ordered by (time, prediction_id), after a key. */
  page(fromIso: string, toIso: string, after: { time: string; id: string } | undefined, limit: number): Promise<StoredRow[]>;
  /** Deletes rows predicted before the cutoff, and labels without a prediction that arrived before it. */
  deleteBefore(cutoffIso: string): Promise<number>;
  close(): Promise<void>;
}

export const SCHEMA_TABLE = 'modelwatch_log_migrations';
