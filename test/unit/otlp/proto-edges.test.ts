// Hand-made protobuf payloads for what the SDK never sends: unknown fields, unusual field order, deep
// nesting, invalid UTF-8, extreme ints and times, wrong wire types, the size limits.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { OtlpDecodeError } from '../../../src/otlp/result.js';
import { decodeTraceRequestProto } from '../../../src/otlp/traces.js';
import { decodeLogsRequestProto } from '../../../src/otlp/logs.js';
import type { PredictionRecord } from '../../../src/pipeline/records.js';
import { SPAN, T0, TRACE, av, bv, bytesv, dv, f64, fixed64, iv, kv, kvl, len, span, str, sv, tag, traceRequest, varint, vint, type Bytes } from './pbwrite.js';

const base = [kv('ml.model.name', sv('m')), kv('ml.prediction.class', sv('a'))];
const one = (attrs: Bytes[], extra?: Partial<Parameters<typeof span>[0]>) => decodeTraceRequestProto(traceRequest([span({ attrs, ...extra })]));
const pred = (attrs: Bytes[]) => {
  const r = one([...base, ...attrs]);
  assert.equal(r.records.length, 1, JSON.stringify(r.rejectReasons));
  return r.records[0] as PredictionRecord;
};
// Independent of the decoder: BigInt arithmetic on the nanoseconds.
const nsToMs = (ns: bigint) => Number(ns / 1_000_000n) + Number(ns % 1_000_000n) / 1e6;

test('a minimal prediction: ids, times to the microsecond, defaults', () => {
  const p = pred([]);
  assert.equal(p.traceId, TRACE);
  assert.equal(p.spanId, SPAN);
  assert.equal(p.id, TRACE + SPAN);
  assert.equal(p.modelVersion, 'unknown');
  assert.ok(Math.abs(p.startMs - nsToMs(T0)) < 1e-3);
  assert.ok(Math.abs(p.endMs - p.startMs - 5) < 1e-3);
  assert.deepStrictEqual(p.features, {});
});

test('times: the largest fixed64 nanoseconds and sub-ms remainders convert within a microsecond', () => {
  for (const ns of [0n, 1n, 999_999n, 1_000_000n, T0, 4_102_444_800_000_000_001n, 2n ** 64n - 1n]) {
    const r = decodeTraceRequestProto(traceRequest([span({ attrs: base, startNs: ns, endNs: ns })]));
    const p = r.records[0] as PredictionRecord;
    const want = nsToMs(ns);
    assert.ok(Math.abs(p.startMs - want) <= Math.max(1e-3, want * 2 ** -52), `${ns}: ${p.startMs} vs ${want}`);
  }
});

test('unknown fields of every wire type are skipped at every level', () => {
  const junk = [...vint(99, 5), ...f64(98, 1.5), ...str(97, 'x'), ...tag(96, 5), 1, 2, 3, 4];
  const attrs = [
    [...junk, ...kv('ml.model.name', [...junk, ...sv('m')])],
    kv('ml.prediction.class', sv('a')),
    kv('ml.prediction.probabilities', len(5, [...junk, ...len(1, dv(0.25)), ...len(1, dv(0.75))])),
  ];
  const request = Uint8Array.from([...junk, ...len(1, [...junk, ...len(2, [...junk, ...len(2, span({ attrs, extra: junk }))])])]);
  const r = decodeTraceRequestProto(request);
  assert.equal(r.records.length, 1);
  const p = r.records[0] as PredictionRecord;
  assert.equal(p.modelName, 'm');
  assert.deepStrictEqual(p.probabilities, [0.25, 0.75]);
});

test('field order does not matter: value before key, resource after its scope spans', () => {
  const valueFirst = [...len(2, sv('m')), ...str(1, 'ml.model.name')];
  const res = len(1, [...str(1, 'service.name'), ...len(2, sv('svc'))]);
  const scope = len(2, len(2, span({ attrs: [valueFirst, kv('ml.prediction.class', sv('a'))] })));
  const r = decodeTraceRequestProto(Uint8Array.from(len(1, [...scope, ...len(1, res)])));
  const p = r.records[0] as PredictionRecord;
  assert.equal(p.modelName, 'm');
  assert.deepStrictEqual(p.resource, { 'service.name': 'svc' });
});

test('value types: int64 extremes, negative ints, NaN and infinities kept in features, empty value is null', () => {
  const p = pred([
    kv('ml.feature.neg', iv(-5)),
    kv('ml.feature.big', iv(2n ** 62n)),
    kv('ml.feature.nan', dv(NaN)),
    kv('ml.feature.inf', dv(-Infinity)),
    kv('ml.feature.flag', bv(false)),
    kv('ml.feature.none', []),
    kv('ml.ground_truth.class', iv(-(2n ** 63n))),
    kv('ml.tag.n', iv(9007199254740993n)),
  ]);
  assert.deepStrictEqual(p.features, { neg: -5, big: 2 ** 62, nan: NaN, inf: -Infinity, flag: false, none: null });
  assert.equal(p.groundTruthClass, '-9223372036854775808');
  assert.deepStrictEqual(p.tags, { n: '9007199254740993' });
});

test('arrays, kvlists and bytes as features reject the span, naming the attribute', () => {
  for (const [v, kind] of [[av(dv(1)), 'array'], [kvl(kv('a', sv('b'))), 'kvlist'], [bytesv([1, 2]), 'bytes']] as const) {
    const r = one([...base, kv('ml.feature.x', v)]);
    assert.equal(r.rejected, 1);
    assert.equal(r.records.length, 0);
    assert.equal(r.rejectReasons[0], `ml.feature.x: features must be double, int, string or bool, got ${kind}`);
  }
});

test('deeply nested AnyValues neither overflow the stack nor get walked', () => {
  let v: Bytes = sv('deep');
  for (let i = 0; i < 3000; i++) v = av(v);
  const ignoredKey = one([...base, kv('app.payload', v)]);
  assert.equal(ignoredKey.records.length, 1);
  const probs = one([...base, kv('ml.prediction.probabilities', v)]);
  assert.equal(probs.rejected, 1);
  assert.match(probs.rejectReasons[0], /^ml\.prediction\.probabilities: expected an array of doubles, got a nested array/);
});

test('invalid UTF-8 becomes U+FFFD (documented decision), short and long strings alike', () => {
  const bad = (prefix: string, n: number) => [...Buffer.from(prefix), 0xff, 0xc3, ...Buffer.from('x'.repeat(n))];
  const p = pred([
    [...str(1, 'ml.feature.s'), ...len(2, len(1, bad('ab', 1)))],
    [...str(1, 'ml.feature.l'), ...len(2, len(1, bad('ab', 40)))],
  ]);
  assert.equal(p.features.s, 'ab\uFFFD\uFFFDx');
  assert.equal(p.features.l, 'ab\uFFFD\uFFFD' + 'x'.repeat(40));
});

test('wrong wire types of known fields, groups and overlong varints are malformed payloads', () => {
  const cases: Bytes[] = [
    [...len(1, len(2, len(2, [...vint(5, 3)])))], // span name as varint
    [...len(1, len(2, len(2, [...vint(7, 3)])))], // start time as varint
    [...len(1, len(2, len(2, len(9, [...str(1, 'ml.model.name'), ...len(2, vint(1, 1))]))))], // string_value as varint
    [...vint(1, 1)], // resource_spans as varint
    [...tag(5, 3)], // a group start
    [...tag(5, 0), 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01], // 11-byte varint
    [0x00, 0x00], // field number 0
    [...len(1, len(2, [...tag(2, 2), ...varint(100)]))], // a length past the end of its parent
  ];
  for (const c of cases) {
    assert.throws(() => decodeTraceRequestProto(Uint8Array.from(c)), OtlpDecodeError, JSON.stringify(c));
  }
});

test('maxAttributeLength and maxFeatures refuse the span with a reason', () => {
  const long = one([...base, kv('ml.feature.text', sv('y'.repeat(11)))]);
  assert.equal(long.records.length, 1);
  const r = decodeTraceRequestProto(traceRequest([span({ attrs: [...base, kv('ml.feature.text', sv('y'.repeat(11)))] })]), { maxAttributeLength: 10 });
  assert.deepStrictEqual(r.rejectReasons, ['ml.feature.text: string longer than 10 characters']);
  const many = Array.from({ length: 4 }, (_, i) => kv(`ml.feature.f${i}`, iv(i)));
  assert.equal(decodeTraceRequestProto(traceRequest([span({ attrs: [...base, ...many] })]), { maxFeatures: 4 }).records.length, 1);
  const r2 = decodeTraceRequestProto(traceRequest([span({ attrs: [...base, ...many, kv('ml.feature.f9', iv(9))] })]), { maxFeatures: 4 });
  assert.deepStrictEqual(r2.rejectReasons, ['ml.feature.*: more than 4 features on one span']);
});

test('bad ids and reversed times reject a prediction', () => {
  assert.match(one(base, { traceId: 'abcd' }).rejectReasons[0], /^traceId:/);
  assert.match(one(base, { spanId: 'ab' }).rejectReasons[0], /^spanId:/);
  assert.match(one(base, { startNs: T0, endNs: T0 - 1000n }).rejectReasons[0], /before startTimeUnixNano/);
});

test('reject reasons are distinct and bounded; every rejected span is counted', () => {
  const spans = Array.from({ length: 20 }, (_, i) => span({ attrs: [...base, kv('ml.prediction.confidence', dv(2 + (i % 8)))] }));
  const r = decodeTraceRequestProto(traceRequest(spans));
  assert.equal(r.rejected, 20);
  assert.equal(r.items, 20);
  assert.equal(r.rejectReasons.length, 5);
  assert.equal(new Set(r.rejectReasons).size, 5);
});

test('log records: time, else observed time; attributes decide; the body is not read', () => {
  const rec = (fields: Bytes) => len(2, fields);
  const gt = [...len(6, kv('ml.prediction.id', sv('p1'))), ...len(6, kv('ml.ground_truth.class', sv('c')))];
  const req = Uint8Array.from(len(1, len(2, [
    ...rec([...fixed64(1, T0), ...gt]),
    ...rec([...fixed64(11, T0 + 7n), ...gt, ...len(5, sv('body'))]),
    ...rec([...len(5, sv('just a log'))]),
  ])));
  const r = decodeLogsRequestProto(req);
  assert.equal(r.items, 3);
  assert.equal(r.ignored, 1);
  assert.equal(r.records.length, 2);
  assert.ok(Math.abs((r.records[0] as { timeMs: number }).timeMs - nsToMs(T0)) < 1e-3);
  assert.ok(Math.abs((r.records[1] as { timeMs: number }).timeMs - nsToMs(T0 + 7n)) < 1e-3);
});

test('attribute keys and short values repeat across spans through the decoder caches: each span reads its own', () => {
  // 1500 distinct feature keys and values over a few hundred cache sets: keys and values that share a
  // set, are evicted and come back must still decode to their own text.
  const keys = Array.from({ length: 1500 }, (_, i) => `ml.feature.k${(i * 7919) % 100_003}`);
  for (let round = 0; round < 3; round++) {
    const spans = keys.map((k, i) => span({ attrs: [...base, kv(k, sv(`v${(i * 31 + round) % 977}`))] }));
    const r = decodeTraceRequestProto(traceRequest(spans));
    assert.equal(r.records.length, keys.length);
    r.records.forEach((rec, i) => {
      assert.deepStrictEqual((rec as PredictionRecord).features, { [keys[i].slice('ml.feature.'.length)]: `v${(i * 31 + round) % 977}` });
    });
  }
});
