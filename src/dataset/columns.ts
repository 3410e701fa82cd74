// Column types and conversion of a Table into the typed columns the drift engine tests.
// Inference: a column is numerical when every non-missing value is a number (JSON number, or text
// that parses as one: "1.5", "-3e4"; "nan", "inf", "-inf" count as non-finite, i.e. missing); any other
// value (including booleans) makes it categorical. Integer columns with few distinct values stay
// numerical, as in Evidently; the automatic test choice then treats them like categories (<= 5 values:
// chi-square / z-test / Jensen–Shannon). The reference decides the type (unless overridden); a current
// value that does not fit is an error naming file, line and column.
import type { Column, Columns } from '../stats/dataset_drift.js';
import type { ColumnType } from '../stats/drift_types.js';
import { DatasetError } from './errors.js';
import type { RawValue, Table, TableColumn } from './table.js';

const NON_FINITE: Record<string, number> = { nan: NaN, inf: Infinity, '+inf': Infinity, '-inf': -Infinity, infinity: Infinity, '+infinity': Infinity, '-infinity': -Infinity };

/** The number a raw value stands for; NaN for missing / non-finite; undefined when not numeric. */
export function toNumber(v: RawValue): number | undefined {
  if (v === null) return NaN;
  if (typeof v === 'number') return v;
  if (typeof v === 'boolean') return undefined;
  // Number() ignores surrounding blanks but reads a blank string as 0.
  const x = Number(v);
  if (x === 0 && v.trim() === '') return NaN;
  if (!Number.isNaN(x)) return x;
  const special = NON_FINITE[v.trim().toLowerCase()];
  return special !== undefined ? special : undefined;
}

export function inferType(values: readonly RawValue[] | TableColumn): ColumnType {
  if (values instanceof Float64Array) return 'num';
  for (const v of values) if (v !== null && toNumber(v) === undefined) return 'cat';
  return 'num';
}

export function tableColumn(table: Table, name: string, type: ColumnType): Column {
  const raw = table.values.get(name);
  if (!raw) throw new DatasetError(table.file, 1, name, 'no such column');
  if (raw instanceof Float64Array) {
    // Read as numbers: shared with the table, not copied. As categories: the text as written.
    if (type === 'num') return { type, values: raw };
    return { type, values: table.text ? table.text(name) : Array.from(raw, (v) => (Number.isFinite(v) ? String(v) : null)) };
  }
  if (type === 'cat') return { type, values: raw.map((v) => (v === null ? null : String(v))) };
  const out = new Float64Array(raw.length);
  for (let i = 0; i < raw.length; i++) {
    const x = toNumber(raw[i]);
    if (x === undefined) throw new DatasetError(table.file, table.lines[i], name, `"${String(raw[i])}" is not a number (the column is numerical)`);
    out[i] = x;
  }
  return { type, values: out };
}

export function tableColumns(table: Table, types: Record<string, ColumnType>): Columns {
  const out: Columns = {};
  for (const [name, type] of Object.entries(types)) if (table.values.has(name)) out[name] = tableColumn(table, name, type);
  return out;
}
