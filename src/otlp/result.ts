// What a decode call returns, the options it takes, and the one error type for a malformed payload.
import type { WireRecord } from '../pipeline/records.js';

export interface DecodeResult {
  /** Records in request order. */
  records: WireRecord[];
  /** Spans (or log records) seen in the request. */
  items: number;
  /** Items refused individually (malformed prediction etc.). */
  rejected: number;
  /** The first few distinct reasons, human-readable, naming the attribute. */
  rejectReasons: string[];
  /** Well-formed items that are neither prediction, stage nor feedback (other app spans). */
  ignored: number;
}

export interface DecodeOptions {
  /** Longer string values of the attributes we keep are refused with a reason. Default 4096. */
  maxAttributeLength?: number;
  /** More ml.feature.* attributes than this on one span refuse the span. Default 256. */
  maxFeatures?: number;
}

export const DEFAULT_MAX_ATTRIBUTE_LENGTH = 4096;
export const DEFAULT_MAX_FEATURES = 256;
/** How many distinct reasons a result keeps: enough to diagnose, bounded for a hostile payload. */
export const MAX_REJECT_REASONS = 5;

/** The whole payload is malformed: truncated, wrong wire type, bad JSON, wrong shape. */
export class OtlpDecodeError extends Error {
  override name = 'OtlpDecodeError';
}

export interface ResolvedOptions {
  maxAttributeLength: number;
  maxFeatures: number;
}

export function resolveOptions(opts?: DecodeOptions): ResolvedOptions {
  return {
    maxAttributeLength: opts?.maxAttributeLength ?? DEFAULT_MAX_ATTRIBUTE_LENGTH,
    maxFeatures: opts?.maxFeatures ?? DEFAULT_MAX_FEATURES,
  };
}

/** Accumulates a DecodeResult; keeps reasons distinct and bounded. */
export class ResultBuilder implements DecodeResult {
  records: WireRecord[] = [];
  items = 0;
  rejected = 0;
  rejectReasons: string[] = [];
  ignored = 0;

  reject(reason: string): void {
    this.rejected++;
    if (this.rejectReasons.length < MAX_REJECT_REASONS && !this.rejectReasons.includes(reason)) {
      this.rejectReasons.push(reason);
    }
  }

  toResult(): DecodeResult {
    return {
      records: this.records,
      items: this.items,
      rejected: this.rejected,
      rejectReasons: this.rejectReasons,
      ignored: this.ignored,
    };
  }
}
