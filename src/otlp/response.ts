// Export responses. With nothing rejected the answer is an empty ExportXServiceResponse; otherwise it
// carries partial_success { rejected_spans | rejected_log_records (1, int64), error_message (2) }.

/** Protobuf response body: empty when rejected = 0. */
export function encodeExportResponseProto(signal: 'traces' | 'logs', rejected: number, message: string): Uint8Array {
  void signal; // both signals use the same field numbers
  if (rejected <= 0) return new Uint8Array(0);
  const msg = Buffer.from(message, 'utf8');
  const inner: number[] = [0x08, ...varint(Math.floor(rejected))];
  if (msg.length > 0) inner.push(0x12, ...varint(msg.length));
  const innerLen = inner.length + (msg.length > 0 ? msg.length : 0);
  const head = [0x0a, ...varint(innerLen), ...inner];
  const out = new Uint8Array(head.length + (msg.length > 0 ? msg.length : 0));
  out.set(head, 0);
  if (msg.length > 0) out.set(msg, head.length);
  return out;
}

/** OTLP/JSON response body: '{}' when rejected = 0; int64 as a decimal string per proto3 JSON. */
export function encodeExportResponseJson(signal: 'traces' | 'logs', rejected: number, message: string): string {
  if (rejected <= 0) return '{}';
  const countKey = signal === 'traces' ? 'rejectedSpans' : 'rejectedLogRecords';
  return JSON.stringify({ partialSuccess: { [countKey]: String(Math.floor(rejected)), errorMessage: message } });
}

function varint(n: number): number[] {
  const out: number[] = [];
  while (n >= 128) {
    out.push((n % 128) | 128);
    n = Math.floor(n / 128);
  }
  out.push(n);
  return out;
}
