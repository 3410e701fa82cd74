// The SQLite schema of the prediction log, as numbered migrations (version = index + 1). Times are
// ISO-8601 UTC text (sortable, readable with SQLite's date functions); JSON columns are JSON text.
// Append new migrations; never edit one that has shipped.
import { quoteIdent } from '../upsert-sql.js';

export function sqliteMigrations(table: string): string[] {
  const t = quoteIdent(table);
  const idx = (name: string) => quoteIdent(`${table}_${name}`);
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
  ];
}
