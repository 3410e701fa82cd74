// A data file read into columns, with the line each row started on (for errors).
export type RawValue = string | number | boolean | null;

/** One value per row: raw values ('' and null are missing), or numbers (NaN for missing / non-finite). */
export type TableColumn = RawValue[] | Float64Array;

export interface Table {
  file: string;
  columns: string[];
  /** One column per header name. CSV columns whose fields are all numbers (or empty) are Float64Arrays. */
  values: Map<string, TableColumn>;
  /** 1-based line number where each row starts. */
  lines: number[];
  /**
   * The fields of a column as written in the file (null when empty), for columns read as numbers that
   * are to be tested as categories ("007" stays "007"). Absent when every column is text already.
   */
  text?(name: string): (string | null)[];
}
