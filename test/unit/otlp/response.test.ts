// The export responses, read back by readers that are not ours: the OTel JS exporters' own response
// deserializers (what a real client does with our answer) and protobufjs reflection.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import protobuf from 'protobufjs';
import { JsonLogsSerializer, JsonTraceSerializer, ProtobufLogsSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { encodeExportResponseJson, encodeExportResponseProto } from '../../../src/otlp/response.js';

// ExportTraceServiceResponse / ExportLogsServiceResponse by their field numbers.
const root = new protobuf.Root();
root.add(new protobuf.Type('PartialSuccess').add(new protobuf.Field('rejected', 1, 'int64')).add(new protobuf.Field('errorMessage', 2, 'string')));
root.add(new protobuf.Type('Response').add(new protobuf.Field('partialSuccess', 1, 'PartialSuccess')));
const Response = root.lookupType('Response');
const readProto = (b: Uint8Array) => Response.toObject(Response.decode(b), { longs: String, defaults: false });

const MESSAGES = ['', '2 spans rejected: ml.prediction.confidence: 1.7 is outside [0, 1]', 'ü→✓ '.repeat(60)];
const COUNTS = [1, 127, 128, 300, 2 ** 31, 2 ** 40];

test('nothing rejected: an empty protobuf body and {} in JSON, both valid empty responses', () => {
  for (const signal of ['traces', 'logs'] as const) {
    assert.equal(encodeExportResponseProto(signal, 0, 'ignored').length, 0);
    assert.equal(encodeExportResponseJson(signal, 0, 'ignored'), '{}');
  }
  assert.deepStrictEqual(ProtobufTraceSerializer.deserializeResponse(new Uint8Array(0)), {});
});

test('protobuf partial_success reads back through protobufjs and the exporters\' deserializers', () => {
  for (const n of COUNTS) {
    for (const m of MESSAGES) {
      for (const signal of ['traces', 'logs'] as const) {
        const bytes = encodeExportResponseProto(signal, n, m);
        const generic = readProto(bytes);
        assert.equal(generic.partialSuccess.rejected, String(n));
        assert.equal(generic.partialSuccess.errorMessage ?? '', m);
      }
      const t = ProtobufTraceSerializer.deserializeResponse(encodeExportResponseProto('traces', n, m));
      assert.equal(Number(t.partialSuccess?.rejectedSpans), n);
      assert.equal(t.partialSuccess?.errorMessage ?? '', m);
      const l = ProtobufLogsSerializer.deserializeResponse(encodeExportResponseProto('logs', n, m));
      assert.equal(Number(l.partialSuccess?.rejectedLogRecords), n);
      assert.equal(l.partialSuccess?.errorMessage ?? '', m);
    }
  }
});

test('JSON partial_success reads back through the exporters\' JSON deserializers', () => {
  const enc = new TextEncoder();
  for (const n of COUNTS) {
    for (const m of MESSAGES) {
      const t = JsonTraceSerializer.deserializeResponse(enc.encode(encodeExportResponseJson('traces', n, m)));
      assert.equal(Number(t.partialSuccess?.rejectedSpans), n);
      assert.equal(t.partialSuccess?.errorMessage, m);
      const l = JsonLogsSerializer.deserializeResponse(enc.encode(encodeExportResponseJson('logs', n, m)));
      assert.equal(Number(l.partialSuccess?.rejectedLogRecords), n);
      assert.equal(l.partialSuccess?.errorMessage, m);
    }
  }
});
