// What a user can ask of the prediction log (admin API query parameters and CLI flags use the same
// names), parsed and checked once, before any SQL is built (sql-filter.ts).
import { parseDuration } from '../../config/units.js';

export interface PredictionFilter {
  model?: string;
  version?: string;
  /** Prediction time in [from, to), ISO-8601 UTC as toISOString() writes it. */
  from?: string;
  to?: string;
  predictedClass?: string;
  /** Inclusive bounds. */
  minConfidence?: number;
  maxConfidence?: number;
  /** Has a ground truth (class or value). */
  labelled?: boolean;
  /** true: labelled with ground truth class == predicted class; false: labelled with a class that differs (or no prediction class). */
  correct?: boolean;
  /** Errored (error_type set) or not. */
  errors?: boolean;
  errorType?: string;
  /** Every pair must be in the row's tags (ml.tag.<key>). */
  tags?: Record<string, string>;
}

export type Order = 'asc' | 'desc';
/** Position after which a page starts: the last row of the previous page. */
export interface Cursor {
  time: string;
  id: string;
}

export const DEFAULT_LIMIT = 100;
export const MAX_LIMIT = 10_000;

/** A request the user must fix (HTTP 400, CLI exit 2). */
export class FilterError extends Error {}

/** ISO-8601 (a date or a date-time), `now`, or relative to now: `-24h`, `-7d`, `-1h30m`. */
export function parseTime(text: string, nowMs: number): string {
  const s = text.trim();
  if (s === 'now') return new Date(nowMs).toISOString();
  if (s.startsWith('-')) {
    const ms = parseDuration(s.slice(1));
    if (ms === undefined) throw new FilterError(`"${text}" is not a relative time (examples: -24h, -7d, -90m)`);
    return new Date(nowMs - ms).toISOString();
  }
  const ms = /^\d{4}-\d{2}-\d{2}/.test(s) ? Date.parse(s) : NaN;
  if (Number.isNaN(ms)) throw new FilterError(`"${text}" is not a time: use ISO 8601 (2025-03-10T12:00:00Z), now, or -24h`);
  return new Date(ms).toISOString();
}

export function parseBool(name: string, text: string): boolean {
  if (text === 'true' || text === '1' || text === 'yes') return true;
  if (text === 'false' || text === '0' || text === 'no') return false;
  throw new FilterError(`${name} must be true or false, not "${text}"`);
}

export function parseNumber(name: string, text: string, min = -Infinity, max = Infinity): number {
  const v = text.trim() === '' ? NaN : Number(text);
  if (!Number.isFinite(v) || v < min || v > max) throw new FilterError(`${name} must be a number in [${min}, ${max}], not "${text}"`);
  return v;
}

/** `key=value` (the first `=` splits; the value may hold more). */
export function parseTag(text: string): [string, string] {
  const i = text.indexOf('=');
  if (i <= 0) throw new FilterError(`tag must be key=value, not "${text}"`);
  return [text.slice(0, i), text.slice(i + 1)];
}

/** The parameters a filter is read from: the admin API's query string and the CLI's flags. */
export interface FilterParams {
  get(name: string): string | undefined | null;
  getAll(name: string): string[];
}

export const FILTER_PARAMS = ['model', 'version', 'from', 'to', 'class', 'min_confidence', 'max_confidence', 'labelled', 'correct', 'errors', 'error_type', 'tag'] as const;

export function parseFilter(p: FilterParams, nowMs: number): PredictionFilter {
  const f: PredictionFilter = {};
  const get = (n: string): string | undefined => p.get(n) ?? undefined;
  const v = {
    model: get('model'), version: get('version'), from: get('from'), to: get('to'), cls: get('class'),
    min: get('min_confidence'), max: get('max_confidence'), labelled: get('labelled'), correct: get('correct'),
    errors: get('errors'), errorType: get('error_type'),
  };
  if (v.model !== undefined) f.model = v.model;
  if (v.version !== undefined) f.version = v.version;
  if (v.from !== undefined) f.from = parseTime(v.from, nowMs);
  if (v.to !== undefined) f.to = parseTime(v.to, nowMs);
  if (f.from && f.to && f.from > f.to) throw new FilterError(`from (${f.from}) is after to (${f.to})`);
  if (v.cls !== undefined) f.predictedClass = v.cls;
  if (v.min !== undefined) f.minConfidence = parseNumber('min_confidence', v.min, 0, 1);
  if (v.max !== undefined) f.maxConfidence = parseNumber('max_confidence', v.max, 0, 1);
  if (v.labelled !== undefined) f.labelled = parseBool('labelled', v.labelled);
  if (v.correct !== undefined) f.correct = parseBool('correct', v.correct);
  if (v.errors !== undefined) f.errors = parseBool('errors', v.errors);
  if (v.errorType !== undefined) f.errorType = v.errorType;
  const tags = p.getAll('tag');
  if (tags.length > 0) f.tags = Object.fromEntries(tags.map(parseTag));
  return f;
}

export function parseLimit(text: string | undefined | null): number {
  if (text === undefined || text === null) return DEFAULT_LIMIT;
  const n = parseNumber('limit', text, 1, MAX_LIMIT);
  if (!Number.isInteger(n)) throw new FilterError(`limit must be a whole number, not "${text}"`);
  return n;
}

export function parseOrder(text: string | undefined | null): Order {
  if (text === undefined || text === null || text === 'asc') return 'asc';
  if (text === 'desc') return 'desc';
  throw new FilterError(`order must be asc or desc, not "${text}"`);
}

/** Cursors are opaque to users: base64url of the last row's (time, id). */
export function encodeCursor(c: Cursor): string {
  return Buffer.from(JSON.stringify([c.time, c.id])).toString('base64url');
}

export function decodeCursor(text: string): Cursor {
  try {
    const v = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(v) && v.length === 2 && typeof v[0] === 'string' && typeof v[1] === 'string' && !Number.isNaN(Date.parse(v[0]))) {
      return { time: new Date(v[0]).toISOString(), id: v[1] };
    }
  } catch {
    // fall through
  }
  throw new FilterError('cursor is not one this API returned');
}
