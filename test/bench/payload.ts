// The benchmark's payload: 512 prediction spans with about 12 attributes each, serialized by the real
// OpenTelemetry JS serializers (the bytes the OTLP exporters send).
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { JsonTraceSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';

export interface Payload {
  spans: number;
  proto: Uint8Array;
  json: Uint8Array;
  /**
   * The same request with the first 4 bytes of every trace id set to `n`: a new prediction id for every
   * span of every request (ids derive from trace and span id), as real traffic has. With one fixed
   * request the prediction log only ever updated 512 rows and no label join held more than 512 entries.
   */
  variant(n: number, format: 'proto' | 'json'): Buffer;
}

export function makePayload(spans = 512, model = 'bench'): Payload {
  const memory = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'bench-model-server', 'host.name': 'bench' }),
    spanProcessors: [new SimpleSpanProcessor(memory)],
  });
  const tracer = provider.getTracer('bench');
  const t0 = Date.now();
  for (let i = 0; i < spans; i++) {
    const s = tracer.startSpan('predict', {
      startTime: t0 + i,
      attributes: {
        'ml.model.name': model,
        'ml.model.version': '7',
        'ml.prediction.class': i % 3 === 0 ? 'fraud' : 'legit',
        'ml.prediction.confidence': 0.5 + (i % 50) / 100,
        'ml.feature.amount': 10 + (i % 97) * 3.7,
        'ml.feature.age': 18 + (i % 60),
        'ml.feature.country': ['NL', 'DE', 'FR', 'US'][i % 4],
        'ml.feature.score': (i % 1000) / 1000,
        'ml.feature.device': i % 2 === 0 ? 'mobile' : 'desktop',
        'ml.feature.tenure': i % 120,
        'ml.feature.returning': i % 5 === 0,
        'http.route': '/predict',
      },
    });
    s.end(t0 + i + 20 + (i % 40));
  }
  const finished = memory.getFinishedSpans();
  const proto = Buffer.from(ProtobufTraceSerializer.serializeRequest(finished)!);
  const json = Buffer.from(JsonTraceSerializer.serializeRequest(finished)!);
  const traceIds = [...new Set(finished.map((s) => s.spanContext().traceId))];
  const protoAt = offsetsOf(proto, traceIds.map((t) => Buffer.from(t, 'hex')));
  const jsonAt = offsetsOf(json, traceIds.map((t) => Buffer.from(`"traceId":"${t}"`)), '"traceId":"'.length);
  return {
    spans: finished.length,
    proto,
    json,
    variant(n, format) {
      const out = Buffer.from(format === 'proto' ? proto : json);
      const prefix = (n >>> 0).toString(16).padStart(8, '0');
      if (format === 'proto') for (const at of protoAt) out.writeUInt32BE(n >>> 0, at);
      else for (const at of jsonAt) out.write(prefix, at, 'latin1');
      return out;
    },
  };
}

/** Every offset (plus `skip`) at which one of `needles` occurs in `haystack`; each needle must occur. */
function offsetsOf(haystack: Buffer, needles: Buffer[], skip = 0): number[] {
  const out: number[] = [];
  for (const n of needles) {
    let found = false;
    for (let at = haystack.indexOf(n); at >= 0; at = haystack.indexOf(n, at + 1)) {
      out.push(at + skip);
      found = true;
    }
    if (!found) throw new Error(`trace id ${n.toString('hex')} not found in the serialized payload`);
  }
  return out;
}
