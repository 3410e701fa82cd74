// The decoders on bytes from the real OpenTelemetry JS exporters: captured live from gRPC, http/protobuf
// and http/json exporters, and from the stable fixtures written by scripts/capture-otlp-fixtures.ts.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { CaptureServers, CountingIdGenerator, PROTOCOLS, sendScenarioLogs, sendScenarioSpans } from './capture.js';
import {
  LOG_IGNORED, LOG_ITEMS, LOG_REJECTED, SPAN_IGNORED, SPAN_ITEMS, SPAN_REJECTED, SPAN_REJECT_ATTRIBUTES,
  emitLogs, emitSpans, expectedLogRecords, expectedSpanRecords, type ScenarioIds,
} from './scenario.js';
import { assertRecords, decodeAny } from './expect.js';
import type { DecodeResult } from '../../../src/otlp/result.js';
import { FIXTURES_DIR } from '../../helpers/paths.js';

const FIXTURES = join(FIXTURES_DIR, 'otlp');
const servers = new CaptureServers();
let liveIds: ScenarioIds | undefined;

before(async () => {
  await servers.start();
  for (const protocol of PROTOCOLS) {
    await sendScenarioSpans(servers.traceExporter(protocol), (tracer) => {
      liveIds = emitSpans(tracer);
    });
    await sendScenarioLogs(servers.logExporter(protocol), emitLogs);
  }
});
after(() => servers.stop());

/** The ids the deterministic id generator gives the scenario, without any exporter. */
function scenarioIds(): ScenarioIds {
  const provider = new BasicTracerProvider({ idGenerator: new CountingIdGenerator(), spanProcessors: [new SimpleSpanProcessor(new InMemorySpanExporter())] });
  return emitSpans(provider.getTracer('ids'));
}

function checkTraces(r: DecodeResult, ids: ScenarioIds, protocol: string): void {
  assert.equal(r.items, SPAN_ITEMS);
  assert.equal(r.ignored, SPAN_IGNORED);
  assert.equal(r.rejected, SPAN_REJECTED);
  assert.equal(r.rejectReasons.length, SPAN_REJECT_ATTRIBUTES.length);
  SPAN_REJECT_ATTRIBUTES.forEach((attr, i) => assert.ok(r.rejectReasons[i].startsWith(attr + ':'), r.rejectReasons[i]));
  assertRecords(r.records, expectedSpanRecords(ids, protocol === 'json'), protocol);
}

function checkLogs(r: DecodeResult, protocol: string): void {
  assert.equal(r.items, LOG_ITEMS);
  assert.equal(r.ignored, LOG_IGNORED);
  assert.equal(r.rejected, LOG_REJECTED);
  assert.match(r.rejectReasons[0], /^ml\.ground_truth\.value:/);
  assertRecords(r.records, expectedLogRecords(), protocol);
}

test('each exporter sent exactly one traces and one logs request', () => {
  for (const protocol of PROTOCOLS) {
    for (const signal of ['traces', 'logs'] as const) {
      assert.equal(servers.captured.filter((c) => c.protocol === protocol && c.signal === signal).length, 1, `${signal} ${protocol}`);
    }
  }
});

for (const protocol of PROTOCOLS) {
  test(`live ${protocol} trace export decodes to the expected records`, () => {
    const c = servers.captured.find((x) => x.protocol === protocol && x.signal === 'traces');
    assert.ok(c && liveIds);
    checkTraces(decodeAny('traces', protocol, c.body), liveIds, protocol);
  });

  test(`live ${protocol} log export decodes to the expected feedback`, () => {
    const c = servers.captured.find((x) => x.protocol === protocol && x.signal === 'logs');
    assert.ok(c);
    checkLogs(decodeAny('logs', protocol, c.body), protocol);
  });

  test(`fixture ${protocol} traces and logs decode to the expected records`, () => {
    const name = (signal: string) => (protocol === 'json' ? `${signal}.json` : `${signal}.${protocol}.bin`);
    checkTraces(decodeAny('traces', protocol, readFileSync(join(FIXTURES, name('traces')))), scenarioIds(), protocol);
    checkLogs(decodeAny('logs', protocol, readFileSync(join(FIXTURES, name('logs')))), protocol);
  });
}

test('the deterministic ids used by the fixtures are the ones the live run produced', () => {
  assert.deepStrictEqual(scenarioIds(), liveIds);
});
