// Several --config files merge left to right: maps merge key by key, anything else is replaced.
import type { SourceLocation } from './problems.js';
import type { ConfigSource } from './source.js';

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function deepMerge(base: unknown, over: unknown): unknown {
  if (!isPlainObject(base) || !isPlainObject(over)) return over === undefined ? base : over;
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) out[k] = k in base ? deepMerge(base[k], v) : v;
  return out;
}

export function mergeSources(sources: readonly ConfigSource[]): ConfigSource {
  let value: unknown = {};
  const locations = new Map<string, SourceLocation>();
  const problems = [];
  for (const s of sources) {
    value = deepMerge(value, s.value);
    for (const [path, loc] of s.locations) locations.set(path, loc);
    problems.push(...s.problems);
  }
  return { value, locations, problems };
}
