// Protobuf wire-format primitives over one request buffer. Every read is bounds-checked and any
// inconsistency throws OtlpDecodeError, so a truncated or hostile payload can neither read past the
// end nor loop forever (every successful read advances `pos`).
import { OtlpDecodeError } from './result.js';

export const WT_VARINT = 0;
export const WT_FIXED64 = 1;
export const WT_LEN = 2;
export const WT_FIXED32 = 5;

const TWO_32 = 4294967296;

export class ProtoReader {
  readonly buf: Uint8Array;
  /** A Buffer view on the same memory, for Node's fast UTF-8 slicing (no copy). */
  readonly nodeBuf: Buffer;
  readonly view: DataView;
  pos = 0;
  /** Set by fixed64()/varint64(): low and high 32 bits, unsigned. */
  lo = 0;
  hi = 0;

  constructor(buf: Uint8Array) {
    this.buf = buf;
    this.nodeBuf = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }

  /** A varint as a JS number: exact up to 2^53, enough for tags, lengths and enums. */
  varint(end: number): number {
    const buf = this.buf;
    if (this.pos >= end) throw truncated();
    let b = buf[this.pos++];
    if (b < 128) return b;
    let value = b & 127;
    let mul = 128;
    for (let i = 1; i < 10; i++) {
      if (this.pos >= end) throw truncated();
      b = buf[this.pos++];
      value += (b & 127) * mul;
      if (b < 128) return value;
      mul *= 128;
    }
    throw new OtlpDecodeError('malformed varint (more than 10 bytes)');
  }

  /** A varint as two unsigned 32-bit halves in lo/hi (int64 values). */
  varint64(end: number): void {
    const buf = this.buf;
    let lo = 0;
    let hi = 0;
    let b = 0;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= end) throw truncated();
      b = buf[this.pos++];
      if (i < 4) lo |= (b & 127) << (7 * i);
      else if (i === 4) {
        lo |= (b & 15) << 28;
        hi |= (b & 127) >> 4;
      } else hi |= (b & 127) << (7 * i - 32);
      if (b < 128) {
        this.lo = lo >>> 0;
        this.hi = hi >>> 0;
        return;
      }
    }
    throw new OtlpDecodeError('malformed varint (more than 10 bytes)');
  }

  fixed64(end: number): void {
    if (this.pos + 8 > end) throw truncated();
    this.lo = this.view.getUint32(this.pos, true);
    this.hi = this.view.getUint32(this.pos + 4, true);
    this.pos += 8;
  }

  double(end: number): number {
    if (this.pos + 8 > end) throw truncated();
    const v = this.view.getFloat64(this.pos, true);
    this.pos += 8;
    return v;
  }

  /** Reads a length prefix and returns the end offset of the length-delimited field. */
  lenEnd(end: number): number {
    const len = this.varint(end);
    const e = this.pos + len;
    if (e > end) throw truncated();
    return e;
  }

  /** Skips one field's payload of the given wire type (unknown fields). */
  skip(wireType: number, end: number): void {
    switch (wireType) {
      case WT_VARINT:
        this.varint(end);
        return;
      case WT_FIXED64:
        if (this.pos + 8 > end) throw truncated();
        this.pos += 8;
        return;
      case WT_LEN:
        this.pos = this.lenEnd(end);
        return;
      case WT_FIXED32:
        if (this.pos + 4 > end) throw truncated();
        this.pos += 4;
        return;
      default:
        // Groups (3, 4) are not used by OTLP; 6 and 7 do not exist.
        throw new OtlpDecodeError(`unsupported wire type ${wireType}`);
    }
  }

  /** Reads a tag; throws on field number 0. Returns the raw tag (field << 3 | wire type). */
  tag(end: number): number {
    const t = this.varint(end);
    if (t < 8) throw new OtlpDecodeError('invalid field number 0');
    return t;
  }
}

/** Throws unless the wire type is the one the field is declared with. */
export function expectWireType(tag: number, wireType: number, what: string): void {
  if ((tag & 7) !== wireType) {
    throw new OtlpDecodeError(`wrong wire type ${tag & 7} for ${what} (expected ${wireType})`);
  }
}

/** The field number of a tag (tags can exceed 2^31, so no bit shifts). */
export function fieldOf(tag: number): number {
  return Math.floor(tag / 8);
}

/** Signed int64 from two unsigned halves, as the nearest double. */
export function int64ToNumber(lo: number, hi: number): number {
  return (hi | 0) * TWO_32 + lo;
}

/** Signed int64 from two unsigned halves, exact decimal text. */
export function int64ToDecimal(lo: number, hi: number): string {
  const n = int64ToNumber(lo, hi);
  if (Number.isSafeInteger(n)) return String(n);
  return BigInt.asIntN(64, (BigInt(hi) << 32n) | BigInt(lo)).toString();
}

function truncated(): OtlpDecodeError {
  return new OtlpDecodeError('truncated protobuf payload');
}
