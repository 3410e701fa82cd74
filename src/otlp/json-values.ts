// OTLP/JSON helpers shared by the trace and log decoders: parsing the body, reading lowerCamelCase keys
// (snake_case accepted too, as protobuf JSON parsers do), AnyValue → ValueSlot, resource attributes.
import { OtlpDecodeError } from './result.js';
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
  V_INVALID,
  V_KVLIST,
  V_STRING,
  classifyKey,
  newSlot,
  arrayElementOf,
} from './attributes.js';
import { MAX_RESOURCE_ATTRIBUTES } from './proto-values.js';

export type JsonObject = Record<string, unknown>;

export function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Parses the body; anything but a JSON object is a malformed payload. */
export function parseBody(text: string): JsonObject {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (e) {
    throw new OtlpDecodeError(`invalid JSON: ${(e as Error).message}`);
  }
  if (!isObject(body)) throw new OtlpDecodeError(`expected a JSON object at the top level, got ${describe(body)}`);
  return body;
}

export function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return typeof v === 'string' ? 'a string' : typeof v === 'object' ? 'an object' : `a ${typeof v}`;
}

/** o[camel], else o[snake]. */
export function field(o: JsonObject, camel: string, snake: string): unknown {
  const v = o[camel];
  return v !== undefined ? v : o[snake];
}

/** A container array of the request (resourceSpans, scopeSpans, ...): absent = empty, else must be an array. */
export function containerArray(o: JsonObject, camel: string, snake: string, path: string): unknown[] {
  const v = field(o, camel, snake);
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw new OtlpDecodeError(`${path}: expected an array, got ${describe(v)}`);
  return v;
}

/** A container element must be an object. */
export function containerObject(v: unknown, path: string): JsonObject {
  if (!isObject(v)) throw new OtlpDecodeError(`${path}: expected an object, got ${describe(v)}`);
  return v;
}

const INT_TEXT = /^-?[0-9]+$/;
const scratchArray: ArrayElement[] = [];
const elementSlot = newSlot();

/** One JSON AnyValue into slot; `nested` values that are arrays are not walked. */
export function jsonAnyValue(v: unknown, slot: ValueSlot, nested: boolean): void {
  slot.type = V_INVALID;
  if (!isObject(v)) return;
  let x: unknown;
  if ((x = field(v, 'stringValue', 'string_value')) !== undefined) {
    if (typeof x === 'string') {
      slot.str = x;
      slot.type = V_STRING;
    }
  } else if ((x = field(v, 'doubleValue', 'double_value')) !== undefined) {
    const n = jsonDouble(x);
    if (n !== undefined) {
      slot.num = n;
      slot.type = V_DOUBLE;
    }
  } else if ((x = field(v, 'intValue', 'int_value')) !== undefined) {
    jsonInt(x, slot);
  } else if ((x = field(v, 'boolValue', 'bool_value')) !== undefined) {
    if (typeof x === 'boolean') {
      slot.bool = x;
      slot.type = V_BOOL;
    }
  } else if ((x = field(v, 'arrayValue', 'array_value')) !== undefined) {
    slot.type = V_ARRAY;
    slot.arr = nested ? null : jsonArray(x);
  } else if (field(v, 'kvlistValue', 'kvlist_value') !== undefined) {
    slot.type = V_KVLIST;
  } else if (field(v, 'bytesValue', 'bytes_value') !== undefined) {
    slot.type = V_BYTES;
  } else {
    slot.type = V_EMPTY;
  }
}

/**
 * doubleValue: a number; "NaN"/"Infinity"/"-Infinity" (proto3 JSON); null, which is what JSON.stringify
 * makes of NaN and ±Infinity (the JS exporters do this), is read as NaN so features keep the signal.
 */
function jsonDouble(x: unknown): number | undefined {
  if (typeof x === 'number') return x;
  if (x === null) return NaN;
  if (typeof x === 'string') {
    if (x === 'NaN') return NaN;
    if (x === 'Infinity') return Infinity;
    if (x === '-Infinity') return -Infinity;
    const n = x.trim() === '' ? NaN : Number(x);
    return Number.isNaN(n) ? undefined : n;
  }
  return undefined;
}

/** intValue: a JSON number (the JS exporters) or a decimal string (proto3 JSON int64). */
function jsonInt(x: unknown, slot: ValueSlot): void {
  if (typeof x === 'number') {
    if (!Number.isInteger(x)) return;
    slot.num = x;
    slot.intText = '';
    slot.type = V_INT;
  } else if (typeof x === 'string' && INT_TEXT.test(x)) {
    slot.num = Number(x);
    slot.intText = Number.isSafeInteger(slot.num) ? '' : BigInt(x).toString();
    slot.type = V_INT;
  }
}

function jsonArray(x: unknown): ArrayElement[] | null {
  if (!isObject(x)) return null;
  const values = field(x, 'values', 'values');
  const out = scratchArray;
  out.length = 0;
  if (values === undefined) return out;
  if (!Array.isArray(values)) return null;
  for (const e of values) {
    jsonAnyValue(e, elementSlot, true);
    const element = arrayElementOf(elementSlot);
    if (element === undefined) return null;
    out.push(element);
  }
  return out;
}

const slot = newSlot();

/** A span's or log record's attributes; returns a reason when the list itself is malformed. */
export function jsonAttributes(list: unknown, attrs: SpanAttrs): string | undefined {
  if (list === undefined || list === null) return undefined;
  if (!Array.isArray(list)) return `attributes: expected an array, got ${describe(list)}`;
  for (const kv of list) {
    if (!isObject(kv) || typeof kv.key !== 'string') return 'attributes: every element must be an object with a string key';
    const code = classifyKey(kv.key);
    if (code === K_IGNORE) continue;
    const v = kv.value;
    if (v === undefined || v === null) slot.type = V_EMPTY;
    else jsonAnyValue(v, slot, false);
    attrs.set(code, kv.key, slot);
  }
  return undefined;
}

/** Resource attributes: string values only, the first 32. */
export function jsonResource(resource: unknown, maxLength: number): Record<string, string> | undefined {
  if (!isObject(resource)) return undefined;
  const list = resource.attributes;
  if (!Array.isArray(list)) return undefined;
  let out: Record<string, string> | undefined;
  let n = 0;
  for (const kv of list) {
    if (n >= MAX_RESOURCE_ATTRIBUTES) break;
    if (!isObject(kv) || typeof kv.key !== 'string' || kv.key === '') continue;
    jsonAnyValue(kv.value, slot, true);
    if (slot.type === V_STRING && slot.str.length <= maxLength) {
      (out ??= {})[kv.key] = slot.str;
      n++;
    }
  }
  return out === undefined ? undefined : Object.freeze(out);
}

/** An enum given as a number or as its name (e.g. "STATUS_CODE_ERROR"). */
export function jsonEnum(v: unknown, names: Record<string, number>): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'string') return names[v] ?? (INT_TEXT.test(v) ? Number(v) : 0);
  return 0;
}
