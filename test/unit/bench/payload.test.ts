// The benchmark's requests must look like a model server's: what the agent costs depends on it (the
// prediction log's id index took a whole request on one page while a request's ids shared a prefix).
// Read back with the agent's own decoders, as the agent would.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makePayload } from '../../bench/payload.js';
import { decodeTraceRequestJson, decodeTraceRequestProto } from '../../../src/otlp/traces.js';
import type { PredictionRecord, StageRecord, WireRecord } from '../../../src/pipeline/records.js';

const decode = (p: ReturnType<typeof makePayload>, n: number, format: 'proto' | 'json', atMs?: number): WireRecord[] => {
  const bytes = p.variant(n, format, atMs);
  return (format === 'proto' ? decodeTraceRequestProto(bytes) : decodeTraceRequestJson(bytes.toString('utf8'))).records;
};
const predictions = (records: WireRecord[]) => records.filter((r): r is PredictionRecord => r.kind === 'prediction');

for (const format of ['proto', 'json'] as const) {
  test(`${format}: every prediction of every request has an id of its own, spread over the key space`, () => {
    const payload = makePayload(512);
    const ids = new Set<string>();
    for (const n of [0, 1, 2, 1000]) {
      const preds = predictions(decode(payload, n, format));
      assert.equal(preds.length, 512);
      for (const p of preds) ids.add(p.id);
      // Random trace ids: their first byte takes ~222 of 256 values over 512 traces; one prefix per
      // request (the old payload) gave 1.
      const firstBytes = new Set(preds.map((p) => p.traceId.slice(0, 2)));
      assert.ok(firstBytes.size > 150, `first bytes of the trace ids: ${firstBytes.size} distinct values`);
    }
    assert.equal(ids.size, 4 * 512);
  });

  test(`${format}: stage children keep their prediction's trace id, and the request's last span starts at atMs`, () => {
    const payload = makePayload(128, 'bench', { stages: true });
    const atMs = Date.parse('2026-11-28T03:00:00Z');
    const records = decode(payload, 7, format, atMs);
    const preds = predictions(records);
    // Stage children of the same Export call are joined onto their prediction at decode, the rest stay.
    const stages = records.filter((r): r is StageRecord => r.kind === 'stage');
    assert.equal(stages.length, 3 * 128);
    const bySpan = new Map(preds.map((p) => [p.spanId, p]));
    for (const s of stages) assert.equal(bySpan.get(s.parentSpanId)?.traceId, s.traceId);
    assert.equal(preds.length, 128);
    assert.equal(new Set(preds.map((p) => p.traceId)).size, 128);
    assert.equal(Math.max(...preds.map((p) => p.startMs)), atMs);
  });
}
