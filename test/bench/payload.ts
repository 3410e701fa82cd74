// The benchmark's payload: 512 prediction spans with about 12 attributes each, serialized by the real
// OpenTelemetry JS serializers (the bytes the OTLP exporters send).
import { context, trace } from '@opentelemetry/api';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { JsonTraceSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';

export interface Payload {
  spans: number;
  proto: Uint8Array;
  json: Uint8Array;
  /**
   * The same request as real traffic would send it at `atMs`: the first 4 bytes of each trace id set to
   * a bijective hash of `n` and the trace's place in the request, so every prediction of every request
   * has an id of its own (ids derive from trace and span id) spread over the key space as random trace
   * ids are, each trace's spans keeping one trace id between them; and every span's times
   * moved so that the request's last span starts at `atMs`. With one fixed request the prediction log
   * only ever updated 512 rows; with ids counting up it only appended to its id index; and with the
   * same 512 times in every request each of its three time indexes took inserts at 512 places across
   * the whole index (4 KiB written per row, not the ~0.5 KiB a model server's increasing times cost).
   */
  variant(n: number, format: 'proto' | 'json', atMs?: number): Buffer;
}

/**
 * `predictions` root spans; with `stages`, each also has preprocess, inference and postprocess children
 * (ended before it, as a model server's spans are), so a request of 128 predictions holds 512 spans, as
 * the OTel SDK's batch processor sends them.
 */
export function makePayload(predictions = 512, model = 'bench', opts: { stages?: boolean } = {}): Payload {
  const memory = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'bench-model-server', 'host.name': 'bench' }),
    spanProcessors: [new SimpleSpanProcessor(memory)],
  });
  const tracer = provider.getTracer('bench');
  const t0 = Date.now();
  for (let i = 0; i < predictions; i++) {
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
    if (opts.stages) {
      const parent = trace.setSpan(context.active(), s);
      let at = t0 + i;
      for (const [stage, ms] of [['preprocess', 2], ['inference', 12 + (i % 30)], ['postprocess', 1]] as const) {
        tracer.startSpan(stage, { startTime: at }, parent).end(at + ms);
        at += ms;
      }
    }
    s.end(t0 + i + 20 + (i % 40));
  }
  const finished = memory.getFinishedSpans();
  const proto = Buffer.from(ProtobufTraceSerializer.serializeRequest(finished)!);
  const json = Buffer.from(JsonTraceSerializer.serializeRequest(finished)!);
  const traceIds = [...new Set(finished.map((s) => s.spanContext().traceId))];
  const protoAt = offsetsOf(proto, traceIds.map((t) => Buffer.from(t, 'hex')));
  const jsonAt = offsetsOf(json, traceIds.map((t) => Buffer.from(`"traceId":"${t}"`)), '"traceId":"'.length);
  const times = spanTimes(finished.flatMap((s) => [hrNanos(s.startTime), hrNanos(s.endTime)]), proto, json);
  const lastStartMs = t0 + predictions - 1;
  return {
    spans: finished.length,
    proto,
    json,
    variant(n, format, atMs = Date.now()) {
      const out = Buffer.from(format === 'proto' ? proto : json);
      for (const [t, offsets] of (format === 'proto' ? protoAt : jsonAt).entries()) {
        // An odd multiplier is a bijection on 32 bits: unique while n × traces + t < 2^32.
        const id = Math.imul(n * traceIds.length + t, 0x9e3779b1) >>> 0;
        if (format === 'proto') for (const at of offsets) out.writeUInt32BE(id, at);
        else for (const at of offsets) out.write(id.toString(16).padStart(8, '0'), at, 'latin1');
      }
      const shift = BigInt(Math.round(atMs - lastStartMs)) * 1_000_000n;
      if (format === 'proto') for (const t of times.proto) out.writeBigUInt64LE(t.nanos + shift, t.at);
      else for (const t of times.json) out.write((t.nanos + shift).toString().padStart(19, '0'), t.at, 'latin1');
      return out;
    },
  };
}

const hrNanos = ([s, ns]: [number, number]): bigint => BigInt(s) * 1_000_000_000n + BigInt(ns);

/**
 * Where each span time sits in both encodings: in protobuf after the fixed64 tag of start_time_unix_nano
 * (field 7) or end_time_unix_nano (field 8), in JSON as the 19-digit string after its key.
 */
function spanTimes(nanos: bigint[], proto: Buffer, json: Buffer): { proto: { at: number; nanos: bigint }[]; json: { at: number; nanos: bigint }[] } {
  const out = { proto: [] as { at: number; nanos: bigint }[], json: [] as { at: number; nanos: bigint }[] };
  const seen = new Set<string>();
  for (const [k, v] of nanos.entries()) {
    const start = k % 2 === 0;
    const key = `${start}:${v}`;
    if (seen.has(key)) continue; // spans may share a time: offsetsOf finds every occurrence at once
    seen.add(key);
    const fixed = Buffer.alloc(9);
    fixed[0] = start ? 0x39 : 0x41;
    fixed.writeBigUInt64LE(v, 1);
    for (const at of offsetsOf(proto, [fixed], 1)[0]) out.proto.push({ at, nanos: v });
    const text = Buffer.from(`"${start ? 'start' : 'end'}TimeUnixNano":"${v}"`);
    for (const at of offsetsOf(json, [text], text.length - 20)[0]) out.json.push({ at, nanos: v });
  }
  return out;
}

/** Every offset (plus `skip`) at which each of `needles` occurs in `haystack`, per needle; each must occur. */
function offsetsOf(haystack: Buffer, needles: Buffer[], skip = 0): number[][] {
  return needles.map((n) => {
    const out: number[] = [];
    for (let at = haystack.indexOf(n); at >= 0; at = haystack.indexOf(n, at + 1)) out.push(at + skip);
    if (out.length === 0) throw new Error(`bytes ${n.toString('hex')} not found in the serialized payload`);
    return out;
  });
}
