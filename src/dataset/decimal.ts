// Reading a plain decimal number straight from the bytes of a file, without making a string: the
// common case of numerical CSV columns. Only the form [+-]digits[.digits][(e|E)[+-]digits] with at
// most 15 digits is read here; everything else (more digits, hex, blanks around, "nan", "inf", text)
// is left to Number() on the field's text (see columns.ts toNumber).
// Exact: an integer below 10^15 and a power of ten up to 10^22 are both exact doubles, so one
// multiplication or division rounds once, to the double nearest the decimal (Clinger's fast path).
// The result is therefore the same double Number() gives for the same text.

const POW10 = Array.from({ length: 23 }, (_, k) => Number(`1e${k}`));
const MAX_DIGITS = 15;
const MAX_EXPONENT_DIGITS = 4;

/**
 * Reads the plain decimal starting at b[i], stopping at the first byte that cannot continue it (or at
 * `limit`), and stores its value in out[at]. Returns the index after the number, or -1 when there is no
 * plain decimal there or it is beyond the exact range (out[at] is then unchanged). The value goes to
 * an array, not a return value, so that no number object is made per field.
 */
export function readPlainDecimal(b: Uint8Array, i: number, limit: number, out: Float64Array, at: number): number {
  let negative = false;
  let c = i < limit ? b[i] : 0;
  if (c === 45 /* - */) {
    negative = true;
    i++;
  } else if (c === 43 /* + */) i++;
  let mantissa = 0;
  let scale = 0;
  const intStart = i;
  // (x >>> 0) <= 9: one unsigned comparison tells a digit
  while (i < limit && (c = b[i] - 48) >>> 0 <= 9) {
    mantissa = mantissa * 10 + c;
    i++;
  }
  let digits = i - intStart;
  if (i < limit && b[i] === 46 /* . */) {
    const fracStart = ++i;
    while (i < limit && (c = b[i] - 48) >>> 0 <= 9) {
      mantissa = mantissa * 10 + c;
      i++;
    }
    scale = fracStart - i;
    digits -= scale;
  }
  if (digits === 0 || digits > MAX_DIGITS) return -1;
  if (i < limit && (b[i] === 101 /* e */ || b[i] === 69 /* E */)) {
    // rare: kept out of line so that this function stays small enough to be inlined
    i = readExponent(b, i + 1, limit);
    if (i < 0) return -1;
    scale += exponent[0];
  }
  let v: number;
  if (scale === 0) v = mantissa;
  else if (scale > 0 && scale <= 22) v = mantissa * POW10[scale];
  else if (scale < 0 && scale >= -22) v = mantissa / POW10[-scale];
  else return -1;
  out[at] = negative ? -v : v;
  return i;
}

/** The exponent read by readExponent. */
const exponent = new Int32Array(1);

/** Reads [+-]digits (at most MAX_EXPONENT_DIGITS) into exponent[0]; returns the index after, or -1. */
function readExponent(b: Uint8Array, i: number, limit: number): number {
  let negative = false;
  if (i < limit && b[i] === 45) {
    negative = true;
    i++;
  } else if (i < limit && b[i] === 43) i++;
  let exp = 0;
  let digits = 0;
  let c: number;
  while (i < limit && (c = b[i] - 48) >>> 0 <= 9) {
    if (++digits > MAX_EXPONENT_DIGITS) return -1;
    exp = exp * 10 + c;
    i++;
  }
  if (digits === 0) return -1;
  exponent[0] = negative ? -exp : exp;
  return i;
}

const one = new Float64Array(1);

/** The number that all of bytes[start, end) spell, or undefined when they are not a plain decimal. */
export function parsePlainDecimal(b: Uint8Array, start: number, end: number): number | undefined {
  return readPlainDecimal(b, start, end, one, 0) === end ? one[0] : undefined;
}
