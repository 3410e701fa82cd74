// Captures OTLP export requests from the real OpenTelemetry JS exporters (gRPC, http/protobuf,
// http/json; traces and logs) for the scenario in test/unit/otlp/scenario.ts and writes them to
// test/fixtures/otlp/, so the decoders are also tested against stable bytes.
// Run: npx tsx scripts/capture-otlp-fixtures.ts
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CaptureServers, PROTOCOLS, sendScenarioLogs, sendScenarioSpans } from '../test/unit/otlp/capture.js';
import { emitLogs, emitSpans } from '../test/unit/otlp/scenario.js';

export const FIXTURE_DIR = join(import.meta.dirname, '..', 'test', 'fixtures', 'otlp');

async function main(): Promise<void> {
  const servers = new CaptureServers();
  await servers.start();
  try {
    for (const protocol of PROTOCOLS) {
      await sendScenarioSpans(servers.traceExporter(protocol), (tracer) => void emitSpans(tracer));
      await sendScenarioLogs(servers.logExporter(protocol), emitLogs);
    }
  } finally {
    await servers.stop();
  }
  mkdirSync(FIXTURE_DIR, { recursive: true });
  for (const c of servers.captured) {
    const file = join(FIXTURE_DIR, c.protocol === 'json' ? `${c.signal}.json` : `${c.signal}.${c.protocol}.bin`);
    writeFileSync(file, c.body);
    console.log(`${file}: ${c.body.length} bytes`);
  }
}

await main();
