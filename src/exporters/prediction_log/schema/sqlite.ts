// The SQLite schema of the prediction log, as numbered migrations (version = index + 1). Times are
// ISO-8601 UTC text (sortable, readable with SQLite's date functions); JSON columns are JSON text.
// Append new migrations; never edit one that has shipped.
import { quoteIdent } from '../upsert-sql.js';
import { idCatalogName, idStateName } from '../sqlite-ids/names.js';

export function sqliteMigrations(table: string): string[] {
  const t = quoteIdent(table);
  const idx = (name: string) => quoteIdent(`${table}_${name}`);
  const v2 = quoteIdent(`${table}:v2`);
  return [
    `CREATE TABLE ${t} (
      prediction_id TEXT PRIMARY KEY NOT NULL,
      time TEXT,
      model_name TEXT,
      model_version TEXT,
      predicted_class TEXT,
      predicted_value REAL,
      confidence REAL,
      probabilities TEXT,
      features TEXT,
      preprocess_seconds REAL,
      inference_seconds REAL,
      postprocess_seconds REAL,
      total_seconds REAL,
      error_type TEXT,
      trace_id TEXT,
      span_id TEXT,
      resource TEXT,
      tags TEXT,
      ground_truth_class TEXT,
      ground_truth_value REAL,
      ground_truth_at TEXT
    );
    CREATE INDEX ${idx('time_idx')} ON ${t} (time);
    CREATE INDEX ${idx('model_idx')} ON ${t} (model_name, model_version, time);
    CREATE INDEX ${idx('unlabelled_idx')} ON ${t} (time) WHERE ground_truth_at IS NULL;`,
    // 2: rows keyed by an insertion sequence, prediction ids indexed in sorted runs (sqlite-ids/): a
    // unique index on random ids cost ~10 KB written and ~15 µs per row more than time-ordered ids. seq
    // is AUTOINCREMENT so it never goes back, even when retention deletes the newest rows.
    `CREATE TABLE ${v2} (
      seq INTEGER PRIMARY KEY AUTOINCREMENT,
      ${V1_COLUMNS.map((c) => `${c.name} ${c.type}`).join(',\n      ')}
    );
    INSERT INTO ${v2} (${V1_COLUMNS.map((c) => c.name).join(', ')}) SELECT ${V1_COLUMNS.map((c) => c.name).join(', ')} FROM ${t} ORDER BY rowid;
    DROP TABLE ${t};
    ALTER TABLE ${v2} RENAME TO ${t};
    CREATE INDEX ${idx('time_idx')} ON ${t} (time);
    CREATE INDEX ${idx('model_idx')} ON ${t} (model_name, model_version, time);
    CREATE INDEX ${idx('unlabelled_idx')} ON ${t} (time) WHERE ground_truth_at IS NULL;
    CREATE TABLE ${quoteIdent(idCatalogName(table))} (
      name TEXT PRIMARY KEY NOT NULL,
      level INTEGER NOT NULL,
      first_seq INTEGER NOT NULL,
      last_seq INTEGER NOT NULL,
      entries INTEGER NOT NULL,
      bloom BLOB NOT NULL
    );
    CREATE TABLE ${quoteIdent(idStateName(table))} (watermark INTEGER NOT NULL, next_run INTEGER NOT NULL);
    INSERT INTO ${quoteIdent(idStateName(table))} VALUES (0, 1);`,
  ];
}

/** The columns of version 1, spelled out: a shipped migration must not follow later edits of row.ts. */
const V1_COLUMNS = [
  { name: 'prediction_id', type: 'TEXT NOT NULL' },
  ...['time', 'model_name', 'model_version', 'predicted_class'].map((name) => ({ name, type: 'TEXT' })),
  ...['predicted_value', 'confidence'].map((name) => ({ name, type: 'REAL' })),
  ...['probabilities', 'features'].map((name) => ({ name, type: 'TEXT' })),
  ...['preprocess_seconds', 'inference_seconds', 'postprocess_seconds', 'total_seconds'].map((name) => ({ name, type: 'REAL' })),
  ...['error_type', 'trace_id', 'span_id', 'resource', 'tags', 'ground_truth_class'].map((name) => ({ name, type: 'TEXT' })),
  { name: 'ground_truth_value', type: 'REAL' },
  { name: 'ground_truth_at', type: 'TEXT' },
];
