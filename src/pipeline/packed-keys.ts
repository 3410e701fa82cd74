// Ids kept as their bytes instead of as strings, for the collections that hold hundreds of thousands of
// them (keyed-columns.ts). The ids that come in are hex (trace and span ids, the ids derived from them:
// 48 characters) or UUIDs: as a string such an id takes 64-72 bytes of heap and, held for seconds, is
// copied by each young collection and then promoted; as bytes it takes 16-24 in a chunk's buffer.
// Only the lowercase forms are packed, so unpacking gives back the very string that came in; any other
// key stays a string. Measured (fourteenth session, three alternating pairs at 10k spans/s): peak RSS
// 204-206 MiB against 210-215, the processors' checkpoint mean 7.2-8.3 ms against 7.9-8.6, CPU within
// the noise.

/** Bytes kept per key: a 48-character hex id. */
export const PACKED_BYTES = 24;

/** The form of a packed key: 1..PACKED_BYTES, a hex id of that many bytes; UUID, a lowercase UUID. */
export const NOT_PACKED = 0;
const UUID = 255;
const UUID_LENGTH = 36;
/** Where each of a UUID's 16 bytes starts in its text (dashes at 8, 13, 18 and 23). */
const UUID_AT = Uint8Array.from([0, 2, 4, 6, 9, 11, 14, 16, 19, 21, 24, 26, 28, 30, 32, 34]);

/**
 * Each ASCII code's value as a lowercase hex digit, -1 for the rest. A table: packKey took ~135 ns for a
 * 48-character id with it, ~280 with range tests (3 calls a prediction, ~4 % of the event loop's time).
 */
const DIGIT = new Int8Array(128).fill(-1);
for (let i = 0; i < 10; i++) DIGIT[48 + i] = i;
for (let i = 0; i < 6; i++) DIGIT[97 + i] = 10 + i;

/** The value of the lowercase hex digit at `key[i]`, else -1. */
function nibble(key: string, i: number): number {
  const c = key.charCodeAt(i);
  return c < 128 ? DIGIT[c] : -1;
}

function isUuidShape(key: string): boolean {
  return key.length === UUID_LENGTH && key.charCodeAt(8) === 45 && key.charCodeAt(13) === 45 && key.charCodeAt(18) === 45 && key.charCodeAt(23) === 45;
}

/** Where byte k of a key of `form` starts in its text. */
function charAt(form: number, k: number): number {
  return form === UUID ? UUID_AT[k] : 2 * k;
}

function byteCount(form: number): number {
  return form === UUID ? 16 : form;
}

/** The form `key` packs as, NOT_PACKED when it cannot (checks its length and shape, not its digits). */
function formOf(key: string): number {
  if (isUuidShape(key)) return UUID;
  const n = key.length >> 1;
  return (key.length & 1) === 0 && n > 0 && n <= PACKED_BYTES ? n : NOT_PACKED;
}

/** Writes `key` into bytes[at, at + PACKED_BYTES) and returns its form, or NOT_PACKED (bytes then unspecified). */
export function packKey(key: string, bytes: Uint8Array, at: number): number {
  const form = formOf(key);
  if (form === NOT_PACKED) return NOT_PACKED;
  for (let k = 0, n = byteCount(form); k < n; k++) {
    const b = byteAt(key, charAt(form, k));
    if (b < 0) return NOT_PACKED;
    bytes[at + k] = b;
  }
  return form;
}

/** The byte written as two lowercase hex digits at `key[i]`, else -1. */
function byteAt(key: string, i: number): number {
  const hi = nibble(key, i);
  const lo = nibble(key, i + 1);
  return (hi | lo) < 0 ? -1 : (hi << 4) | lo;
}

/** Whether the key packed at `at` as `form` is `key`, without building its string. */
export function packedEquals(bytes: Uint8Array, at: number, form: number, key: string): boolean {
  if (form === UUID ? !isUuidShape(key) : key.length !== 2 * form) return false;
  for (let k = 0, n = byteCount(form); k < n; k++) {
    if (byteAt(key, charAt(form, k)) !== bytes[at + k]) return false;
  }
  return true;
}

/** The string packed at `at` as `form`. `bytes` is a Buffer, whose hex encoding is native. */
export function unpackKey(bytes: Buffer, at: number, form: number): string {
  if (form !== UUID) return bytes.toString('hex', at, at + form);
  const hex = bytes.toString('hex', at, at + 16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
