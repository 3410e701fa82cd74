// A tiny protobuf writer for hand-made test payloads (edge cases the SDK never sends). Written from the
// wire-format rules, separately from the decoder under test.
export type Bytes = number[];

export function varint(n: number | bigint): Bytes {
  let v = BigInt.asUintN(64, BigInt(n));
  const out: Bytes = [];
  while (v >= 128n) {
    out.push(Number(v & 127n) | 128);
    v >>= 7n;
  }
  out.push(Number(v));
  return out;
}
export const tag = (field: number, wt: number): Bytes => varint(field * 8 + wt);
export const len = (field: number, body: Bytes): Bytes => [...tag(field, 2), ...varint(body.length), ...body];
export const str = (field: number, s: string): Bytes => len(field, [...Buffer.from(s, 'utf8')]);
export const vint = (field: number, n: number | bigint): Bytes => [...tag(field, 0), ...varint(n)];
export function f64(field: number, x: number): Bytes {
  const b = Buffer.alloc(8);
  b.writeDoubleLE(x);
  return [...tag(field, 1), ...b];
}
export function fixed64(field: number, n: bigint): Bytes {
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE(n);
  return [...tag(field, 1), ...b];
}
export const hex = (field: number, h: string): Bytes => len(field, [...Buffer.from(h, 'hex')]);

// OTLP messages (field numbers from the OTLP protocol).
export type AnyV = Bytes; // an encoded AnyValue body
export const sv = (s: string): AnyV => str(1, s);
export const bv = (b: boolean): AnyV => vint(2, b ? 1 : 0);
export const iv = (n: number | bigint): AnyV => vint(3, n);
export const dv = (x: number): AnyV => f64(4, x);
export const av = (...values: AnyV[]): AnyV => len(5, values.flatMap((v) => len(1, v)));
export const kvl = (...kvs: Bytes[]): AnyV => len(6, kvs.flat());
export const bytesv = (b: number[]): AnyV => len(7, b);
export const kv = (key: string, value: AnyV): Bytes => [...str(1, key), ...len(2, value)];

export interface SpanSpec {
  traceId?: string;
  spanId?: string;
  parentSpanId?: string;
  name?: string;
  startNs?: bigint;
  endNs?: bigint;
  attrs?: Bytes[]; // encoded KeyValue bodies
  status?: number;
  extra?: Bytes; // appended raw fields
}
export const TRACE = '0af7651916cd43dd8448eb211c80319c';
export const SPAN = 'b7ad6b7169203331';
export const T0 = 1_712_000_000_123_456_789n;

export function span(s: SpanSpec): Bytes {
  return [
    ...hex(1, s.traceId ?? TRACE),
    ...hex(2, s.spanId ?? SPAN),
    ...(s.parentSpanId ? hex(4, s.parentSpanId) : []),
    ...str(5, s.name ?? 'predict'),
    ...fixed64(7, s.startNs ?? T0),
    ...fixed64(8, s.endNs ?? T0 + 5_000_000n),
    ...(s.attrs ?? []).flatMap((a) => len(9, a)),
    ...(s.status !== undefined ? len(15, vint(3, s.status)) : []),
    ...(s.extra ?? []),
  ];
}

/** ExportTraceServiceRequest { resource_spans { resource, scope_spans { spans } } }. */
export function traceRequest(spans: Bytes[], resourceAttrs: Bytes[] = []): Uint8Array {
  const resource = len(1, resourceAttrs.flatMap((a) => len(1, a)));
  const scope = len(2, spans.flatMap((s) => len(2, s)));
  return Uint8Array.from(len(1, [...resource, ...scope]));
}
