// Packed keys give back the very string packed, and equal exactly that string: hex ids of every length
// that fits and lowercase UUIDs pack; anything else (upper case, odd length, too long, not hex) does not.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { NOT_PACKED, PACKED_BYTES, packedEquals, packKey, unpackKey } from '../../../src/pipeline/packed-keys.js';

const bytes = Buffer.alloc(3 * PACKED_BYTES);
const AT = PACKED_BYTES; // not at the buffer's start

function roundTrip(key: string): void {
  bytes.fill(0xee);
  const form = packKey(key, bytes, AT);
  assert.notEqual(form, NOT_PACKED, key);
  assert.equal(unpackKey(bytes, AT, form), key);
  assert.ok(packedEquals(bytes, AT, form, key), key);
  assert.ok(bytes.subarray(0, AT).every((b) => b === 0xee) && bytes.subarray(AT + PACKED_BYTES).every((b) => b === 0xee), 'wrote outside its slot');
}

test('hex ids of 1 to 24 bytes and lowercase UUIDs pack and come back as the same string', () => {
  for (let n = 1; n <= PACKED_BYTES; n++) for (let r = 0; r < 20; r++) roundTrip(randomBytes(n).toString('hex'));
  roundTrip('00'.repeat(PACKED_BYTES));
  roundTrip('ff'.repeat(PACKED_BYTES));
  for (let r = 0; r < 200; r++) roundTrip(randomUUID());
  roundTrip('00000000-0000-0000-0000-000000000000');
});

test('other keys do not pack', () => {
  const hex = randomBytes(24).toString('hex');
  const uuid = randomUUID();
  for (const key of ['', 'a', 'abc', hex.toUpperCase(), hex.slice(0, 47), hex + 'ab', hex.slice(0, 46) + 'g0', `${hex.slice(0, 46)}-0`, uuid.toUpperCase(), uuid.replace(/-/g, '_'), `${uuid.slice(0, 35)}x`, 'prediction-1', 'é'.repeat(4)]) {
    assert.equal(packKey(key, bytes, AT), NOT_PACKED, JSON.stringify(key));
  }
});

test('a packed key equals only its own string', () => {
  const hex = '0123456789abcdef'.repeat(3);
  const uuid = '123e4567-e89b-42d3-a456-426614174000';
  for (const key of [hex, uuid, 'ab']) {
    const form = packKey(key, bytes, AT);
    const others = [key.toUpperCase(), key.slice(1), key + '0', key.slice(0, -1) + (key.endsWith('0') ? '1' : '0'), `0${key.slice(1)}`.replace(/^0/, key[0] === '0' ? '1' : '0'), key.replace(/-/g, '')];
    for (const other of others) if (other !== key) assert.equal(packedEquals(bytes, AT, form, other), false, `${key} against ${other}`);
    // Same length, one digit changed anywhere.
    for (let i = 0; i < key.length; i++) {
      if (key[i] === '-') continue;
      const changed = key.slice(0, i) + (key[i] === 'f' ? 'e' : 'f') + key.slice(i + 1);
      assert.equal(packedEquals(bytes, AT, form, changed), false, changed);
    }
    assert.ok(packedEquals(bytes, AT, form, key));
  }
});
