// A PredictionFilter as a SQL WHERE clause for either dialect, with bound parameters only (no user
// text is ever spliced into SQL). Both dialects must select the same rows:
//   - text comparisons and ordering use byte order (PostgreSQL: COLLATE "C", SQLite's default), so pages
//     come in the same order whatever the database's locale;
//   - NaN stored in a number column (text 'NaN' in SQLite, float8 NaN in PostgreSQL) sorts above every
//     number in both: a confidence bound excludes NaN only through its upper bound; finite() below
//     excludes it explicitly where a number is needed (low-confidence share, slowest).
import type { Cursor, Order, PredictionFilter } from './filter.js';
import type { Dialect } from './sql-runner.js';

export class Params {
  readonly values: unknown[] = [];
  constructor(private readonly dialect: Dialect) {}

  /** A placeholder for v; `pgType` casts it in PostgreSQL. */
  add(v: unknown, pgType?: string): string {
    this.values.push(v);
    return this.dialect === 'sqlite' ? '?' : `$${this.values.length}${pgType ? `::${pgType}` : ''}`;
  }
}

/** Byte-order text comparison, the same in both databases. */
export function textKey(dialect: Dialect, column: string): string {
  return dialect === 'postgres' ? `${column} COLLATE "C"` : column;
}

/** True where a number column holds a number that is not NaN. */
export function finite(dialect: Dialect, column: string): string {
  return dialect === 'postgres' ? `(${column} IS NOT NULL AND ${column} <> 'NaN'::float8)` : `typeof(${column}) IN ('real', 'integer')`;
}

/** The row's tags hold key = value. PostgreSQL: containment (served by the GIN index); SQLite: a quick substring test first, then the exact JSON test. */
export function tagCondition(dialect: Dialect, key: string, value: string, p: Params): string {
  if (dialect === 'postgres') return `tags @> ${p.add(JSON.stringify({ [key]: value }), 'jsonb')}`;
  const quick = `instr(tags, ${p.add(JSON.stringify(value))}) > 0`;
  return `(${quick} AND EXISTS (SELECT 1 FROM json_each(tags) AS tag WHERE tag.key = ${p.add(key)} AND tag.type = 'text' AND tag.value = ${p.add(value)}))`;
}

/** The conditions of a filter; rows without a prediction time (labels waiting for their prediction) never match. */
export function whereClause(dialect: Dialect, f: PredictionFilter, p: Params): string {
  const time = (v: string) => p.add(v, 'timestamptz');
  const c: string[] = ['time IS NOT NULL'];
  if (f.model !== undefined) c.push(`model_name = ${p.add(f.model)}`);
  if (f.version !== undefined) c.push(`model_version = ${p.add(f.version)}`);
  if (f.from !== undefined) c.push(`time >= ${time(f.from)}`);
  if (f.to !== undefined) c.push(`time < ${time(f.to)}`);
  if (f.predictedClass !== undefined) c.push(`predicted_class = ${p.add(f.predictedClass)}`);
  if (f.minConfidence !== undefined) c.push(`confidence >= ${p.add(f.minConfidence, 'float8')}`);
  if (f.maxConfidence !== undefined) c.push(`confidence <= ${p.add(f.maxConfidence, 'float8')}`);
  if (f.labelled !== undefined) c.push(f.labelled ? 'ground_truth_at IS NOT NULL' : 'ground_truth_at IS NULL');
  if (f.correct === true) c.push('(ground_truth_class IS NOT NULL AND ground_truth_class = predicted_class)');
  if (f.correct === false) c.push('(ground_truth_class IS NOT NULL AND (predicted_class IS NULL OR ground_truth_class <> predicted_class))');
  if (f.errors !== undefined) c.push(f.errors ? 'error_type IS NOT NULL' : 'error_type IS NULL');
  if (f.errorType !== undefined) c.push(`error_type = ${p.add(f.errorType)}`);
  for (const [k, v] of Object.entries(f.tags ?? {})) c.push(tagCondition(dialect, k, v, p));
  return c.join(' AND ');
}

/** Rows strictly after the cursor in (time, prediction_id) order (before it for desc). */
export function afterCursor(dialect: Dialect, cursor: Cursor, order: Order, p: Params): string {
  const op = order === 'asc' ? '>' : '<';
  const t = p.add(cursor.time, 'timestamptz');
  const t2 = p.add(cursor.time, 'timestamptz');
  const id = p.add(cursor.id, 'text');
  // The first term lets both databases use the time index.
  return `time ${op}= ${t} AND (time ${op} ${t2} OR ${textKey(dialect, 'prediction_id')} ${op} ${id})`;
}

export function orderBy(dialect: Dialect, order: Order): string {
  const dir = order === 'asc' ? 'ASC' : 'DESC';
  return `ORDER BY time ${dir}, ${textKey(dialect, 'prediction_id')} ${dir}`;
}
