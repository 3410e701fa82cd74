// The benchmark's payload: 512 prediction spans with about 12 attributes each, serialized by the real
// OpenTelemetry JS serializers (the bytes the OTLP exporters send).
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { JsonTraceSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';

export interface Payload {
  spans: number;
  proto: Uint8Array;
  json: Uint8Array;
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
  return {
    spans: finished.length,
    proto: ProtobufTraceSerializer.serializeRequest(finished)!,
    json: JsonTraceSerializer.serializeRequest(finished)!,
  };
}
