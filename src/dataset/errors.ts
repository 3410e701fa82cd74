/** Bad input in a data file: says which file, line (1-based) and column when known. */
export class DatasetError extends Error {
  constructor(readonly file: string, readonly line: number | undefined, readonly column: string | undefined, detail: string) {
    super(`${file}${line !== undefined ? `:${line}` : ''}${column !== undefined ? ` column "${column}"` : ''}: ${detail}`);
    this.name = 'DatasetError';
  }
}
