// A reference captured from the stream: the raw column values of the first N predictions of a model
// version (every feature seen, plus prediction and confidence), then frozen into a reference set.
// Until then the values are part of the checkpoint, so a restart resumes the capture exactly.
import type { Prediction } from '../../pipeline/records.js';
import type { ColumnType, Columns } from '../../stats/drift.js';
import { asCategory, asNumber, CONFIDENCE_COLUMN, PREDICTION_COLUMN, type ReferenceSet } from './columns.js';
import { buildReferenceSet, type SummaryOptions } from './reference-build.js';

type Raw = number | string | boolean | null;

/** Columns captured at most (spans may carry many attributes). */
export const MAX_CAPTURED_COLUMNS = 1000;

export interface CaptureState {
  first: number;
  rows: number;
  columns: [string, Raw[]][];
}

export class ReferenceCapture {
  rows = 0;
  /** Column → one value per captured row (shorter arrays are padded with null when used). */
  private readonly values = new Map<string, Raw[]>();

  constructor(readonly first: number) {}

  get complete(): boolean {
    return this.rows >= this.first;
  }

  /** Adds one prediction; true once the capture is complete. */
  add(p: Prediction): boolean {
    if (this.complete) return true;
    for (const name in p.features) this.put(name, p.features[name]);
    if (p.predictedClass !== undefined && !(PREDICTION_COLUMN in p.features)) this.put(PREDICTION_COLUMN, p.predictedClass);
    if (p.confidence !== undefined && !(CONFIDENCE_COLUMN in p.features)) this.put(CONFIDENCE_COLUMN, p.confidence);
    this.rows++;
    return this.complete;
  }

  private put(name: string, v: Raw): void {
    let col = this.values.get(name);
    if (!col) {
      if (this.values.size >= MAX_CAPTURED_COLUMNS) return;
      col = [];
      this.values.set(name, col);
    }
    while (col.length < this.rows) col.push(null);
    col.push(v);
  }

  /** Types: forced, else num when every non-missing value is a number, else cat. */
  build(types: Record<string, ColumnType>, opts: SummaryOptions): ReferenceSet {
    const columns: Columns = {};
    for (const [name, raw] of [...this.values].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      const type = types[name] ?? (raw.every((v) => v === null || typeof v === 'number') ? 'num' : 'cat');
      const padded = raw.length < this.rows ? raw.concat(new Array<Raw>(this.rows - raw.length).fill(null)) : raw;
      if (type === 'num') {
        const values = Float64Array.from(padded, (v) => asNumber(v) ?? NaN);
        // A column never numeric in the capture cannot be binned: leave it out.
        if (!values.some(Number.isFinite)) continue;
        columns[name] = { type, values };
      } else columns[name] = { type, values: padded.map(asCategory) };
    }
    return buildReferenceSet(columns, `captured from the first ${this.rows} predictions`, opts);
  }

  toJSON(): CaptureState {
    return { first: this.first, rows: this.rows, columns: [...this.values] };
  }

  static fromJSON(s: CaptureState): ReferenceCapture {
    const c = new ReferenceCapture(s.first);
    c.rows = s.rows;
    for (const [name, values] of s.columns) c.values.set(name, values);
    return c;
  }
}
