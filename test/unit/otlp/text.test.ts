// utf8Of keeps short ASCII strings in a direct-mapped cache: whatever the slot held before, the text it
// returns must be exactly what Buffer's UTF-8 decoding gives for those bytes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { utf8Of } from '../../../src/otlp/text.js';
import { mulberry32 } from '../../helpers/random.js';

test('utf8Of gives Buffer UTF-8 text for repeated, colliding, long and non-ASCII byte strings', () => {
  const u = mulberry32(7);
  // A few thousand distinct short strings over 1024 slots: slots are overwritten and revisited.
  const words: Buffer[] = [];
  for (let i = 0; i < 3000; i++) {
    const len = Math.floor(u() * 30);
    const b = Buffer.alloc(len);
    for (let j = 0; j < len; j++) b[j] = u() < 0.03 ? 128 + Math.floor(u() * 128) : 32 + Math.floor(u() * 95);
    words.push(b);
  }
  // Same length and last bytes, different first byte: the cache must compare every byte.
  words.push(Buffer.from('aXYZ'), Buffer.from('bXYZ'), Buffer.from('aXYZ'), Buffer.from(''), Buffer.from('ü'), Buffer.from([0xff, 0x41]));
  const haystack = Buffer.concat([Buffer.from('pad'), ...words]);
  const at: [number, number][] = [];
  let pos = 3;
  for (const w of words) {
    at.push([pos, pos + w.length]);
    pos += w.length;
  }
  for (let round = 0; round < 20_000; round++) {
    const k = round < words.length ? round : Math.floor(u() * words.length);
    const [s, e] = at[k];
    assert.equal(utf8Of(haystack, s, e), haystack.toString('utf8', s, e));
  }
});
