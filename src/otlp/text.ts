// Conversions shared by the protobuf and JSON decoders: ids to lowercase hex, UTF-8 slices to strings,
// OTLP nanosecond timestamps to Unix milliseconds without losing microseconds.

const HEX_BYTE: string[] = [];
for (let i = 0; i < 256; i++) HEX_BYTE.push(i.toString(16).padStart(2, '0'));

/** Lowercase hex of buf[start, end). */
export function hexOf(buf: Uint8Array, start: number, end: number): string {
  let s = '';
  for (let i = start; i < end; i++) s += HEX_BYTE[buf[i]];
  return s;
}

/**
 * UTF-8 of nodeBuf[start, end). Short ASCII strings (attribute keys, class names) are built directly:
 * cheaper than a native call. Invalid UTF-8 becomes U+FFFD (Buffer's replacement decoding).
 */
export function utf8Of(nodeBuf: Buffer, start: number, end: number): string {
  if (end - start <= 24) {
    let s = '';
    for (let i = start; i < end; i++) {
      const c = nodeBuf[i];
      if (c >= 128) return nodeBuf.toString('utf8', start, end);
      s += String.fromCharCode(c);
    }
    return s;
  }
  return nodeBuf.toString('utf8', start, end);
}

/**
 * Unix nanoseconds given as unsigned 32-bit halves (fixed64) → Unix ms. 2^32 ns = 4294 ms + 967296 ns,
 * so the whole milliseconds and the sub-millisecond remainder are both computed exactly, and only the
 * final addition rounds (to well under a microsecond for any date this century).
 */
export function nanosHalvesToMs(lo: number, hi: number): number {
  const t = hi * 967296 + lo; // < 2^52, exact
  const rem = t % 1e6;
  return hi * 4294 + (t - rem) / 1e6 + rem / 1e6;
}

const DIGITS = /^[0-9]+$/;

/** Unix nanoseconds as OTLP/JSON sends them (decimal string, or a number) → Unix ms; NaN if invalid. */
export function nanosJsonToMs(v: unknown): number {
  if (typeof v === 'string') {
    if (!DIGITS.test(v)) return NaN;
    if (v.length <= 6) return Number(v) / 1e6;
    // Same arithmetic as nanosHalvesToMs: exact whole ms + exact remainder, one rounding.
    return Number(v.slice(0, v.length - 6)) + Number(v.slice(v.length - 6)) / 1e6;
  }
  if (typeof v === 'number' && Number.isFinite(v) && v >= 0) {
    const rem = v % 1e6;
    return (v - rem) / 1e6 + rem / 1e6;
  }
  if (v === undefined || v === null) return 0;
  return NaN;
}

const HEX_ID = /^[0-9a-fA-F]*$/;

/** Stands for an id that is present but not hex: non-empty, so never a root, and never a valid length. */
export const INVALID_ID = '?';

/** A JSON hex id, lowercased; '' when absent, INVALID_ID when it is not hex (lengths are checked later). */
export function hexIdFromJson(v: unknown): string {
  if (v === undefined || v === null || v === '') return '';
  if (typeof v !== 'string' || !HEX_ID.test(v)) return INVALID_ID;
  return v.toLowerCase();
}
