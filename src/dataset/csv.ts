// CSV files into Tables: a header row, then records with as many fields as the header (RFC 4180, see
// csv_scanner.ts); blank lines are skipped. Errors name the file, the line and, when known, the column.
//
// readCsv reads each column straight into a Float64Array while every field of it is a number or empty
// (the common case of drift data: no string is made per value), and as text otherwise. A column that
// meets its first non-number is read as text in one more pass over the file, after the first.
import { CsvScanner } from './csv_scanner.js';
import { toNumber } from './columns.js';
import { DatasetError } from './errors.js';
import type { RawValue, Table } from './table.js';

const UTF8_BOM = [0xef, 0xbb, 0xbf];
const INITIAL_ROWS = 1024;

export interface ReadCsvOptions {
  /** Read all-number columns as Float64Array (default true); false: every column as text. */
  numbers?: boolean;
}

/** Every column as text (one string per field, null when empty). */
export function parseCsv(text: string, file: string): Table {
  return readCsv(Buffer.from(text, 'utf8'), file, { numbers: false });
}

export function readCsv(bytes: Buffer, file: string, opts: ReadCsvOptions = {}): Table {
  let pos = UTF8_BOM.every((x, k) => bytes[k] === x) ? UTF8_BOM.length : 0;
  if (isBlank(bytes, pos)) throw new DatasetError(file, 1, undefined, 'the file is empty (expected a header row)');
  const sc = new CsvScanner(bytes, file, pos);
  let raw: string[] | null = null;
  let headerLine = 1;
  while (!raw && !sc.done) {
    headerLine = sc.line;
    raw = sc.record();
  }
  const header = checkHeader(raw!, file, headerLine);
  pos = sc.pos;
  const dataLine = sc.line;

  // First pass: record lines, numbers; which columns are text.
  const numbers = opts.numbers ?? true;
  const width = header.length;
  const asNumber = new Array<boolean>(width).fill(numbers);
  const first = scanRows(new CsvScanner(bytes, file, pos), dataLine, width, asNumber, asNumber.map((x) => !x), -1);
  const textColumns = asNumber.map((x, c) => (x ? -1 : c)).filter((c) => c >= 0);
  // Second pass, only when some column is text: its fields as strings.
  const second = textColumns.length && numbers
    ? scanRows(new CsvScanner(bytes, file, pos), dataLine, width, new Array<boolean>(width).fill(false), asNumber.map((x) => !x), first.rows)
    : first;
  const values = new Map<string, RawValue[] | Float64Array>();
  header.forEach((h, c) => values.set(h, asNumber[c] ? first.numbers[c]!.subarray(0, first.rows) : second.texts[c]!));
  const table: Table = { file, columns: header, values, lines: first.lines };
  if (textColumns.length < width) {
    // Numbers read as categories need the fields as written ("007", "1.50"): read them again on demand.
    table.text = (name: string) => {
      const c = header.indexOf(name);
      const v = values.get(name);
      if (c < 0 || !v) throw new DatasetError(file, headerLine, name, 'no such column');
      if (!(v instanceof Float64Array)) return v.map((x) => (x === null ? null : String(x)));
      const only = header.map((_, k) => k === c);
      return scanRows(new CsvScanner(bytes, file, pos), dataLine, width, new Array<boolean>(width).fill(false), only, first.rows).texts[c]!;
    };
  }
  return table;
}

function isBlank(b: Buffer, pos: number): boolean {
  for (let i = pos; i < b.length; i++) {
    const c = b[i];
    if (c !== 32 && c !== 9 && c !== 10 && c !== 13 && c !== 11 && c !== 12) return false;
  }
  return true;
}

/** Line feeds (or, in a file without any, carriage returns) from `pos` on. */
function countLineEnds(b: Buffer, pos: number): number {
  let n = 0;
  for (let i = b.indexOf(10, pos); i >= 0; i = b.indexOf(10, i + 1)) n++;
  if (n > 0) return n;
  for (let i = b.indexOf(13, pos); i >= 0; i = b.indexOf(13, i + 1)) n++;
  return n;
}

function checkHeader(raw: string[], file: string, line: number): string[] {
  const header = raw.map((h) => h.trim());
  if (header.length === 1 && /[;\t|]/.test(header[0])) {
    const d = header[0].includes(';') ? ';' : header[0].includes('\t') ? 'tab' : '|';
    throw new DatasetError(file, line, undefined, `the header looks ${d}-delimited; CSV files must be comma-separated`);
  }
  const seen = new Set<string>();
  header.forEach((h, k) => {
    if (h === '') throw new DatasetError(file, line, undefined, `header field ${k + 1} is empty`);
    if (seen.has(h)) throw new DatasetError(file, line, h, 'duplicate column name');
    seen.add(h);
  });
  return header;
}

interface Rows {
  rows: number;
  lines: number[];
  /** Per column: the numbers (capacity >= rows; NaN for empty or non-finite text), when read as numbers. */
  numbers: (Float64Array | null)[];
  /** Per column: the text (null when empty), when read as text. */
  texts: ((string | null)[] | null)[];
}

/**
 * Reads the data records. Columns flagged in `asNumber` are parsed as numbers until one field is not a
 * number: its flag is then cleared (the caller reads that column again as text). `knownRows` >= 0 on a
 * second pass (sizes the text arrays); -1 on the first, which also checks every record's width.
 */
function scanRows(sc: CsvScanner, line: number, width: number, asNumber: boolean[], asText: boolean[], knownRows: number): Rows {
  sc.line = line;
  const bytes = sc.bytes;
  // Line ends bound the records: columns are sized once (memchr-fast count), rarely grown.
  let capacity = knownRows >= 0 ? knownRows : Math.max(countLineEnds(bytes, sc.pos) + 1, INITIAL_ROWS);
  const numbers = asNumber.map((x) => (x ? new Float64Array(capacity) : null));
  const texts = asText.map((x) => (x ? new Array<string | null>(Math.max(knownRows, 0)) : null));
  const lines: number[] = [];
  let row = 0;
  let allNumbers = asNumber.every((x) => x);
  while (!sc.done) {
    const recordLine = sc.line;
    if (row === capacity && knownRows < 0) {
      capacity *= 2;
      for (let c = 0; c < width; c++) {
        const old = numbers[c];
        if (old) (numbers[c] = new Float64Array(capacity)).set(old);
      }
    }
    if (allNumbers && sc.plainNumberRecord(numbers as Float64Array[], row)) {
      lines.push(recordLine);
      row++;
      continue;
    }
    let c = 0;
    do {
      const num = c < width && asNumber[c] ? numbers[c] : null;
      if (num !== null) {
        if (!sc.numberField(num, row)) {
          const v = sc.quoted !== undefined ? (sc.quoted === '' ? NaN : toNumber(sc.quoted)) : toNumber(bytes.toString('utf8', sc.start, sc.end));
          if (v === undefined) asNumber[c] = allNumbers = false;
          else num[row] = v;
        }
      } else {
        sc.field();
        const t = c < width ? texts[c] : null;
        if (t !== null && (knownRows < 0 || row < knownRows)) t[row] = sc.text();
      }
      c++;
    } while (!sc.last);
    if (c === 1 && sc.blank) continue; // a blank line
    if (c !== width) throw new DatasetError(sc.file, recordLine, undefined, `expected ${width} fields (as in the header), found ${c}`);
    lines.push(recordLine);
    row++;
  }
  // a blank last line may have written one slot past the rows
  for (const t of texts) if (t && knownRows < 0) t.length = row;
  return { rows: row, lines, numbers, texts };
}
