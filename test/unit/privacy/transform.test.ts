// The privacy transform: mask drops, hash replaces by a keyed HMAC-SHA256 (checked against node:crypto
// computed here), records are never mutated, the key comes only from its file or variable.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPrivacyTransform, createTagLookup, privacyConfig, readSecretFromSystem, type ReadSecret } from '../../../src/privacy/index.js';
import { cachedHasher, hmacHasher } from '../../../src/privacy/hmac.js';
import type { FeedbackRecord, PredictionRecord, StageRecord, WireRecord } from '../../../src/pipeline/records.js';

const KEY_A = 'first-key-of-32-bytes-0123456789';
const KEY_B = 'second-key-of-32-bytes-012345678';
const keyFrom = (k: string): ReadSecret => () => Buffer.from(k);

/** Independent reference: full HMAC-SHA256 hex, first 32 hex digits. */
function expectedHash(key: string, text: string): string {
  return createHmac('sha256', key).update(text).digest('hex').slice(0, 32);
}

function prediction(over: Partial<PredictionRecord> = {}): PredictionRecord {
  return {
    kind: 'prediction', id: 'p1', traceId: 't', spanId: 's', startMs: 1, endMs: 2, modelName: 'm', modelVersion: '1',
    predictedClass: 'yes', features: { age: 42, email: 'a@b.c', zip: '75001', vip: true, empty: null, income: 1234.5 },
    tags: { user_id: '42', tenant: 'acme' },
    ...over,
  };
}
const stage: StageRecord = { kind: 'stage', traceId: 't', parentSpanId: 's', spanId: 'c', stage: 'inference', seconds: 0.1, endMs: 2 };
const feedback: FeedbackRecord = { kind: 'feedback', predictionId: 'p1', groundTruthClass: 'no', timeMs: 3 };

test('keep everywhere: no transform at all', () => {
  assert.equal(createPrivacyTransform({}), undefined);
  assert.equal(createPrivacyTransform({ features: { age: 'keep' }, tags: { user_id: 'keep' } }), undefined);
});

test('mask drops features and tags; hash replaces values by the keyed HMAC of their text', () => {
  const t = createPrivacyTransform(
    { features: { email: 'mask', zip: 'hash', age: 'hash', vip: 'hash', empty: 'hash' }, tags: { user_id: 'hash', tenant: 'mask' }, hash_key_env: 'K' },
    keyFrom(KEY_A),
  )!;
  const [out] = t([prediction()]) as PredictionRecord[];
  assert.deepEqual(out.features, {
    age: expectedHash(KEY_A, '42'),
    zip: expectedHash(KEY_A, '75001'),
    vip: expectedHash(KEY_A, 'true'),
    empty: null,
    income: 1234.5,
  });
  assert.deepEqual(out.tags, { user_id: expectedHash(KEY_A, '42') });
  assert.match(out.features.zip as string, /^[0-9a-f]{32}$/);
  // Same value, same key: the same hash in a feature and a tag (joinable).
  assert.equal(out.features.age, out.tags!.user_id);
});

test('default applies to unlisted features; listed ones override it', () => {
  const t = createPrivacyTransform({ default: 'mask', features: { age: 'keep', zip: 'hash' }, hash_key_file: '/unused' }, keyFrom(KEY_A))!;
  const [out] = t([prediction()]) as PredictionRecord[];
  assert.deepEqual(out.features, { age: 42, zip: expectedHash(KEY_A, '75001') });
  assert.deepEqual(out.tags, { user_id: '42', tenant: 'acme' }, 'tags are kept unless listed');
});

test('stable for one key, different between keys', () => {
  const cfg = { features: { zip: 'hash' as const }, hash_key_env: 'K' };
  const a1 = (createPrivacyTransform(cfg, keyFrom(KEY_A))!([prediction()])[0] as PredictionRecord).features.zip;
  const a2 = (createPrivacyTransform(cfg, keyFrom(KEY_A))!([prediction()])[0] as PredictionRecord).features.zip;
  const b = (createPrivacyTransform(cfg, keyFrom(KEY_B))!([prediction()])[0] as PredictionRecord).features.zip;
  assert.equal(a1, a2);
  assert.notEqual(a1, b);
  assert.equal(b, expectedHash(KEY_B, '75001'));
});

test('records are not mutated; untouched records pass through; order and length kept', () => {
  const t = createPrivacyTransform({ features: { email: 'mask' }, tags: { user_id: 'hash' }, hash_key_env: 'K' }, keyFrom(KEY_A))!;
  const p = prediction();
  const before = structuredClone(p);
  const noPrivate = prediction({ id: 'p2', features: { age: 1 }, tags: undefined });
  const input: WireRecord[] = [stage, p, feedback, noPrivate];
  const out = t(input);
  assert.deepEqual(p, before, 'input record unchanged');
  assert.equal(out.length, 4);
  assert.equal(out[0], stage);
  assert.equal(out[2], feedback);
  assert.equal(out[3], noPrivate, 'nothing to change: same object');
  assert.notEqual(out[1], p);
  assert.notEqual((out[1] as PredictionRecord).features, p.features);
  assert.equal((out[1] as PredictionRecord).predictedClass, 'yes');
});

test('config: hash needs exactly one key source; unknown actions and keys refused', () => {
  assert.equal(privacyConfig.safeParse({ features: { a: 'hash' } }).success, false);
  assert.equal(privacyConfig.safeParse({ tags: { a: 'hash' } }).success, false);
  assert.equal(privacyConfig.safeParse({ default: 'hash' }).success, false);
  assert.equal(privacyConfig.safeParse({ features: { a: 'hash' }, hash_key_env: 'A', hash_key_file: 'b' }).success, false);
  assert.equal(privacyConfig.safeParse({ features: { a: 'drop' } }).success, false);
  assert.equal(privacyConfig.safeParse({ features: {}, hash_key: 'inline-secret' }).success, false, 'no key in the YAML');
  assert.equal(privacyConfig.safeParse({ features: { a: 'mask' } }).success, true);
});

test('the key: from a file (one trailing newline ignored) or a variable; missing or short keys refused without printing them', () => {
  const dir = mkdtempSync(join(tmpdir(), 'modelwatch-privacy-'));
  try {
    const file = join(dir, 'key');
    writeFileSync(file, `${KEY_A}\n`);
    const fromFile = createPrivacyTransform({ features: { zip: 'hash' }, hash_key_file: file })!;
    assert.equal((fromFile([prediction()])[0] as PredictionRecord).features.zip, expectedHash(KEY_A, '75001'));

    process.env.MODELWATCH_TEST_PRIVACY_KEY = KEY_B;
    const fromEnv = createPrivacyTransform({ features: { zip: 'hash' }, hash_key_env: 'MODELWATCH_TEST_PRIVACY_KEY' }, readSecretFromSystem)!;
    assert.equal((fromEnv([prediction()])[0] as PredictionRecord).features.zip, expectedHash(KEY_B, '75001'));
    delete process.env.MODELWATCH_TEST_PRIVACY_KEY;

    assert.throws(() => createPrivacyTransform({ features: { zip: 'hash' }, hash_key_env: 'MODELWATCH_TEST_PRIVACY_KEY' }), /environment variable MODELWATCH_TEST_PRIVACY_KEY is empty or not set/);
    assert.throws(() => createPrivacyTransform({ features: { zip: 'hash' }, hash_key_file: join(dir, 'absent') }), /cannot read the HMAC key from file .*absent: ENOENT/);
    writeFileSync(file, 'short-secret\n');
    assert.throws(
      () => createPrivacyTransform({ features: { zip: 'hash' }, hash_key_file: file }),
      (err: Error) => /12 bytes; at least 16/.test(err.message) && !err.message.includes('short-secret'),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('tag lookup: a data-subject value as it is stored (raw, hashed, or never stored)', () => {
  const look = createTagLookup({ tags: { user_id: 'hash', email: 'mask' }, hash_key_env: 'K' }, keyFrom(KEY_A));
  assert.equal(look('user_id', '42'), expectedHash(KEY_A, '42'));
  assert.equal(look('email', 'a@b.c'), undefined);
  assert.equal(look('tenant', 'acme'), 'acme');
  assert.equal(createTagLookup({})('user_id', '42'), '42');
  // What the transform stores is what the lookup finds.
  const t = createPrivacyTransform({ tags: { user_id: 'hash', email: 'mask' }, hash_key_env: 'K' }, keyFrom(KEY_A))!;
  assert.equal((t([prediction()])[0] as PredictionRecord).tags!.user_id, look('user_id', '42'));
});

test('the hash cache answers as the HMAC does, past its bound too', () => {
  let computed = 0;
  const counting = (t: string) => {
    computed++;
    return hmacHasher(Buffer.from(KEY_A))(t);
  };
  const cached = cachedHasher(counting, 3);
  const values = ['a', 'b', 'a', 'c', 'd', 'e', 'a', 'b', 'a', 'é', ''];
  for (const v of values) assert.equal(cached(v), expectedHash(KEY_A, v), v);
  assert.ok(computed < values.length, 'repeats are served from the cache');
});
