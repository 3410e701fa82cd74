// A data file read into columns of raw values, with the line each row started on (for errors).
export type RawValue = string | number | boolean | null;

export interface Table {
  file: string;
  columns: string[];
  /** One array per column, one value per row; '' and null are missing. */
  values: Map<string, RawValue[]>;
  /** 1-based line number where each row starts. */
  lines: number[];
}
