// A reference set from typed columns of raw values (a file's, or captured from the stream): numerical
// columns get their bin spec from the reference's quantiles, then one summary per column.
import {
  CategoricalSummary, NumericSummary, numericBinSpec, summaryFromJSON, type Column, type Columns, type FeatureSummaryJSON,
} from '../../stats/drift.js';
import type { ReferenceColumn, ReferenceSet } from './columns.js';

export interface SummaryOptions {
  /** Raw values kept for exact tests up to this many (0: never). */
  exactMax: number;
  maxCategories: number;
}

/** Throws (naming the column) when a numerical column has no finite value: no bins can be made. */
export function buildReferenceSet(columns: Columns, source: string, opts: SummaryOptions): ReferenceSet {
  const out: ReferenceColumn[] = [];
  for (const [name, col] of Object.entries(columns)) out.push(referenceColumn(name, col, opts));
  return { source, columns: out };
}

function referenceColumn(name: string, col: Column, opts: SummaryOptions): ReferenceColumn {
  if (col.type === 'cat') {
    return { name, type: 'cat', summary: new CategoricalSummary(opts.maxCategories).addAll(col.values) };
  }
  let spec;
  try {
    spec = numericBinSpec(col.values as ArrayLike<number>);
  } catch (e) {
    throw new Error(`column "${name}": ${(e as Error).message}`);
  }
  return { name, type: 'num', spec, summary: new NumericSummary(spec, opts.exactMax).addAll(col.values) };
}

export interface ReferenceSetState {
  source: string;
  columns: { name: string; summary: FeatureSummaryJSON }[];
}

/** A captured reference in the checkpoint (file references are read again from their file). */
export function encodeReferenceSet(r: ReferenceSet): ReferenceSetState {
  return { source: r.source, columns: r.columns.map((c) => ({ name: c.name, summary: c.summary.toJSON() })) };
}

export function decodeReferenceSet(s: ReferenceSetState): ReferenceSet {
  return {
    source: s.source,
    columns: s.columns.map(({ name, summary }) => {
      const restored = summaryFromJSON(summary);
      return restored.kind === 'num' ? { name, type: 'num', summary: restored, spec: restored.spec } : { name, type: 'cat', summary: restored };
    }),
  };
}
