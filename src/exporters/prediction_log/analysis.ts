// Reading the prediction log for people: filtered pages in a stable order, and a summary (counts,
// confusion matrix, per-class accuracy, low-confidence share, slowest predictions, error types).
// One implementation for both drivers, over their SqlRunner; aggregates are computed by the database,
// ties and label order are settled here (code-point order) so both drivers answer identically.
import type { StoredRow } from './driver.js';
import { encodeCursor, type Cursor, type Order, type PredictionFilter } from './filter.js';
import { afterCursor, finite, orderBy, Params, whereClause } from './sql-filter.js';
import type { SqlRunner } from './sql-runner.js';

export interface Page {
  rows: StoredRow[];
  /** Pass back as `cursor` for the next page; absent on the last page. */
  next_cursor?: string;
}

export interface SummaryOptions {
  /** Confidence below this is "low". Default 0.5. */
  lowConfidenceThreshold?: number;
  /** How many of the slowest predictions to list. Default 10. */
  slowest?: number;
}

export interface Summary {
  counts: { total: number; labelled: number; errors: number; correct: number };
  /** correct / rows with both a ground truth class and a predicted class; null when there are none. */
  accuracy: number | null;
  /** matrix[i][j]: rows whose ground truth is labels[i] and prediction labels[j]; labels in code-point order. */
  confusion_matrix: { labels: string[]; matrix: number[][] };
  /** Per actual class: support (rows in its matrix row), correct (diagonal), accuracy = recall. */
  per_class: { class: string; support: number; correct: number; accuracy: number }[];
  /** share = count / with_confidence (rows whose confidence is a number); null when none has one. */
  low_confidence: { threshold: number; count: number; with_confidence: number; share: number | null };
  /** By total latency, slowest first (ties: earlier time, then id). */
  slowest: StoredRow[];
  /** Most frequent first (ties: code-point order). */
  error_types: { error_type: string; count: number }[];
}

export const DEFAULT_LOW_CONFIDENCE = 0.5;
export const DEFAULT_SLOWEST = 10;

const byCodePoint = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
const n = (v: unknown): number => Number(v ?? 0);

export class LogAnalysis {
  constructor(private readonly db: SqlRunner) {}

  /** One page of matching rows in (time, prediction_id) order, after the cursor. */
  async page(filter: PredictionFilter, opts: { limit: number; cursor?: Cursor; order?: Order }): Promise<Page> {
    const order = opts.order ?? 'asc';
    const p = new Params(this.db.dialect);
    let where = whereClause(this.db.dialect, filter, p);
    if (opts.cursor) where += ` AND ${afterCursor(this.db.dialect, opts.cursor, order, p)}`;
    // One row more than asked tells whether another page exists.
    const sql = `SELECT * FROM ${this.db.table} WHERE ${where} ${orderBy(this.db.dialect, order)} LIMIT ${p.add(opts.limit + 1, 'int')}`;
    const raw = await this.db.all(sql, p.values);
    const rows = raw.slice(0, opts.limit).map((r) => this.db.toStored(r));
    const last = rows[rows.length - 1];
    return raw.length > opts.limit ? { rows, next_cursor: encodeCursor({ time: last.time!, id: last.prediction_id }) } : { rows };
  }

  /** Every matching row, page by page (for exports). */
  async *rows(filter: PredictionFilter, pageRows = 1000): AsyncGenerator<StoredRow> {
    let cursor: Cursor | undefined;
    for (;;) {
      const page = await this.page(filter, { limit: pageRows, cursor });
      yield* page.rows;
      if (!page.next_cursor) return;
      const last = page.rows[page.rows.length - 1];
      cursor = { time: last.time!, id: last.prediction_id };
    }
  }

  /** Deletes every matching row; how many. */
  async delete(filter: PredictionFilter): Promise<number> {
    const p = new Params(this.db.dialect);
    return this.db.run(`DELETE FROM ${this.db.table} WHERE ${whereClause(this.db.dialect, filter, p)}`, p.values);
  }

  async summary(filter: PredictionFilter, opts: SummaryOptions = {}): Promise<Summary> {
    const threshold = opts.lowConfidenceThreshold ?? DEFAULT_LOW_CONFIDENCE;
    const slowestN = opts.slowest ?? DEFAULT_SLOWEST;
    const d = this.db.dialect;
    const t = this.db.table;

    // SQLite's placeholders are positional: parameters are added in the order they appear in the text.
    const pc = new Params(d);
    const low = pc.add(threshold, 'float8');
    const wc = whereClause(d, filter, pc);
    const classified = 'ground_truth_class IS NOT NULL AND predicted_class IS NOT NULL';
    const [counts] = await this.db.all(
      `SELECT count(*) AS total, count(ground_truth_at) AS labelled, count(error_type) AS errors,
        sum(CASE WHEN ${classified} AND ground_truth_class = predicted_class THEN 1 ELSE 0 END) AS correct,
        sum(CASE WHEN ${classified} THEN 1 ELSE 0 END) AS classified,
        sum(CASE WHEN ${finite(d, 'confidence')} THEN 1 ELSE 0 END) AS with_confidence,
        sum(CASE WHEN ${finite(d, 'confidence')} AND confidence < ${low} THEN 1 ELSE 0 END) AS low
       FROM ${t} WHERE ${wc}`,
      pc.values,
    );

    const pm = new Params(d);
    const cells = await this.db.all(
      `SELECT ground_truth_class AS actual, predicted_class AS predicted, count(*) AS n FROM ${t}
       WHERE ${whereClause(d, filter, pm)} AND ${classified} GROUP BY ground_truth_class, predicted_class`,
      pm.values,
    );

    const pe = new Params(d);
    const errors = await this.db.all(
      `SELECT error_type, count(*) AS n FROM ${t} WHERE ${whereClause(d, filter, pe)} AND error_type IS NOT NULL GROUP BY error_type`,
      pe.values,
    );

    const ps = new Params(d);
    const slowSql = `SELECT * FROM ${t} WHERE ${whereClause(d, filter, ps)} AND ${finite(d, 'total_seconds')}
      ORDER BY total_seconds DESC, time ASC, ${d === 'postgres' ? 'prediction_id COLLATE "C"' : 'prediction_id'} ASC LIMIT ${ps.add(slowestN, 'int')}`;
    const slowest = slowestN > 0 ? (await this.db.all(slowSql, ps.values)).map((r) => this.db.toStored(r)) : [];

    const labels = [...new Set(cells.flatMap((c) => [String(c.actual), String(c.predicted)]))].sort(byCodePoint);
    const index = new Map(labels.map((l, i) => [l, i]));
    const matrix = labels.map(() => labels.map(() => 0));
    for (const c of cells) matrix[index.get(String(c.actual))!][index.get(String(c.predicted))!] += n(c.n);
    const per_class = labels
      .map((cls, i) => ({ class: cls, support: matrix[i].reduce((a, b) => a + b, 0), correct: matrix[i][i] }))
      .filter((c) => c.support > 0)
      .map((c) => ({ ...c, accuracy: c.correct / c.support }));

    const classifiedN = n(counts.classified);
    const withConfidence = n(counts.with_confidence);
    return {
      counts: { total: n(counts.total), labelled: n(counts.labelled), errors: n(counts.errors), correct: n(counts.correct) },
      accuracy: classifiedN > 0 ? n(counts.correct) / classifiedN : null,
      confusion_matrix: { labels, matrix },
      per_class,
      low_confidence: { threshold, count: n(counts.low), with_confidence: withConfidence, share: withConfidence > 0 ? n(counts.low) / withConfidence : null },
      slowest,
      error_types: errors
        .map((e) => ({ error_type: String(e.error_type), count: n(e.n) }))
        .sort((a, b) => b.count - a.count || byCodePoint(a.error_type, b.error_type)),
    };
  }
}
