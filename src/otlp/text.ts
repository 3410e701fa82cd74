// Conversions shared by the protobuf and JSON decoders: ids to lowercase hex, UTF-8 slices to strings,
// OTLP nanosecond timestamps to Unix milliseconds without losing microseconds.

/**
 * Lowercase hex of buf[start, end), by Node's native encoder: one flat string. Built in JavaScript two
 * digits at a time, each id left a chain of intermediate strings behind (measured on 2M spans: 1.7x the
 * time and 2.3x the young-generation collections).
 */
export function hexOf(buf: Buffer, start: number, end: number): string {
  return buf.toString('hex', start, end);
}

/**
 * Short ASCII strings seen before (attribute values such as model names, versions, classes, categories:
 * few distinct values, one per span each), by their bytes. Bounded and two-way set-associative: two hot
 * values whose hashes share a set both stay (direct-mapped, such a pair evicted each other on every
 * span); values that do not repeat only pass through. A hit allocates nothing, and the same string
 * object keeps its hash for the maps downstream. Measured on repeating values: 2x faster than building
 * the string, ~40x fewer young-generation collections.
 */
const SHORT_BYTES = 24;
const SHORT_SETS = 512;
const shortStrings: (string | undefined)[] = new Array(2 * SHORT_SETS).fill(undefined);

function sameText(s: string | undefined, buf: Buffer, start: number, n: number): s is string {
  if (s === undefined || s.length !== n) return false;
  for (let i = 0; i < n; i++) if (s.charCodeAt(i) !== buf[start + i]) return false;
  return true;
}

/** UTF-8 of nodeBuf[start, end). Invalid UTF-8 becomes U+FFFD (Buffer's replacement decoding). */
export function utf8Of(nodeBuf: Buffer, start: number, end: number): string {
  const n = end - start;
  if (n > SHORT_BYTES) return nodeBuf.toString('utf8', start, end);
  let h = n;
  for (let i = start; i < end; i++) {
    const c = nodeBuf[i];
    if (c >= 128) return nodeBuf.toString('utf8', start, end);
    h = (Math.imul(h, 31) + c) | 0;
  }
  const way = 2 * (Math.imul(h, 0x9e3779b1) >>> 23); // the top 9 bits: one of 512 sets
  const first = shortStrings[way];
  if (sameText(first, nodeBuf, start, n)) return first;
  const second = shortStrings[way + 1];
  if (sameText(second, nodeBuf, start, n)) return second;
  // ASCII: latin1 decoding gives the same text, without UTF-8 validation. Newest first in its set.
  const s = nodeBuf.toString('latin1', start, end);
  shortStrings[way + 1] = first;
  shortStrings[way] = s;
  return s;
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
