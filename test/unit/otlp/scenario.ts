// The known set of spans and log records the capture tests send through the real SDK, and the records
// the decoders must produce from them. Expectations are written from the SDK side (ids the SDK assigned,
// the times we gave it), never from decoder output.
import { SpanStatusCode, type Tracer, type HrTime, type Span } from '@opentelemetry/api';
import type { Logger } from '@opentelemetry/api-logs';
import type { WireRecord } from '../../../src/pipeline/records.js';
import { under } from './capture.js';

const BASE_SEC = 1_712_000_000;
/** A span time: BASE_SEC + sec seconds + nanos. */
export const t = (sec: number, nanos: number): HrTime => [BASE_SEC + sec, nanos];
/** The same time in Unix ms, computed independently of the decoder. */
export const ms = (sec: number, nanos: number): number => (BASE_SEC + sec) * 1000 + nanos / 1e6;

export interface SpanIds {
  traceId: string;
  spanId: string;
}
export type ScenarioIds = Record<string, SpanIds>;

const idsOf = (s: Span): SpanIds => ({ traceId: s.spanContext().traceId, spanId: s.spanContext().spanId });

/** Emits the spans; ends them in the order of EXPECTED below; returns the ids the SDK gave them. */
export function emitSpans(tracer: Tracer): ScenarioIds {
  const ids: ScenarioIds = {};
  const root1 = tracer.startSpan('predict', {
    startTime: t(0, 100_000_001),
    attributes: {
      'ml.model.name': 'fraud',
      'ml.model.version': '3',
      'ml.prediction.class': 'fraud',
      'ml.prediction.confidence': 0.93,
      'ml.prediction.probabilities': [0.07, 0.93],
      'ml.model.classes': ['ok', 'fraud'],
      'ml.prediction.id': 'pred-1',
      'ml.feature.amount': 125.5,
      'ml.feature.count': 3,
      'ml.feature.country': 'DE',
      'ml.feature.is_new': true,
      'ml.feature.missing': Number.NaN,
      'ml.feature.huge': Number.POSITIVE_INFINITY,
      'ml.tag.user': 'u-17',
      'ml.tag.tier': 2,
      'http.method': 'POST',
      'enduser.id': 'someone',
    },
  });
  ids.root1 = idsOf(root1);
  const ctx = under(root1);
  const pre = tracer.startSpan('preprocess', { startTime: t(0, 200_000_000) }, ctx);
  pre.end(t(0, 250_500_500));
  ids.pre = idsOf(pre);
  const inf = tracer.startSpan('model.forward', { startTime: t(0, 300_000_000), attributes: { 'ml.stage': 'inference' } }, ctx);
  inf.end(t(1, 10_000_000));
  ids.inf = idsOf(inf);
  const db = tracer.startSpan('db.query', { startTime: t(1, 20_000_000) }, ctx);
  db.end(t(1, 30_000_000));
  ids.db = idsOf(db);
  const post = tracer.startSpan('PostProcessing', { startTime: t(1, 40_000_000) }, ctx);
  post.end(t(1, 40_000_000));
  ids.post = idsOf(post);
  root1.end(t(1, 900_123_456));

  const root2 = tracer.startSpan('price', {
    startTime: t(2, 0),
    attributes: {
      'llm.model_name': 'price-model',
      'ml.model.version': 7,
      'ml.prediction.id': 'pred-2',
      'ml.prediction.value': 12.25,
      'ml.ground_truth.value': 12,
    },
  });
  root2.end(t(2, 1_000));
  ids.root2 = idsOf(root2);

  const root3 = tracer.startSpan('chat', {
    startTime: t(3, 5),
    attributes: {
      'llm.model_name': 'loser',
      'gen_ai.request.model': 'gpt-x',
      'ml.prediction.class': 7,
      'ml.prediction.confidence': 1,
      'ml.ground_truth.class': 7,
    },
  });
  root3.end(t(3, 999_999_999));
  ids.root3 = idsOf(root3);

  const err1 = tracer.startSpan('predict', { startTime: t(4, 0), attributes: { 'ml.model.name': 'fraud' } });
  err1.recordException(new TypeError('bad input'), t(4, 10));
  err1.setStatus({ code: SpanStatusCode.ERROR, message: 'bad input' });
  err1.end(t(4, 500_000_000));
  ids.err1 = idsOf(err1);

  const err2 = tracer.startSpan('predict', { startTime: t(5, 0), attributes: { 'ml.model.name': 'fraud', 'ml.model.version': '3', 'error.type': 'timeout' } });
  err2.recordException(new RangeError('late'), t(5, 10));
  err2.setStatus({ code: SpanStatusCode.ERROR });
  err2.end(t(15, 0));
  ids.err2 = idsOf(err2);

  const fb = tracer.startSpan('label', { startTime: t(6, 0), attributes: { 'ml.prediction.id': 'pred-1', 'ml.ground_truth.class': 'fraud', 'ml.model.name': 'fraud' } });
  fb.end(t(6, 1));
  ids.fb = idsOf(fb);

  const other = tracer.startSpan('GET /health', { startTime: t(7, 0), attributes: { 'http.method': 'GET', 'ml.feature.ignored': 'no model' } });
  other.end(t(7, 5));
  ids.other = idsOf(other);

  const bad = tracer.startSpan('predict', { startTime: t(8, 0), attributes: { 'ml.model.name': 'fraud', 'ml.prediction.class': 'x', 'ml.prediction.confidence': 1.7 } });
  bad.end(t(8, 1));
  ids.bad = idsOf(bad);

  const badFeature = tracer.startSpan('predict', { startTime: t(9, 0), attributes: { 'ml.model.name': 'fraud', 'ml.prediction.class': 'y', 'ml.feature.vec': [1, 2] } });
  badFeature.end(t(9, 1));
  ids.badFeature = idsOf(badFeature);
  return ids;
}

export const SPAN_ITEMS = 13;
export const SPAN_IGNORED = 2; // db.query child (no stage), GET /health
export const SPAN_REJECTED = 2;
export const SPAN_REJECT_ATTRIBUTES = ['ml.prediction.confidence', 'ml.feature.vec'];

const RESOURCE = { 'service.name': 'fraud-api', 'host.name': 'node-7' }; // the int attribute is not kept

/**
 * The records, in the order the SDK ends (and so exports) the spans. `jsonNonFinite`: OTLP/JSON from the
 * JS exporters turns NaN and ±Infinity into null, which the decoder reads as NaN.
 */
export function expectedSpanRecords(ids: ScenarioIds, jsonNonFinite: boolean): WireRecord[] {
  const stage = (k: string, stage: 'preprocess' | 'inference' | 'postprocess', s0: [number, number], s1: [number, number]): WireRecord => ({
    kind: 'stage',
    traceId: ids[k].traceId,
    parentSpanId: ids.root1.spanId,
    spanId: ids[k].spanId,
    stage,
    seconds: (ms(...s1) - ms(...s0)) / 1000,
    endMs: ms(...s1),
  });
  return [
    stage('pre', 'preprocess', [0, 200_000_000], [0, 250_500_500]),
    stage('inf', 'inference', [0, 300_000_000], [1, 10_000_000]),
    stage('post', 'postprocess', [1, 40_000_000], [1, 40_000_000]),
    {
      kind: 'prediction',
      id: 'pred-1',
      traceId: ids.root1.traceId,
      spanId: ids.root1.spanId,
      startMs: ms(0, 100_000_001),
      endMs: ms(1, 900_123_456),
      modelName: 'fraud',
      modelVersion: '3',
      predictedClass: 'fraud',
      confidence: 0.93,
      probabilities: [0.07, 0.93],
      classes: ['ok', 'fraud'],
      features: { amount: 125.5, count: 3, country: 'DE', is_new: true, missing: Number.NaN, huge: jsonNonFinite ? Number.NaN : Number.POSITIVE_INFINITY },
      tags: { user: 'u-17', tier: '2' },
      resource: RESOURCE,
    },
    {
      kind: 'prediction',
      id: 'pred-2',
      traceId: ids.root2.traceId,
      spanId: ids.root2.spanId,
      startMs: ms(2, 0),
      endMs: ms(2, 1_000),
      modelName: 'price-model',
      modelVersion: '7',
      value: 12.25,
      groundTruthValue: 12,
      features: {},
      resource: RESOURCE,
    },
    {
      kind: 'prediction',
      id: ids.root3.traceId + ids.root3.spanId,
      traceId: ids.root3.traceId,
      spanId: ids.root3.spanId,
      startMs: ms(3, 5),
      endMs: ms(3, 999_999_999),
      modelName: 'gpt-x',
      modelVersion: 'unknown',
      predictedClass: '7',
      confidence: 1,
      groundTruthClass: '7',
      features: {},
      resource: RESOURCE,
    },
    {
      kind: 'prediction',
      id: ids.err1.traceId + ids.err1.spanId,
      traceId: ids.err1.traceId,
      spanId: ids.err1.spanId,
      startMs: ms(4, 0),
      endMs: ms(4, 500_000_000),
      modelName: 'fraud',
      modelVersion: 'unknown',
      errorType: 'TypeError',
      features: {},
      resource: RESOURCE,
    },
    {
      kind: 'prediction',
      id: ids.err2.traceId + ids.err2.spanId,
      traceId: ids.err2.traceId,
      spanId: ids.err2.spanId,
      startMs: ms(5, 0),
      endMs: ms(15, 0),
      modelName: 'fraud',
      modelVersion: '3',
      errorType: 'timeout',
      features: {},
      resource: RESOURCE,
    },
    { kind: 'feedback', predictionId: 'pred-1', modelName: 'fraud', groundTruthClass: 'fraud', timeMs: ms(6, 1) },
  ];
}

/** Emits the log records. */
export function emitLogs(logger: Logger): void {
  logger.emit({ timestamp: t(20, 5), body: 'label', attributes: { 'ml.prediction.id': 'pred-1', 'ml.ground_truth.class': 'ok' } });
  logger.emit({
    timestamp: t(21, 999_999_999),
    attributes: { 'ml.prediction.id': 'pred-2', 'ml.ground_truth.value': 11.5, 'llm.model_name': 'price-model', 'ml.model.version': 'v2' },
  });
  logger.emit({ timestamp: t(22, 0), body: 'hello' });
  logger.emit({ timestamp: t(23, 0), attributes: { 'ml.prediction.id': 'pred-3', 'ml.ground_truth.value': 'abc' } });
}

export const LOG_ITEMS = 4;
export const LOG_IGNORED = 1;
export const LOG_REJECTED = 1;

export function expectedLogRecords(): WireRecord[] {
  return [
    { kind: 'feedback', predictionId: 'pred-1', groundTruthClass: 'ok', timeMs: ms(20, 5) },
    { kind: 'feedback', predictionId: 'pred-2', modelName: 'price-model', modelVersion: 'v2', groundTruthValue: 11.5, timeMs: ms(21, 999_999_999) },
  ];
}
