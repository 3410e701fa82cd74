// The keyed hash that replaces private values: HMAC-SHA256 of the value's text, hex, truncated to
// 32 hex digits (128 bits: collisions stay negligible for billions of distinct values, and rows stay
// short). The same value gives the same hash in every feature and tag under one key, so hashed columns
// still join and still drift like the categories they were; without the key a value cannot be tested.
import { createHmac } from 'node:crypto';
import type { FeatureValue } from '../pipeline/records.js';

export const HASH_HEX_CHARS = 32;
export const MIN_KEY_BYTES = 16;

export type Hasher = (text: string) => string;

export function hmacHasher(key: Buffer): Hasher {
  if (key.length < MIN_KEY_BYTES) throw new Error(`the privacy HMAC key is ${key.length} bytes; at least ${MIN_KEY_BYTES} are needed`);
  // The key is copied: a caller that wipes its buffer does not change the hashes.
  const k = Buffer.from(key);
  return (text) => createHmac('sha256', k).update(text, 'utf8').digest('hex').slice(0, HASH_HEX_CHARS);
}

/** The text a feature value is hashed as: strings as they are, numbers and booleans as JS prints them. */
export function hashText(v: Exclude<FeatureValue, null>): string {
  return typeof v === 'string' ? v : String(v);
}

/**
 * Remembers recent hashes (countries, user ids repeat): an HMAC costs about 3 µs here (~300k/s), a
 * map hit a small fraction of that. Bounded (~10 MB when full): when full it starts afresh, which costs less than evicting one by one. The raw
 * values it holds live only in this process's memory, as the batches they come from do.
 */
export function cachedHasher(hash: Hasher, maxEntries = 65_536): Hasher {
  const cache = new Map<string, string>();
  return (text) => {
    let h = cache.get(text);
    if (h === undefined) {
      h = hash(text);
      if (cache.size >= maxEntries) cache.clear();
      cache.set(text, h);
    }
    return h;
  };
}
