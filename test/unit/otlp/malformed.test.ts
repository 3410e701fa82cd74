// Malformed payloads: whatever the bytes, the decoders either decode or throw OtlpDecodeError — never
// another exception, never a hang.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { OtlpDecodeError } from '../../../src/otlp/result.js';
import { decodeTraceRequestJson, decodeTraceRequestProto } from '../../../src/otlp/traces.js';
import { decodeLogsRequestJson, decodeLogsRequestProto } from '../../../src/otlp/logs.js';
import { FIXTURES_DIR } from '../../helpers/paths.js';

const FIXTURES = join(FIXTURES_DIR, 'otlp');
const traces = new Uint8Array(readFileSync(join(FIXTURES, 'traces.proto.bin')));
const logs = new Uint8Array(readFileSync(join(FIXTURES, 'logs.proto.bin')));
const tracesJson = readFileSync(join(FIXTURES, 'traces.json'), 'utf8');

/** Decodes, or returns the OtlpDecodeError; any other exception fails the test. */
function decodeOrError(fn: () => unknown): 'ok' | OtlpDecodeError {
  try {
    fn();
    return 'ok';
  } catch (e) {
    if (e instanceof OtlpDecodeError) return e;
    throw new Error(`not an OtlpDecodeError: ${(e as Error)?.stack ?? String(e)}`);
  }
}

test('every strict prefix of a real trace payload decodes or throws OtlpDecodeError, and most are refused', () => {
  let refused = 0;
  for (let n = 0; n < traces.length; n++) {
    if (decodeOrError(() => decodeTraceRequestProto(traces.subarray(0, n))) !== 'ok') refused++;
  }
  // Prefixes ending on a field boundary of the top level are valid (shorter) requests; all others fail.
  assert.ok(refused >= traces.length - 2, `only ${refused} of ${traces.length} prefixes refused`);
  assert.equal(decodeOrError(() => decodeTraceRequestProto(traces)), 'ok');
});

test('every strict prefix of a real log payload decodes or throws OtlpDecodeError', () => {
  let refused = 0;
  for (let n = 0; n < logs.length; n++) {
    if (decodeOrError(() => decodeLogsRequestProto(logs.subarray(0, n))) !== 'ok') refused++;
  }
  assert.ok(refused >= logs.length - 2);
});

test('every prefix of a real JSON payload decodes or throws OtlpDecodeError', () => {
  for (let n = 0; n < tracesJson.length; n += 7) {
    const r = decodeOrError(() => decodeTraceRequestJson(tracesJson.slice(0, n)));
    assert.ok(r instanceof OtlpDecodeError, `prefix ${n} accepted`);
  }
});

test('random bytes decode or throw OtlpDecodeError (traces and logs)', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
      decodeOrError(() => decodeTraceRequestProto(bytes));
      decodeOrError(() => decodeLogsRequestProto(bytes));
    }),
    { numRuns: 10_000 },
  );
});

test('a real payload with random bytes overwritten decodes or throws OtlpDecodeError', () => {
  fc.assert(
    fc.property(fc.array(fc.tuple(fc.nat(traces.length - 1), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 6 }), (edits) => {
      const b = traces.slice();
      for (const [i, v] of edits) b[i] = v;
      decodeOrError(() => decodeTraceRequestProto(b));
    }),
    { numRuns: 10_000 },
  );
});

test('random JSON values decode or throw OtlpDecodeError', () => {
  fc.assert(
    fc.property(fc.jsonValue({ maxDepth: 6 }), (v) => {
      decodeOrError(() => decodeTraceRequestJson(JSON.stringify(v)));
      decodeOrError(() => decodeTraceRequestJson(JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans: [v] }] }] })));
      decodeOrError(() => decodeLogsRequestJson(JSON.stringify({ resourceLogs: [{ scopeLogs: [{ logRecords: [v] }] }] })));
    }),
    { numRuns: 5000 },
  );
});

test('wrong JSON shapes give a clear reason', () => {
  const reason = (text: string) => {
    const e = decodeOrError(() => decodeTraceRequestJson(text));
    assert.ok(e instanceof OtlpDecodeError, `accepted: ${text}`);
    return e.message;
  };
  assert.match(reason('{"resourceSpans": ['), /invalid JSON/);
  assert.match(reason('[]'), /expected a JSON object at the top level, got an array/);
  assert.match(reason('null'), /top level, got null/);
  assert.match(reason('{"resourceSpans": {}}'), /resourceSpans: expected an array, got an object/);
  assert.match(reason('{"resourceSpans": [3]}'), /resourceSpans\[0\]: expected an object/);
  assert.match(reason('{"resourceSpans": [{"scopeSpans": "x"}]}'), /resourceSpans\[0\]\.scopeSpans: expected an array, got a string/);
  assert.match(reason('{"resourceSpans": [{"scopeSpans": [{"spans": 1}]}]}'), /resourceSpans\[0\]\.scopeSpans\[0\]\.spans: expected an array/);
  const e = decodeOrError(() => decodeLogsRequestJson('{"resourceLogs": [{"scopeLogs": [{"logRecords": {}}]}]}'));
  assert.ok(e instanceof OtlpDecodeError);
  assert.match(e.message, /logRecords: expected an array/);
});

test('an empty request is valid and empty', () => {
  for (const r of [decodeTraceRequestProto(new Uint8Array(0)), decodeTraceRequestJson('{}'), decodeLogsRequestProto(new Uint8Array(0)), decodeLogsRequestJson('{}')]) {
    assert.deepStrictEqual(r, { records: [], items: 0, rejected: 0, rejectReasons: [], ignored: 0 });
  }
});
