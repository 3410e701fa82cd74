// The ml.* attribute semantics, shared by the protobuf and JSON decoders: which keys we read, and how a
// typed attribute value lands in the per-span state (or makes the span rejected, with a reason).
// The decoders only parse syntax into a ValueSlot; everything about meaning lives here.
import type { FeatureValue } from '../pipeline/records.js';
import type { ResolvedOptions } from './result.js';

// Value types of an OTLP AnyValue.
export const V_EMPTY = 0;
export const V_STRING = 1;
export const V_BOOL = 2;
export const V_INT = 3;
export const V_DOUBLE = 4;
export const V_ARRAY = 5;
export const V_KVLIST = 6;
export const V_BYTES = 7;
/** A JSON value that is not an OTLP AnyValue (e.g. intValue 1.5). */
export const V_INVALID = 8;

const TYPE_NAMES = ['empty', 'string', 'bool', 'int', 'double', 'array', 'kvlist', 'bytes', 'malformed AnyValue'];

export type ArrayElement = string | number | boolean | null;

/** One decoded attribute value; decoders reuse a single slot, so consume it before the next. */
export interface ValueSlot {
  type: number;
  str: string;
  num: number;
  bool: boolean;
  /** Exact decimal text of an int when it exceeds 2^53, else '' (String(num) is exact). */
  intText: string;
  /** Elements of an array of scalars; null when the array nests arrays/kvlists/bytes. */
  arr: ArrayElement[] | null;
}

/** An array element from a decoded slot, or undefined when the element is not a scalar. */
export function arrayElementOf(slot: ValueSlot): ArrayElement | undefined {
  switch (slot.type) {
    case V_STRING:
      return slot.str;
    case V_INT:
    case V_DOUBLE:
      return slot.num;
    case V_BOOL:
      return slot.bool;
    case V_EMPTY:
      return null;
    default:
      return undefined;
  }
}

export function newSlot(): ValueSlot {
  return { type: V_EMPTY, str: '', num: 0, bool: false, intText: '', arr: null };
}

// Keys we read. K_IGNORE keys are skipped without decoding their value.
export const K_IGNORE = 0;
export const K_MODEL_NAME = 1;
export const K_GENAI_MODEL = 2;
export const K_LLM_MODEL = 3;
export const K_MODEL_VERSION = 4;
export const K_PRED_ID = 5;
export const K_PRED_CLASS = 6;
export const K_PRED_CONFIDENCE = 7;
export const K_PRED_PROBABILITIES = 8;
export const K_MODEL_CLASSES = 9;
export const K_PRED_VALUE = 10;
export const K_GT_CLASS = 11;
export const K_GT_VALUE = 12;
export const K_STAGE = 13;
export const K_ERROR_TYPE = 14;
export const K_FEATURE = 15;
export const K_TAG = 16;
export const K_EXCEPTION_TYPE = 17;

const EXACT_KEYS = new Map<string, number>([
  ['ml.model.name', K_MODEL_NAME],
  ['gen_ai.request.model', K_GENAI_MODEL],
  ['llm.model_name', K_LLM_MODEL],
  ['ml.model.version', K_MODEL_VERSION],
  ['ml.prediction.id', K_PRED_ID],
  ['ml.prediction.class', K_PRED_CLASS],
  ['ml.prediction.confidence', K_PRED_CONFIDENCE],
  ['ml.prediction.probabilities', K_PRED_PROBABILITIES],
  ['ml.model.classes', K_MODEL_CLASSES],
  ['ml.prediction.value', K_PRED_VALUE],
  ['ml.ground_truth.class', K_GT_CLASS],
  ['ml.ground_truth.value', K_GT_VALUE],
  ['ml.stage', K_STAGE],
  ['error.type', K_ERROR_TYPE],
]);

export const FEATURE_PREFIX = 'ml.feature.';
export const TAG_PREFIX = 'ml.tag.';

/** Cheap pre-filter on the first byte of a key: every key we read starts with m, g, l or e. */
export function mayBeWantedKey(firstChar: number): boolean {
  return firstChar === 109 /* m */ || firstChar === 103 /* g */ || firstChar === 108 /* l */ || firstChar === 101 /* e */;
}

/** The key without its ml.feature. / ml.tag. prefix ('' for other keys). */
export function keySuffix(code: number, key: string): string {
  if (code === K_FEATURE) return key.slice(FEATURE_PREFIX.length);
  if (code === K_TAG) return key.slice(TAG_PREFIX.length);
  return '';
}

export function classifyKey(key: string): number {
  const k = EXACT_KEYS.get(key);
  if (k !== undefined) return k;
  if (key.startsWith(FEATURE_PREFIX) && key.length > FEATURE_PREFIX.length) return K_FEATURE;
  if (key.startsWith(TAG_PREFIX) && key.length > TAG_PREFIX.length) return K_TAG;
  return K_IGNORE;
}

function intTextOf(v: ValueSlot): string {
  return v.intText !== '' ? v.intText : String(v.num);
}

function typeName(v: ValueSlot): string {
  return TYPE_NAMES[v.type] ?? 'unknown';
}

/** The ml.* state of one span or log record. Reused across items: reset() before each. */
export class SpanAttrs {
  modelName: string | undefined;
  aliasModelName: string | undefined;
  aliasRank = 0;
  modelVersion: string | undefined;
  predictionId: string | undefined;
  predictedClass: string | undefined;
  confidence: number | undefined;
  probabilities: number[] | undefined;
  classes: string[] | undefined;
  value: number | undefined;
  groundTruthClass: string | undefined;
  groundTruthValue: number | undefined;
  stage: string | undefined;
  errorType: string | undefined;
  features: Record<string, FeatureValue> | undefined;
  featureCount = 0;
  tags: Record<string, string> | undefined;
  /** Bit (1 << code) per key code seen, valid or not: what the sender meant decides what the item is. */
  present = 0;
  /** First reason this item must be refused; undefined while it is fine. */
  reject: string | undefined;

  constructor(private readonly opts: ResolvedOptions) {}

  reset(): void {
    this.modelName = undefined;
    this.aliasModelName = undefined;
    this.aliasRank = 0;
    this.modelVersion = undefined;
    this.predictionId = undefined;
    this.predictedClass = undefined;
    this.confidence = undefined;
    this.probabilities = undefined;
    this.classes = undefined;
    this.value = undefined;
    this.groundTruthClass = undefined;
    this.groundTruthValue = undefined;
    this.stage = undefined;
    this.errorType = undefined;
    this.features = undefined;
    this.featureCount = 0;
    this.tags = undefined;
    this.present = 0;
    this.reject = undefined;
  }

  has(code: number): boolean {
    return (this.present & (1 << code)) !== 0;
  }

  /** ml.model.name wins over its aliases; among aliases gen_ai.request.model wins over llm.model_name. */
  get resolvedModelName(): string | undefined {
    return this.modelName ?? this.aliasModelName;
  }

  /** ml.prediction.class or ml.prediction.value present (valid or not). */
  get hasPredictionOutput(): boolean {
    return (this.present & ((1 << K_PRED_CLASS) | (1 << K_PRED_VALUE))) !== 0;
  }

  /** Any attribute of a prediction (not ground truth) present, valid or not. */
  get hasPredictionAttributes(): boolean {
    return (this.present & ((1 << K_PRED_CLASS) | (1 << K_PRED_VALUE) | (1 << K_PRED_CONFIDENCE) | (1 << K_PRED_PROBABILITIES))) !== 0;
  }

  /** ml.ground_truth.class or .value present (valid or not). */
  get hasGroundTruth(): boolean {
    return (this.present & ((1 << K_GT_CLASS) | (1 << K_GT_VALUE))) !== 0;
  }

  private fail(reason: string): void {
    if (this.reject === undefined) this.reject = reason;
  }

  private str(key: string, v: ValueSlot, allowInt: boolean): string | undefined {
    if (v.type === V_STRING) {
      if (v.str.length > this.opts.maxAttributeLength) {
        this.fail(`${key}: string longer than ${this.opts.maxAttributeLength} characters`);
        return undefined;
      }
      return v.str;
    }
    if (allowInt && v.type === V_INT) return intTextOf(v);
    this.fail(`${key}: expected a string${allowInt ? ' or int' : ''}, got ${typeName(v)}`);
    return undefined;
  }

  private finite(key: string, v: ValueSlot): number | undefined {
    if ((v.type === V_DOUBLE || v.type === V_INT) && Number.isFinite(v.num)) return v.num;
    this.fail(`${key}: expected a finite number, got ${v.type === V_DOUBLE ? String(v.num) : typeName(v)}`);
    return undefined;
  }

  /**
   * Applies one attribute. `code` comes from classifyKey(key); `suffix` may carry the key without its
   * ml.feature. / ml.tag. prefix when the caller has it already (the protobuf key cache).
   */
  set(code: number, key: string, v: ValueSlot, suffix?: string): void {
    this.present |= 1 << code;
    switch (code) {
      case K_MODEL_NAME: {
        const s = this.str(key, v, false);
        if (s) this.modelName = s;
        return;
      }
      case K_GENAI_MODEL:
      case K_LLM_MODEL: {
        const s = this.str(key, v, false);
        const rank = code === K_GENAI_MODEL ? 2 : 1;
        if (s && rank >= this.aliasRank) {
          this.aliasModelName = s;
          this.aliasRank = rank;
        }
        return;
      }
      case K_MODEL_VERSION: {
        const s = v.type === V_DOUBLE ? String(v.num) : this.str(key, v, true);
        if (s) this.modelVersion = s;
        return;
      }
      case K_PRED_ID: {
        const s = this.str(key, v, true);
        if (s === '') this.fail(`${key}: empty`);
        else if (s !== undefined) this.predictionId = s;
        return;
      }
      case K_PRED_CLASS:
        this.predictedClass = this.str(key, v, true);
        return;
      case K_PRED_CONFIDENCE: {
        const n = this.finite(key, v);
        if (n === undefined) return;
        if (n < 0 || n > 1) this.fail(`${key}: ${n} is outside [0, 1]`);
        else this.confidence = n;
        return;
      }
      case K_PRED_PROBABILITIES:
        this.probabilities = this.numberArray(key, v);
        return;
      case K_MODEL_CLASSES:
        this.classes = this.stringArray(key, v);
        return;
      case K_PRED_VALUE:
        this.value = this.finite(key, v);
        return;
      case K_GT_CLASS:
        this.groundTruthClass = this.str(key, v, true);
        return;
      case K_GT_VALUE:
        this.groundTruthValue = this.finite(key, v);
        return;
      case K_STAGE:
        if (v.type === V_STRING) this.stage = v.str;
        return;
      case K_ERROR_TYPE:
      case K_EXCEPTION_TYPE:
        if (v.type === V_STRING && v.str !== '') this.errorType = v.str.slice(0, this.opts.maxAttributeLength);
        return;
      case K_FEATURE:
        this.feature(key, v, suffix ?? key.slice(FEATURE_PREFIX.length));
        return;
      case K_TAG:
        this.tag(key, v, suffix ?? key.slice(TAG_PREFIX.length));
        return;
    }
  }

  private feature(key: string, v: ValueSlot, name: string): void {
    let value: FeatureValue;
    switch (v.type) {
      case V_DOUBLE:
      case V_INT:
        value = v.num; // NaN and ±Infinity are kept: drift counts them as a data-quality signal
        break;
      case V_STRING:
        if (v.str.length > this.opts.maxAttributeLength) {
          this.fail(`${key}: string longer than ${this.opts.maxAttributeLength} characters`);
          return;
        }
        value = v.str;
        break;
      case V_BOOL:
        value = v.bool;
        break;
      case V_EMPTY:
        value = null;
        break;
      default:
        this.fail(`${key}: features must be double, int, string or bool, got ${typeName(v)}`);
        return;
    }
    if (this.features === undefined) this.features = {};
    else if (name in this.features) {
      this.features[name] = value; // a repeated key: the last one wins, not counted twice
      return;
    }
    if (++this.featureCount > this.opts.maxFeatures) {
      this.fail(`ml.feature.*: more than ${this.opts.maxFeatures} features on one span`);
      return;
    }
    this.features[name] = value;
  }

  private tag(key: string, v: ValueSlot, name: string): void {
    let s: string;
    switch (v.type) {
      case V_STRING:
        s = v.str;
        break;
      case V_INT:
        s = intTextOf(v);
        break;
      case V_DOUBLE:
        s = String(v.num);
        break;
      case V_BOOL:
        s = v.bool ? 'true' : 'false';
        break;
      default:
        this.fail(`${key}: tags must be string, int, double or bool, got ${typeName(v)}`);
        return;
    }
    if (s.length > this.opts.maxAttributeLength) {
      this.fail(`${key}: string longer than ${this.opts.maxAttributeLength} characters`);
      return;
    }
    if (this.tags === undefined) this.tags = {};
    this.tags[name] = s;
  }

  private numberArray(key: string, v: ValueSlot): number[] | undefined {
    if (v.type !== V_ARRAY || v.arr === null) {
      this.fail(`${key}: expected an array of doubles, got ${v.type === V_ARRAY ? 'a nested array' : typeName(v)}`);
      return undefined;
    }
    const out: number[] = [];
    for (const e of v.arr) {
      if (typeof e !== 'number' || !(e >= 0 && e <= 1)) {
        this.fail(`${key}: every element must be a probability in [0, 1], got ${String(e)}`);
        return undefined;
      }
      out.push(e);
    }
    return out;
  }

  private stringArray(key: string, v: ValueSlot): string[] | undefined {
    if (v.type !== V_ARRAY || v.arr === null) {
      this.fail(`${key}: expected an array of strings, got ${v.type === V_ARRAY ? 'a nested array' : typeName(v)}`);
      return undefined;
    }
    const out: string[] = [];
    for (const e of v.arr) {
      if (typeof e !== 'string') {
        this.fail(`${key}: every element must be a string, got ${e === null ? 'empty' : typeof e}`);
        return undefined;
      }
      if (e.length > this.opts.maxAttributeLength) {
        this.fail(`${key}: string longer than ${this.opts.maxAttributeLength} characters`);
        return undefined;
      }
      out.push(e);
    }
    return out;
  }
}
