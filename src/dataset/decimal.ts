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

/** Reads numbers in place; one instance per reader (it keeps where the last number ended). */
export class PlainDecimalReader {
  /** Index of the first byte after the last number read (where it stopped). */
  end = 0;

  /**
   * The plain decimal starting at b[i] and stopping at the first byte that cannot continue it (or at
   * `limit`); NaN when there is none or it is beyond the exact range (then `end` is meaningless).
   */
  read(b: Uint8Array, i: number, limit: number): number {
    let negative = false;
    let c = i < limit ? b[i] : 0;
    if (c === 45 /* - */) {
      negative = true;
      i++;
    } else if (c === 43 /* + */) i++;
    let mantissa = 0;
    let digits = 0;
    let scale = 0;
    while (i < limit) {
      c = b[i] - 48;
      if (c < 0 || c > 9) break;
      mantissa = mantissa * 10 + c;
      digits++;
      i++;
    }
    if (i < limit && b[i] === 46 /* . */) {
      i++;
      while (i < limit) {
        c = b[i] - 48;
        if (c < 0 || c > 9) break;
        mantissa = mantissa * 10 + c;
        digits++;
        scale--;
        i++;
      }
    }
    if (digits === 0 || digits > MAX_DIGITS) return NaN;
    if (i < limit && (b[i] === 101 /* e */ || b[i] === 69 /* E */)) {
      i++;
      let expNegative = false;
      if (i < limit && b[i] === 45) {
        expNegative = true;
        i++;
      } else if (i < limit && b[i] === 43) i++;
      let exp = 0;
      let expDigits = 0;
      while (i < limit) {
        c = b[i] - 48;
        if (c < 0 || c > 9) break;
        if (++expDigits > MAX_EXPONENT_DIGITS) return NaN;
        exp = exp * 10 + c;
        i++;
      }
      if (expDigits === 0) return NaN;
      scale += expNegative ? -exp : exp;
    }
    this.end = i;
    let v: number;
    if (scale === 0) v = mantissa;
    else if (scale > 0 && scale <= 22) v = mantissa * POW10[scale];
    else if (scale < 0 && scale >= -22) v = mantissa / POW10[-scale];
    else return NaN;
    return negative ? -v : v;
  }
}

const shared = new PlainDecimalReader();

/** The number that all of bytes[start, end) spell, or undefined when they are not a plain decimal. */
export function parsePlainDecimal(b: Uint8Array, start: number, end: number): number | undefined {
  const v = shared.read(b, start, end);
  return v === v && shared.end === end ? v : undefined;
}
