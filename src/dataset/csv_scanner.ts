// Splits the bytes of a CSV file into fields, one at a time, per RFC 4180: comma delimiter, fields
// optionally in double quotes ("" escapes a quote; quoted fields may hold commas and line breaks), CRLF,
// LF or a lone CR as line end. Works on UTF-8 bytes: the delimiters are ASCII and never occur inside a
// multi-byte character. Unquoted fields are given as byte ranges (no string is made unless asked), so
// numbers can be read straight from the bytes.
import { DatasetError } from './errors.js';
import { readPlainDecimal } from './decimal.js';

export class CsvScanner {
  pos: number;
  /** Line (1-based) the scanner is on. */
  line = 1;
  /** The field just read, when unquoted: bytes[start, end). */
  start = 0;
  end = 0;
  /** The field just read, when quoted: its text, unescaped; undefined for an unquoted field. */
  quoted: string | undefined;
  /** Whether the field just read ended its record (line end or end of file). */
  last = false;

  constructor(readonly bytes: Buffer, readonly file: string, pos = 0) {
    this.pos = pos;
  }

  get done(): boolean {
    return this.pos >= this.bytes.length;
  }

  /** Reads the next field and the delimiter after it. */
  field(): void {
    const b = this.bytes;
    const n = b.length;
    let i = this.pos;
    if (i < n && b[i] === 34 /* " */) {
      this.readQuoted();
      return;
    }
    this.quoted = undefined;
    this.start = i;
    while (i < n) {
      const c = b[i];
      if (c === 44 || c === 10 || c === 13) break;
      i++;
    }
    this.end = i;
    this.delimiter(i);
  }

  /**
   * Reads the next field like field(), parsing it as a plain decimal on the way (one pass over its
   * bytes) into out[at]; an empty unquoted field stores NaN (missing). Returns false when the field is
   * something else (quoted, or not a plain decimal): then read it from `quoted` or bytes[start, end).
   */
  numberField(out: Float64Array, at: number): boolean {
    const b = this.bytes;
    const n = b.length;
    let i = this.pos;
    if (i < n && b[i] === 34) {
      this.readQuoted();
      return false;
    }
    this.quoted = undefined;
    this.start = i;
    let c = i < n ? b[i] : 44;
    let plain: boolean;
    if (c === 44 || c === 10 || c === 13) {
      out[at] = NaN;
      plain = true;
    } else {
      const e = readPlainDecimal(b, i, n, out, at);
      if (e >= 0) i = e;
      c = i < n ? b[i] : 44;
      plain = e >= 0 && (c === 44 || c === 10 || c === 13);
      if (!plain) {
        while (i < n) {
          c = b[i];
          if (c === 44 || c === 10 || c === 13) break;
          i++;
        }
      }
    }
    this.end = i;
    this.delimiter(i);
    return plain;
  }

  /**
   * Fast path for the most common record: `width` plain decimals separated by commas, ending with a
   * line end or the end of the file, stored in out[c][at]. Returns false, with nothing consumed, when
   * the record is anything else (an empty or quoted field, text, a blank line...): then read it field
   * by field.
   */
  plainNumberRecord(out: Float64Array[], at: number): boolean {
    const b = this.bytes;
    const n = b.length;
    const width = out.length;
    let i = this.pos;
    for (let c = 0; c < width; c++) {
      const e = readPlainDecimal(b, i, n, out[c], at);
      if (e <= i) return false;
      const d = e < n ? b[e] : -1;
      if (c < width - 1) {
        if (d !== 44) return false;
        i = e + 1;
      } else if (d === 10 || d === 13 || d === -1) {
        this.pos = d === 13 && b[e + 1] === 10 ? e + 2 : d === -1 ? n : e + 1;
        if (d !== -1) this.line++;
        this.last = true;
        return true;
      } else return false;
    }
    return false;
  }

  /** The field just read as text; null when it is empty (quoted or not). */
  text(): string | null {
    if (this.quoted !== undefined) return this.quoted === '' ? null : this.quoted;
    return this.start === this.end ? null : this.bytes.toString('utf8', this.start, this.end);
  }

  /** Whether the field just read is an empty unquoted field (a blank line, when it is the only one). */
  get blank(): boolean {
    return this.quoted === undefined && this.start === this.end;
  }

  /** The whole record as text (quoted empty fields are ''), or null for a blank line. */
  record(): string[] | null {
    const out: string[] = [];
    do {
      this.field();
      out.push(this.quoted ?? this.bytes.toString('utf8', this.start, this.end));
    } while (!this.last);
    return out.length === 1 && this.blank ? null : out;
  }

  private readQuoted(): void {
    const b = this.bytes;
    const n = b.length;
    const startLine = this.line;
    let i = this.pos + 1;
    let from = i;
    let text = '';
    for (;;) {
      const q = b.indexOf(34, i);
      if (q < 0) throw new DatasetError(this.file, startLine, undefined, 'unterminated quoted field');
      for (let k = i; k < q; k++) if (b[k] === 10) this.line++;
      if (q + 1 < n && b[q + 1] === 34) {
        text += b.toString('utf8', from, q + 1);
        i = q + 2;
        from = i;
        continue;
      }
      text += b.toString('utf8', from, q);
      i = q + 1;
      break;
    }
    if (i < n && b[i] !== 44 && b[i] !== 10 && b[i] !== 13) {
      throw new DatasetError(this.file, this.line, undefined, 'unexpected character after a closing quote');
    }
    this.quoted = text;
    this.start = this.end = i;
    this.delimiter(i);
  }

  /** Steps over the delimiter at i: a comma continues the record, a line end or the end of file ends it. */
  private delimiter(i: number): void {
    const b = this.bytes;
    if (i >= b.length) {
      this.last = true;
      this.pos = b.length;
    } else if (b[i] === 44) {
      this.last = false;
      this.pos = i + 1;
    } else {
      this.last = true;
      this.pos = b[i] === 13 && b[i + 1] === 10 ? i + 2 : i + 1;
      this.line++;
    }
  }
}
