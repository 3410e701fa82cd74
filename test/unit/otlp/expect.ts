// Test helpers: compare decoded records with expectations (times within a microsecond, everything else
// exactly, NaN equal to NaN), and pick the decoder a captured payload needs.
import assert from 'node:assert/strict';
import type { WireRecord } from '../../../src/pipeline/records.js';
import type { DecodeResult } from '../../../src/otlp/result.js';
import { decodeTraceRequestJson, decodeTraceRequestProto } from '../../../src/otlp/traces.js';
import { decodeLogsRequestJson, decodeLogsRequestProto } from '../../../src/otlp/logs.js';

const TIME_KEYS = ['startMs', 'endMs', 'timeMs'] as const;

export function assertRecords(actual: readonly WireRecord[], expected: readonly WireRecord[], label = ''): void {
  assert.equal(actual.length, expected.length, `${label}: record count`);
  for (let i = 0; i < expected.length; i++) {
    const a: Record<string, unknown> = { ...actual[i] };
    const e: Record<string, unknown> = { ...expected[i] };
    for (const k of TIME_KEYS) {
      if (typeof e[k] === 'number') {
        assert.ok(Math.abs((a[k] as number) - (e[k] as number)) <= 1e-3, `${label} record ${i} ${k}: ${a[k]} vs ${e[k]}`);
        a[k] = e[k];
      }
    }
    if (typeof e.seconds === 'number') {
      assert.ok(Math.abs((a.seconds as number) - e.seconds) <= 1e-9, `${label} record ${i} seconds: ${a.seconds} vs ${e.seconds}`);
      a.seconds = e.seconds;
    }
    assert.deepStrictEqual(a, e, `${label} record ${i}`);
  }
}

export function decodeAny(signal: 'traces' | 'logs', protocol: string, body: Uint8Array): DecodeResult {
  const json = protocol === 'json';
  const text = json ? Buffer.from(body).toString('utf8') : '';
  if (signal === 'traces') return json ? decodeTraceRequestJson(text) : decodeTraceRequestProto(body);
  return json ? decodeLogsRequestJson(text) : decodeLogsRequestProto(body);
}
