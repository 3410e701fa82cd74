// A 32-bit hash of a string for the tables this agent keeps in typed arrays (keyed-columns.ts), where
// V8's own string hash cannot be read. FNV-1a over the UTF-16 code units, then a finalizer that spreads
// the bits: ids that differ only in their last characters (counters) must not share a bucket run.
export function stringHash(key: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) | 0;
}
