// 32-bit hashes of strings, where V8's own string hash cannot be read: the tables this agent keeps in
// typed arrays (keyed-columns.ts), the prediction log's sample (sample.ts), a reference's fingerprint.

/** FNV-1a over the UTF-16 code units, as an unsigned 32-bit integer. */
export function fnv1a32(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/**
 * FNV-1a, then MurmurHash3's finalizer, which spreads the bits: ids that differ only in their last
 * characters (counters) must not share a bucket run, nor leave the high bits uneven. Signed, as an
 * Int32Array holds it.
 */
export function stringHash(key: string): number {
  let h = fnv1a32(key);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) | 0;
}
