// What counts as what (src/otlp/spans.ts), through OTLP/JSON bodies, and the JSON-specific forms:
// string/number ints and times, enum names, proto3 JSON non-finite doubles, snake_case keys, hex ids.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeTraceRequestJson } from '../../../src/otlp/traces.js';
import { decodeLogsRequestJson } from '../../../src/otlp/logs.js';
import type { FeedbackRecord, PredictionRecord, StageRecord } from '../../../src/pipeline/records.js';

const TRACE = '5B8EFFF798038103D269B633813FC60C';
const SPAN = 'EEE19B7EC3C1B174';
const PARENT = 'eee19b7ec3c1b173';
type Attr = [string, unknown];
const v = (x: unknown) =>
  typeof x === 'string' ? { stringValue: x } : typeof x === 'boolean' ? { boolValue: x } : Number.isInteger(x) ? { intValue: x } : typeof x === 'number' ? { doubleValue: x } : x;
function body(spans: object[]): string {
  return JSON.stringify({ resourceSpans: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 's' } }] }, scopeSpans: [{ spans }] }] });
}
function sp(attrs: Attr[], extra: object = {}): object {
  return {
    traceId: TRACE, spanId: SPAN, name: 'predict', startTimeUnixNano: '1712000000000000000', endTimeUnixNano: '1712000000250000000',
    attributes: attrs.map(([key, x]) => ({ key, value: v(x) })), ...extra,
  };
}
const decode1 = (attrs: Attr[], extra: object = {}) => decodeTraceRequestJson(body([sp(attrs, extra)]));
const record = (attrs: Attr[], extra: object = {}) => {
  const r = decode1(attrs, extra);
  assert.equal(r.records.length, 1, `not one record: ${JSON.stringify(r)}`);
  return r.records[0];
};
const ERROR = { status: { code: 2 } };

test('ids are lowercased hex; the default prediction id is trace id + span id', () => {
  const p = record([['ml.model.name', 'm'], ['ml.prediction.class', 'a']]) as PredictionRecord;
  assert.equal(p.traceId, TRACE.toLowerCase());
  assert.equal(p.id, (TRACE + SPAN).toLowerCase());
  assert.equal(p.startMs, 1712000000000);
  assert.equal(p.endMs, 1712000000250);
  assert.deepStrictEqual(p.resource, { 'service.name': 's' });
});

test('non-hex ids reject a prediction', () => {
  assert.match(decode1([['ml.model.name', 'm'], ['ml.prediction.class', 'a']], { traceId: 'zz'.repeat(16) }).rejectReasons[0], /^traceId/);
  assert.match(decode1([['ml.model.name', 'm'], ['ml.prediction.class', 'a']], { spanId: 'AAAAAAAAAAAAAAAAAA==' }).rejectReasons[0], /^spanId/);
});

test('model name aliases: ml.model.name wins, then gen_ai.request.model, then llm.model_name', () => {
  const name = (attrs: Attr[]) => (record([...attrs, ['ml.prediction.value', 1.5]]) as PredictionRecord).modelName;
  assert.equal(name([['llm.model_name', 'l'], ['gen_ai.request.model', 'g'], ['ml.model.name', 'm']]), 'm');
  assert.equal(name([['gen_ai.request.model', 'g'], ['llm.model_name', 'l']]), 'g');
  assert.equal(name([['llm.model_name', 'l']]), 'l');
});

test('prediction attributes without a model name are rejected, naming ml.model.name', () => {
  const r = decode1([['ml.prediction.class', 'a']]);
  assert.equal(r.rejected, 1);
  assert.match(r.rejectReasons[0], /^ml\.model\.name missing/);
});

test('confidence: [0,1], int 0/1 ok; outside, NaN or a string rejects, naming the attribute', () => {
  assert.equal((record([['ml.model.name', 'm'], ['ml.prediction.class', 'a'], ['ml.prediction.confidence', 1]]) as PredictionRecord).confidence, 1);
  assert.equal((record([['ml.model.name', 'm'], ['ml.prediction.class', 'a'], ['ml.prediction.confidence', 0]]) as PredictionRecord).confidence, 0);
  for (const bad of [1.5, -0.1, { doubleValue: 'NaN' }, '0.5', true]) {
    const r = decode1([['ml.model.name', 'm'], ['ml.prediction.class', 'a'], ['ml.prediction.confidence', bad]]);
    assert.equal(r.rejected, 1, JSON.stringify(bad));
    assert.match(r.rejectReasons[0], /^ml\.prediction\.confidence: /);
  }
});

test('probabilities must match the classes and lie in [0,1]', () => {
  const arr = (...xs: unknown[]) => ({ arrayValue: { values: xs.map(v) } });
  const p = record([['ml.model.name', 'm'], ['ml.prediction.class', 'b'], ['ml.prediction.probabilities', arr(0.2, 0.8)], ['ml.model.classes', arr('a', 'b')]]) as PredictionRecord;
  assert.deepStrictEqual([p.probabilities, p.classes], [[0.2, 0.8], ['a', 'b']]);
  assert.match(decode1([['ml.model.name', 'm'], ['ml.prediction.class', 'b'], ['ml.prediction.probabilities', arr(0.2, 0.8)], ['ml.model.classes', arr('a')]]).rejectReasons[0], /2 values but ml\.model\.classes has 1/);
  assert.match(decode1([['ml.model.name', 'm'], ['ml.prediction.class', 'b'], ['ml.prediction.probabilities', arr(0.2, 1.8)]]).rejectReasons[0], /^ml\.prediction\.probabilities: /);
  assert.match(decode1([['ml.model.name', 'm'], ['ml.prediction.class', 'b'], ['ml.model.classes', arr('a', 3)]]).rejectReasons[0], /^ml\.model\.classes: /);
});

test('JSON value forms: string ints, big ints exact, proto3 non-finite doubles, null doubles are NaN', () => {
  const p = record([
    ['ml.model.name', 'm'],
    ['ml.prediction.class', { intValue: '3' }],
    ['ml.ground_truth.class', { intValue: '9223372036854775807' }],
    ['ml.feature.a', { intValue: '-12' }],
    ['ml.feature.b', { doubleValue: 'Infinity' }],
    ['ml.feature.c', { doubleValue: null }],
    ['ml.feature.d', { doubleValue: '2.5' }],
    ['ml.feature.e', {}],
    ['ml.model.version', { intValue: 4 }],
  ]) as PredictionRecord;
  assert.equal(p.predictedClass, '3');
  assert.equal(p.groundTruthClass, '9223372036854775807');
  assert.deepStrictEqual(p.features, { a: -12, b: Infinity, c: NaN, d: 2.5, e: null });
  assert.equal(p.modelVersion, '4');
  assert.match(decode1([['ml.model.name', 'm'], ['ml.prediction.class', { intValue: 1.5 }]]).rejectReasons[0], /^ml\.prediction\.class: .*malformed AnyValue/);
});

test('stages: by ml.stage or by span name (spellings, any case), only on child spans', () => {
  const stage = (name: string, attrs: Attr[] = []) => {
    const r = decode1(attrs, { name, parentSpanId: PARENT });
    return r.records.length === 1 ? (r.records[0] as StageRecord).stage : undefined;
  };
  assert.equal(stage('Preprocessing'), 'preprocess');
  assert.equal(stage('PREDICT'), 'inference');
  assert.equal(stage('inference'), 'inference');
  assert.equal(stage('postprocessing'), 'postprocess');
  assert.equal(stage('x', [['ml.stage', 'PostProcess']]), 'postprocess');
  assert.equal(stage('tokenize'), undefined);
  assert.equal(stage('inference', [['ml.stage', 'tokenize']]), undefined); // ml.stage decides over the name
  assert.equal(decode1([], { name: 'inference' }).ignored, 1); // a root span is never a stage
  const s = record([['ml.model.name', 'm']], { name: 'inference', parentSpanId: PARENT, ...ERROR }) as StageRecord;
  assert.deepStrictEqual(s, { kind: 'stage', traceId: TRACE.toLowerCase(), parentSpanId: PARENT, spanId: SPAN.toLowerCase(), stage: 'inference', seconds: 0.25, endMs: 1712000000250 });
});

test('errored predictions: error.type, else the exception event, else _OTHER; no class; enum names accepted', () => {
  const exc = { events: [{ name: 'log', attributes: [] }, { name: 'exception', attributes: [{ key: 'exception.type', value: { stringValue: 'ValueError' } }] }] };
  const err = (attrs: Attr[], extra: object) => record([['ml.model.name', 'm'], ...attrs], extra) as PredictionRecord;
  assert.equal(err([['error.type', 'timeout']], { ...ERROR, ...exc }).errorType, 'timeout');
  assert.equal(err([], { ...ERROR, ...exc }).errorType, 'ValueError');
  assert.equal(err([], { status: { code: 'STATUS_CODE_ERROR' } }).errorType, '_OTHER');
  const withClass = err([['ml.prediction.class', 'a'], ['ml.prediction.confidence', 0.5]], ERROR);
  assert.equal(withClass.errorType, '_OTHER');
  assert.equal(withClass.predictedClass, undefined);
  assert.equal(withClass.confidence, undefined);
  assert.equal(decode1([['ml.model.name', 'm']], { status: { code: 1 } }).ignored, 1); // OK status, no class: not a prediction
});

test('feedback spans: prediction id + ground truth, no prediction attributes', () => {
  const f = record([['ml.prediction.id', 'p9'], ['ml.ground_truth.value', 2.5], ['ml.model.name', 'm']]) as FeedbackRecord;
  assert.deepStrictEqual(f, { kind: 'feedback', predictionId: 'p9', modelName: 'm', groundTruthValue: 2.5, timeMs: 1712000000250 });
  assert.equal(decode1([['ml.prediction.id', 'p9'], ['ml.ground_truth.class', 'a'], ['ml.prediction.confidence', 0.3]]).rejected, 1); // prediction attrs, no model
  assert.equal(decode1([['ml.ground_truth.class', 'a']]).ignored, 1); // no id: nothing to join
  assert.match(decode1([['ml.prediction.id', ''], ['ml.ground_truth.class', 'a']]).rejectReasons[0], /^ml\.prediction\.id: empty/);
  const withGt = record([['ml.model.name', 'm'], ['ml.prediction.class', 'a'], ['ml.ground_truth.class', 'b']]) as PredictionRecord;
  assert.equal(withGt.groundTruthClass, 'b');
});

test('an ignored span is not validated; a malformed span is rejected alone and the rest decoded', () => {
  const r = decodeTraceRequestJson(body([
    sp([['http.method', 'GET'], ['ml.feature.x', { arrayValue: {} }], ['ml.tag.t', { kvlistValue: {} }]]),
    7 as unknown as object,
    { ...sp([]), attributes: 'x' },
    sp([['ml.model.name', 'm'], ['ml.prediction.class', 'a']], { endTimeUnixNano: 'soon' }),
    sp([['ml.model.name', 'm'], ['ml.prediction.class', 'a']], { startTimeUnixNano: 1712000000000000000, endTimeUnixNano: 1712000000500000000 }),
  ]));
  assert.equal(r.items, 5);
  assert.equal(r.ignored, 1);
  assert.equal(r.rejected, 3);
  assert.deepStrictEqual(r.rejectReasons, ['span: expected an object, got a number', 'attributes: expected an array, got a string', 'span times: not valid Unix nanoseconds']);
  assert.equal(r.records.length, 1);
  assert.equal((r.records[0] as PredictionRecord).endMs, 1712000000500);
});

test('snake_case keys are accepted as well as lowerCamelCase', () => {
  const text = JSON.stringify({ resource_spans: [{ scope_spans: [{ spans: [{ trace_id: TRACE, span_id: SPAN, start_time_unix_nano: '1000000', end_time_unix_nano: '3000000', attributes: [{ key: 'ml.model.name', value: { string_value: 'm' } }, { key: 'ml.prediction.value', value: { double_value: 0.5 } }] }] }] }] });
  const p = decodeTraceRequestJson(text).records[0] as PredictionRecord;
  assert.deepStrictEqual([p.modelName, p.value, p.startMs, p.endMs], ['m', 0.5, 1, 3]);
});

test('log feedback: time, else observed time; malformed records rejected alone', () => {
  const lr = (extra: object) => ({ attributes: [{ key: 'ml.prediction.id', value: { stringValue: 'p' } }, { key: 'ml.ground_truth.class', value: { intValue: 2 } }], ...extra });
  const r = decodeLogsRequestJson(JSON.stringify({ resourceLogs: [{ scopeLogs: [{ logRecords: [lr({ timeUnixNano: '2000000' }), lr({ timeUnixNano: '0', observedTimeUnixNano: '5000000' }), 'x', lr({ timeUnixNano: 'x' })] }] }] }));
  assert.deepStrictEqual(r.records, [
    { kind: 'feedback', predictionId: 'p', groundTruthClass: '2', timeMs: 2 },
    { kind: 'feedback', predictionId: 'p', groundTruthClass: '2', timeMs: 5 },
  ]);
  assert.equal(r.rejected, 2);
});
