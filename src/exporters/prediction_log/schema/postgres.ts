// The PostgreSQL schema of the prediction log, as numbered migrations (version = index + 1).
// Append new migrations; never edit one that has shipped.
import { quoteIdent } from '../upsert-sql.js';

export function postgresMigrations(table: string): string[] {
  const t = quoteIdent(table);
  const idx = (name: string) => quoteIdent(`${table}_${name}`);
  return [
    `CREATE TABLE ${t} (
      prediction_id text PRIMARY KEY,
      time timestamptz,
      model_name text,
      model_version text,
      predicted_class text,
      predicted_value double precision,
      confidence double precision,
      probabilities jsonb,
      features jsonb,
      preprocess_seconds double precision,
      inference_seconds double precision,
      postprocess_seconds double precision,
      total_seconds double precision,
      error_type text,
      trace_id text,
      span_id text,
      resource jsonb,
      tags jsonb,
      ground_truth_class text,
      ground_truth_value double precision,
      ground_truth_at timestamptz
    );
    CREATE INDEX ${idx('time_idx')} ON ${t} (time);
    CREATE INDEX ${idx('model_idx')} ON ${t} (model_name, model_version, time);
    CREATE INDEX ${idx('unlabelled_idx')} ON ${t} (time) WHERE ground_truth_at IS NULL;`,
    // 2: data-subject requests find rows by tag (tags @> '{"user_id":"42"}'). Built inside the migration's
    // transaction (not CONCURRENTLY): on a large existing table, writes wait while it builds.
    `CREATE INDEX ${idx('tags_idx')} ON ${t} USING gin (tags jsonb_path_ops);`,
  ];
}
