// Bad input gets a clear error and loses nothing else; a full queue refuses with a retryable status.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as grpc from '@grpc/grpc-js';
import { agentConfig, eventually, startAgent, type AgentHandle } from '../../helpers/agent.js';
import { emitPrediction, otelClient } from '../../helpers/otel-client.js';
import { parsePromText, sampleValue } from '../../helpers/prom-text.js';

function grpcExport(port: number, body: Buffer): Promise<{ code: number; details: string }> {
  const client = new grpc.Client(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
  return new Promise((resolve) => {
    client.makeUnaryRequest(
      '/opentelemetry.proto.collector.trace.v1.TraceService/Export',
      (b: Buffer) => b,
      (b: Buffer) => b,
      body,
      (err) => {
        client.close();
        resolve({ code: err?.code ?? 0, details: err?.details ?? '' });
      },
    );
  });
}

describe('malformed requests', () => {
  let agent: AgentHandle;
  before(async () => {
    agent = await startAgent();
  });
  after(async () => {
    assert.equal(await agent.stop(), 0);
  });

  test('gRPC: truncated protobuf is INVALID_ARGUMENT with a reason', async () => {
    // field 1 (resource_spans), length 50, but only 3 bytes follow
    const res = await grpcExport(agent.ports.grpc, Buffer.from([0x0a, 50, 1, 2, 3]));
    assert.equal(res.code, grpc.status.INVALID_ARGUMENT);
    assert.ok(res.details.length > 0);
  });

  test('HTTP: bad JSON and bad protobuf are 400 with a google.rpc.Status body', async () => {
    const json = await fetch(`http://127.0.0.1:${agent.ports.http}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"resourceSpans": [' });
    assert.equal(json.status, 400);
    const status = (await json.json()) as { code: number; message: string };
    assert.equal(status.code, 3);
    assert.ok(status.message.length > 0);
    const proto = await fetch(`http://127.0.0.1:${agent.ports.http}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/x-protobuf' }, body: new Uint8Array([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f]) });
    assert.equal(proto.status, 400);
    assert.equal(proto.headers.get('content-type'), 'application/x-protobuf');
  });

  test('HTTP: wrong content type, method and path are refused precisely', async () => {
    const base = `http://127.0.0.1:${agent.ports.http}`;
    assert.equal((await fetch(`${base}/v1/traces`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'x' })).status, 415);
    assert.equal((await fetch(`${base}/v1/traces`)).status, 405);
    assert.equal((await fetch(`${base}/v1/metrics`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).status, 404);
  });

  test('a malformed span is refused alone; the rest of its request is kept', async () => {
    const body = {
      resourceSpans: [{
        resource: { attributes: [] },
        scopeSpans: [{
          spans: [
            { traceId: '0102030405060708090a0b0c0d0e0f10', spanId: '0102030405060708', name: 'predict', startTimeUnixNano: '1700000000000000000', endTimeUnixNano: '1700000000050000000',
              attributes: [{ key: 'ml.model.name', value: { stringValue: 'm' } }, { key: 'ml.model.version', value: { stringValue: '1' } }, { key: 'ml.prediction.class', value: { stringValue: 'a' } }] },
            { traceId: '0102030405060708090a0b0c0d0e0f11', spanId: '0102030405060709', name: 'predict', startTimeUnixNano: '1700000000000000000', endTimeUnixNano: '1700000000050000000',
              attributes: [{ key: 'ml.model.name', value: { stringValue: 'm' } }, { key: 'ml.model.version', value: { stringValue: '1' } }, { key: 'ml.prediction.class', value: { stringValue: 'a' } }, { key: 'ml.prediction.confidence', value: { doubleValue: 7 } }] },
          ],
        }],
      }],
    };
    const res = await fetch(`http://127.0.0.1:${agent.ports.http}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    assert.equal(res.status, 200);
    const answer = (await res.json()) as { partialSuccess?: { rejectedSpans?: string | number; errorMessage?: string } };
    assert.equal(Number(answer.partialSuccess?.rejectedSpans), 1);
    assert.match(answer.partialSuccess?.errorMessage ?? '', /confidence/);
    const samples = await eventually(async () => {
      const s = parsePromText(await agent.metricsText());
      return sampleValue(s, 'model_predictions_total', { model_name: 'm', model_version: '1', predicted_class: 'a' }) === 1 ? s : undefined;
    }, 'the good span counted');
    assert.equal(sampleValue(samples, 'modelwatch_receiver_refused_spans_total', { protocol: 'http/json', reason: 'malformed' }), 2, 'the bad JSON and the bad span');
    assert.equal(sampleValue(samples, 'modelwatch_receiver_refused_spans_total', { protocol: 'http/protobuf', reason: 'malformed' }), 1, 'the bad protobuf');
  });

  test('the agent keeps serving valid data after all that', async () => {
    const client = otelClient('grpc', agent.ports);
    emitPrediction(client.tracer, { model: 'after', version: '1', cls: 'ok' });
    await client.shutdown();
    await eventually(async () => (sampleValue(parsePromText(await agent.metricsText()), 'model_predictions_total', { model_name: 'after' }) === 1 ? true : undefined), 'valid data after bad');
  });
});

describe('a full queue', () => {
  let agent: AgentHandle;
  before(async () => {
    // Checkpoints far apart: rows are never trimmed during the test, so the queue fills.
    agent = await startAgent({
      config: (ports, dir) =>
        agentConfig(ports, dir).replace('  checkpoint_interval: 100ms', '  checkpoint_interval: 1h\n  max_bytes: 20KiB\n  backpressure_wait: 200ms'),
    });
  });
  after(async () => {
    assert.equal(await agent.stop(), 0);
  });

  test('refuses with retryable statuses and counts it; never a silent drop', async () => {
    const client = new grpc.Client(`127.0.0.1:${agent.ports.grpc}`, grpc.credentials.createInsecure());
    const tracesOnce = async (n: number) => {
      const spans = Array.from({ length: n }, (_, i) => ({
        traceId: (i + 1).toString(16).padStart(32, '0'), spanId: (i + 1).toString(16).padStart(16, '0'), name: 'predict',
        startTimeUnixNano: '1700000000000000000', endTimeUnixNano: '1700000000050000000',
        attributes: [{ key: 'ml.model.name', value: { stringValue: 'full' } }, { key: 'ml.prediction.class', value: { stringValue: 'x' } }],
      }));
      return fetch(`http://127.0.0.1:${agent.ports.http}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans }] }] }) });
    };
    let accepted = 0;
    let refused: Response | undefined;
    for (let i = 0; i < 100 && !refused; i++) {
      const res = await tracesOnce(20);
      if (res.status === 200) accepted += 20;
      else refused = res;
    }
    assert.ok(refused, 'the queue filled up');
    assert.equal(refused.status, 429);
    assert.ok(Number(refused.headers.get('retry-after')) >= 1);
    // Fill the last crumbs of room with single spans, then a one-span gRPC call must be refused too.
    let jsonRefusedSingles = 0;
    for (let i = 0; i < 200 && jsonRefusedSingles === 0; i++) {
      const res = await tracesOnce(1);
      if (res.status === 200) accepted += 1;
      else jsonRefusedSingles++;
    }
    let grpcAccepted = 0;
    let grpcRes = { code: 0, details: '' };
    for (let i = 0; i < 5 && grpcRes.code === 0; i++) {
      grpcRes = await grpcExport(agent.ports.grpc, Buffer.from(encodeOneSpan()));
      if (grpcRes.code === 0) grpcAccepted++;
    }
    client.close();
    assert.equal(grpcRes.code, grpc.status.UNAVAILABLE);
    assert.match(grpcRes.details, /queue is full/);
    const s = parsePromText(await agent.metricsText());
    // Refused at admission, before the body is read (the wire size does not fit): one per request.
    assert.equal(sampleValue(s, 'modelwatch_receiver_refused_spans_total', { protocol: 'http/json', reason: 'queue_full' }), 2);
    assert.equal(sampleValue(s, 'modelwatch_receiver_refused_spans_total', { protocol: 'grpc', reason: 'queue_full' }), 1);
    assert.equal(sampleValue(s, 'modelwatch_receiver_accepted_spans_total', { protocol: 'http/json' }), accepted);
    // everything accepted is counted: nothing acknowledged was dropped
    assert.equal(sampleValue(s, 'model_predictions_total', { model_name: 'full' }), accepted + grpcAccepted);
    const ready = await fetch(`http://127.0.0.1:${agent.ports.admin}/readyz`);
    assert.equal(ready.status, 503, 'not ready while the queue is full');
  });
});

/** A hand-built ExportTraceServiceRequest with one prediction span (protobuf wire format). */
function encodeOneSpan(): Uint8Array {
  const bytes = (field: number, payload: Uint8Array) => Uint8Array.from([(field << 3) | 2, payload.length, ...payload]);
  const str = (s: string) => new TextEncoder().encode(s);
  const kv = (k: string, v: string) => Uint8Array.from([...bytes(1, str(k)), ...bytes(2, bytes(1, str(v)))]);
  const span = Uint8Array.from([
    ...bytes(1, new Uint8Array(16).fill(7)),
    ...bytes(2, new Uint8Array(8).fill(9)),
    ...bytes(5, str('predict')),
    ...bytes(9, kv('ml.model.name', 'full')),
    ...bytes(9, kv('ml.prediction.class', 'x')),
  ]);
  return bytes(1, bytes(2, bytes(2, span)));
}
