// Protobuf decoding of OTLP KeyValue / AnyValue (opentelemetry.proto.common.v1), lazily: a key we do not
// read is skipped by length without decoding its value, so nested values are only walked for our keys,
// and then at most one level deep (an array's elements); deeper nesting is skipped by length.
import { OtlpDecodeError } from './result.js';
import { ProtoReader, WT_FIXED64, WT_LEN, WT_VARINT, fieldOf, int64ToDecimal, int64ToNumber } from './wire.js';
import { utf8Of } from './text.js';
import {
  type ArrayElement,
  type SpanAttrs,
  type ValueSlot,
  K_IGNORE,
  V_ARRAY,
  V_BOOL,
  V_BYTES,
  V_DOUBLE,
  V_EMPTY,
  V_INT,
  V_KVLIST,
  V_STRING,
  classifyKey,
  keySuffix,
  mayBeWantedKey,
  newSlot,
  arrayElementOf,
} from './attributes.js';

// Tags (field << 3 | wire type).
const TAG_KEY = (1 << 3) | WT_LEN;
const TAG_VALUE = (2 << 3) | WT_LEN;
const TAG_STRING = (1 << 3) | WT_LEN;
const TAG_BOOL = (2 << 3) | WT_VARINT;
const TAG_INT = (3 << 3) | WT_VARINT;
const TAG_DOUBLE = (4 << 3) | WT_FIXED64;
const TAG_ARRAY = (5 << 3) | WT_LEN;
const TAG_KVLIST = (6 << 3) | WT_LEN;
const TAG_BYTES = (7 << 3) | WT_LEN;
const TAG_ARRAY_VALUES = (1 << 3) | WT_LEN;

const elementSlot = newSlot();
const scratchArray: ArrayElement[] = [];

/** Reads one AnyValue in [start, end) into slot. Arrays of scalars fill slot.arr (a reused array). */
export function readAnyValue(r: ProtoReader, start: number, end: number, slot: ValueSlot, nested: boolean): void {
  r.pos = start;
  slot.type = V_EMPTY;
  while (r.pos < end) {
    const tag = r.tag(end);
    switch (tag) {
      case TAG_STRING: {
        const e = r.lenEnd(end);
        slot.str = utf8Of(r.nodeBuf, r.pos, e);
        slot.type = V_STRING;
        r.pos = e;
        break;
      }
      case TAG_BOOL:
        slot.bool = r.varint(end) !== 0;
        slot.type = V_BOOL;
        break;
      case TAG_INT:
        r.varint64(end);
        slot.num = int64ToNumber(r.lo, r.hi);
        slot.intText = Number.isSafeInteger(slot.num) ? '' : int64ToDecimal(r.lo, r.hi);
        slot.type = V_INT;
        break;
      case TAG_DOUBLE:
        slot.num = r.double(end);
        slot.type = V_DOUBLE;
        break;
      case TAG_ARRAY: {
        const e = r.lenEnd(end);
        slot.type = V_ARRAY;
        slot.arr = nested ? null : readArray(r, r.pos, e);
        r.pos = e;
        break;
      }
      case TAG_KVLIST:
        r.pos = r.lenEnd(end);
        slot.type = V_KVLIST;
        break;
      case TAG_BYTES:
        r.pos = r.lenEnd(end);
        slot.type = V_BYTES;
        break;
      default: {
        const field = fieldOf(tag);
        if (field >= 1 && field <= 7) throw new OtlpDecodeError(`wrong wire type ${tag & 7} for AnyValue field ${field}`);
        r.skip(tag & 7, end);
      }
    }
  }
}

/** An ArrayValue's scalar elements; null when an element is itself an array, kvlist or bytes. */
function readArray(r: ProtoReader, start: number, end: number): ArrayElement[] | null {
  const out = scratchArray;
  out.length = 0;
  let scalar = true;
  r.pos = start;
  while (r.pos < end) {
    const tag = r.tag(end);
    if (tag !== TAG_ARRAY_VALUES) {
      if (fieldOf(tag) === 1) throw new OtlpDecodeError(`wrong wire type ${tag & 7} for ArrayValue.values`);
      r.skip(tag & 7, end);
      continue;
    }
    const e = r.lenEnd(end);
    readAnyValue(r, r.pos, e, elementSlot, true);
    r.pos = e;
    const element = arrayElementOf(elementSlot);
    if (element === undefined) scalar = false;
    else out.push(element);
  }
  return scalar ? out : null;
}

/** A key seen before: its bytes, its text and what it means. */
interface KeyEntry {
  bytes: Uint8Array;
  key: string;
  code: number;
  suffix: string;
}

/**
 * Attribute keys repeat on every span, so their text and meaning are cached by their bytes: a hit costs a
 * hash and a byte comparison instead of a string build and a Map lookup. Bounded and two-way
 * set-associative: direct-mapped, two of the benchmark's own twelve keys (ml.feature.country and
 * ml.feature.device) shared a slot and missed on every span. A payload with many distinct keys only
 * evicts entries.
 */
const KEY_SETS = 256;
const keyCache: (KeyEntry | undefined)[] = new Array(2 * KEY_SETS).fill(undefined);

function sameKey(e: KeyEntry | undefined, buf: Uint8Array, start: number, end: number): e is KeyEntry {
  if (e === undefined || e.bytes.length !== end - start) return false;
  const b = e.bytes;
  let i = b.length - 1;
  while (i >= 0 && b[i] === buf[start + i]) i--;
  return i < 0;
}

function lookupKey(r: ProtoReader, start: number, end: number): KeyEntry {
  const buf = r.buf;
  // Keys share prefixes (ml.feature.): the length and the last bytes tell them apart.
  let h = end - start;
  for (let i = Math.max(start, end - 10); i < end; i++) h = (Math.imul(h, 31) + buf[i]) | 0;
  const way = 2 * (Math.imul(h, 0x9e3779b1) >>> 24); // the top 8 bits: one of 256 sets
  const first = keyCache[way];
  if (sameKey(first, buf, start, end)) return first;
  const second = keyCache[way + 1];
  if (sameKey(second, buf, start, end)) return second;
  const key = utf8Of(r.nodeBuf, start, end);
  const code = classifyKey(key);
  const entry: KeyEntry = { bytes: buf.slice(start, end), key, code, suffix: keySuffix(code, key) };
  keyCache[way + 1] = first;
  keyCache[way] = entry;
  return entry;
}

/**
 * Reads the ranges of one KeyValue in [start, end); returns the key's code (K_IGNORE when we do not read
 * it or it is empty) and leaves the key in lastKey and the value range in valueStart/valueEnd.
 */
export class KeyValueReader {
  lastKey = '';
  lastSuffix = '';
  valueStart = -1;
  valueEnd = -1;
  private keyStart = -1;
  private keyEnd = -1;

  read(r: ProtoReader, end: number): number {
    this.ranges(r, end);
    const { keyStart, keyEnd } = this;
    if (keyStart < 0 || keyEnd === keyStart || !mayBeWantedKey(r.buf[keyStart])) return K_IGNORE;
    const entry = lookupKey(r, keyStart, keyEnd);
    this.lastKey = entry.key;
    this.lastSuffix = entry.suffix;
    return entry.code;
  }

  /** Finds the key's and the value's byte ranges in one KeyValue, skipping unknown fields. */
  private ranges(r: ProtoReader, end: number): void {
    this.keyStart = -1;
    this.keyEnd = -1;
    this.valueStart = -1;
    this.valueEnd = -1;
    while (r.pos < end) {
      const tag = r.tag(end);
      if (tag === TAG_KEY) {
        this.keyEnd = r.lenEnd(end);
        this.keyStart = r.pos;
        r.pos = this.keyEnd;
      } else if (tag === TAG_VALUE) {
        this.valueEnd = r.lenEnd(end);
        this.valueStart = r.pos;
        r.pos = this.valueEnd;
      } else {
        const field = fieldOf(tag);
        if (field === 1 || field === 2) throw new OtlpDecodeError(`wrong wire type ${tag & 7} for KeyValue field ${field}`);
        r.skip(tag & 7, end);
      }
    }
  }

  /** Reads the key's value (empty when absent) into slot; leaves r.pos unchanged. */
  value(r: ProtoReader, slot: ValueSlot): void {
    const pos = r.pos;
    if (this.valueStart < 0) slot.type = V_EMPTY;
    else readAnyValue(r, this.valueStart, this.valueEnd, slot, false);
    r.pos = pos;
  }

  /** The key as text, decoding it whatever its first letter (resource and event attributes). */
  readAnyKey(r: ProtoReader, end: number): string {
    this.ranges(r, end);
    return this.keyStart < 0 ? '' : utf8Of(r.nodeBuf, this.keyStart, this.keyEnd);
  }

}

const kv = new KeyValueReader();
const slot = newSlot();

/** One KeyValue of a span or log record, in [r.pos, end): applied to attrs if it is one of ours. */
export function readAttribute(r: ProtoReader, end: number, attrs: SpanAttrs): void {
  const code = kv.read(r, end);
  if (code === K_IGNORE) return;
  kv.value(r, slot);
  attrs.set(code, kv.lastKey, slot, kv.lastSuffix);
}

export const MAX_RESOURCE_ATTRIBUTES = 32;

/** A Resource message in [r.pos, end): its string attributes, the first 32. */
export function readResource(r: ProtoReader, end: number, maxLength: number): Record<string, string> | undefined {
  let out: Record<string, string> | undefined;
  let n = 0;
  while (r.pos < end) {
    const tag = r.tag(end);
    if (tag !== TAG_KEY /* attributes = 1, LEN */) {
      if (fieldOf(tag) === 1) throw new OtlpDecodeError(`wrong wire type ${tag & 7} for Resource.attributes`);
      r.skip(tag & 7, end);
      continue;
    }
    const e = r.lenEnd(end);
    if (n >= MAX_RESOURCE_ATTRIBUTES) {
      r.pos = e;
      continue;
    }
    const key = kv.readAnyKey(r, e);
    kv.value(r, slot);
    r.pos = e;
    if (key !== '' && slot.type === V_STRING && slot.str.length <= maxLength) {
      (out ??= {})[key] = slot.str;
      n++;
    }
  }
  return out === undefined ? undefined : Object.freeze(out);
}

/** exception.type among an exception event's attributes in [start, end) (an Event message). */
export function readExceptionType(r: ProtoReader, start: number, end: number): string | undefined {
  const pos = r.pos;
  r.pos = start;
  let isException = false;
  let type: string | undefined;
  while (r.pos < end) {
    const tag = r.tag(end);
    const field = fieldOf(tag);
    if (field === 2 && (tag & 7) === WT_LEN) {
      const e = r.lenEnd(end);
      isException = utf8Of(r.nodeBuf, r.pos, e) === 'exception';
      r.pos = e;
    } else if (field === 3 && (tag & 7) === WT_LEN) {
      const e = r.lenEnd(end);
      const key = kv.readAnyKey(r, e);
      if (key === 'exception.type') {
        kv.value(r, slot);
        if (slot.type === V_STRING && slot.str !== '') type = slot.str;
      }
      r.pos = e;
    } else {
      if (field === 2 || field === 3) throw new OtlpDecodeError(`wrong wire type ${tag & 7} for Event field ${field}`);
      r.skip(tag & 7, end);
    }
  }
  r.pos = pos;
  return isException ? type : undefined;
}
