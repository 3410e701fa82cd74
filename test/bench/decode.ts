// Micro-benchmark of the OTLP decoders: 512-span requests (12 attributes each, the shape of a real
// prediction span) serialized by the OTel JS SDK's own serializers, decoded in a loop. Prints spans/s.
// Run: npx tsx test/bench/decode.ts
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { JsonTraceSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { decodeTraceRequestJson, decodeTraceRequestProto } from '../../src/otlp/traces.js';

const SPANS = 512;

function makeSpans() {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'fraud-api', 'host.name': 'node-7' }),
    spanProcessors: [new SimpleSpanProcessor(exporter)],
  });
  const tracer = provider.getTracer('bench');
  for (let i = 0; i < SPANS; i++) {
    const s = tracer.startSpan('predict', {
      attributes: {
        'ml.model.name': 'fraud',
        'ml.model.version': '3',
        'ml.prediction.class': i % 3 === 0 ? 'fraud' : 'ok',
        'ml.prediction.confidence': 0.5 + (i % 50) / 100,
        'ml.feature.amount': 10 + i * 0.37,
        'ml.feature.count': i % 17,
        'ml.feature.country': ['DE', 'FR', 'US'][i % 3],
        'ml.feature.is_new': i % 2 === 0,
        'ml.feature.age_days': 100 + i,
        'ml.feature.score': i / 7,
        'http.route': '/v1/predict',
        'ml.tag.user': `u-${i}`,
      },
    });
    s.end();
  }
  return exporter.getFinishedSpans();
}

function measure(label: string, fn: () => number): void {
  // Warm up, then run for about a second and report the best of three rounds.
  for (let i = 0; i < 200; i++) fn();
  let best = 0;
  for (let round = 0; round < 3; round++) {
    let spans = 0;
    const t0 = process.hrtime.bigint();
    let elapsed = 0;
    while (elapsed < 1e9 / 3) {
      for (let i = 0; i < 20; i++) spans += fn();
      elapsed = Number(process.hrtime.bigint() - t0);
    }
    best = Math.max(best, spans / (elapsed / 1e9));
  }
  console.log(`${label.padEnd(44)} ${Math.round(best).toLocaleString('en-US').padStart(12)} spans/s`);
}

const spans = makeSpans();
const proto = ProtobufTraceSerializer.serializeRequest(spans)!;
const jsonText = new TextDecoder().decode(JsonTraceSerializer.serializeRequest(spans)!);
const check = decodeTraceRequestProto(proto);
if (check.records.length !== SPANS) throw new Error(`expected ${SPANS} records, got ${check.records.length}`);
console.log(`request: ${SPANS} spans, protobuf ${proto.length} bytes, JSON ${jsonText.length} bytes`);
measure('decodeTraceRequestProto', () => decodeTraceRequestProto(proto).records.length);
measure('decodeTraceRequestJson', () => decodeTraceRequestJson(jsonText).records.length);
measure('JSON.parse alone (floor for the JSON path)', () => (JSON.parse(jsonText), SPANS));
