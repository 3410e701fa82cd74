// The body of an OTLP/HTTP error response: a google.rpc.Status (code = field 1, message = field 2),
// encoded in the request's content type.
const enc = new TextEncoder();

function varint(n: number, out: number[]): void {
  while (n > 0x7f) {
    out.push((n & 0x7f) | 0x80);
    n >>>= 7;
  }
  out.push(n);
}

export function encodeStatusProto(code: number, message: string): Uint8Array {
  const msg = enc.encode(message);
  const out: number[] = [];
  out.push(0x08);
  varint(code, out);
  out.push(0x12);
  varint(msg.length, out);
  const head = Uint8Array.from(out);
  const buf = new Uint8Array(head.length + msg.length);
  buf.set(head);
  buf.set(msg, head.length);
  return buf;
}

export function encodeStatusJson(code: number, message: string): string {
  return JSON.stringify({ code, message });
}

/** gRPC status codes used in HTTP error bodies. */
export const RPC = { INVALID_ARGUMENT: 3, RESOURCE_EXHAUSTED: 8, UNAVAILABLE: 14, INTERNAL: 13 } as const;
