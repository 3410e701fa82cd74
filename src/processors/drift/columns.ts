// The columns drift is measured on, and how one prediction gives each column's value. Column names are
// feature names (ml.feature.<name>), plus two from the prediction itself: `prediction` (the predicted
// class, categorical) and `confidence` (numerical). A feature attribute of the same name wins.
import type { Prediction } from '../../pipeline/records.js';
import { fnv1a32 } from '../../pipeline/string-hash.js';
import type { ColumnType, FeatureSummary, NumericBinSpec } from '../../stats/drift.js';

export const PREDICTION_COLUMN = 'prediction';
export const CONFIDENCE_COLUMN = 'confidence';

export interface ReferenceColumn {
  name: string;
  type: ColumnType;
  /** The reference side, complete (file or capture). */
  summary: FeatureSummary;
  /** Bins of numerical columns, shared by every current summary of this column. */
  spec?: NumericBinSpec;
}

/** A model version's reference: its columns in a fixed order, and where it came from. */
export interface ReferenceSet {
  source: string;
  columns: ReferenceColumn[];
}

/** The raw value of a column in a prediction; undefined when the prediction does not carry it. */
export function columnValue(p: Prediction, name: string): number | string | boolean | null | undefined {
  const v = p.features[name];
  if (v !== undefined) return v;
  if (name === PREDICTION_COLUMN) return p.predictedClass;
  if (name === CONFIDENCE_COLUMN) return p.confidence;
  return undefined;
}

/** A stream value for a numerical column: numbers and numeric text; anything else is missing. */
export function asNumber(v: number | string | boolean | null | undefined): number | null {
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && v.trim() !== '') {
    const x = Number(v);
    return Number.isNaN(x) ? null : x;
  }
  return null;
}

/** A stream value for a categorical column: text as is, numbers and booleans as their text. */
export function asCategory(v: number | string | boolean | null | undefined): string | null {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string') return v;
  if (typeof v === 'number' && !Number.isFinite(v)) return null;
  return String(v);
}

const fingerprints = new WeakMap<ReferenceSet, string>();

/**
 * Identifies a reference's columns, types and bins: window state checkpointed against one reference
 * is restored only onto the same (a changed reference file starts a new window).
 */
export function referenceFingerprint(r: ReferenceSet): string {
  let f = fingerprints.get(r);
  if (f !== undefined) return f;
  const text = JSON.stringify(r.columns.map((c) => [c.name, c.type, c.spec?.edges ?? null, c.spec?.coarse ?? null]));
  f = `${r.columns.length}:${text.length}:${fnv1a32(text).toString(16)}`;
  fingerprints.set(r, f);
  return f;
}
