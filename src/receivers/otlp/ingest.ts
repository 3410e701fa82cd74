// What both OTLP transports do with a decoded request: count it, commit it, and say how to answer.
import type { AppendResult, ReceiverContext } from '../../pipeline/component.js';
import type { DecodeResult } from '../../otlp/result.js';

export type IngestOutcome =
  | { ok: true; rejected: number; message: string }
  | { ok: false; reason: 'queue_full' | 'storage_error' | 'memory_limit'; retryAfterMs: number; message: string };

export async function ingest(ctx: ReceiverContext, protocol: string, decoded: DecodeResult): Promise<IngestOutcome> {
  if (decoded.rejected > 0) {
    ctx.intake.refused(protocol, 'malformed', decoded.rejected);
    ctx.logger.warn({ protocol, rejected: decoded.rejected, reasons: decoded.rejectReasons }, 'refused malformed items');
  }
  const result: AppendResult = await ctx.sink.append(decoded.records, decoded.items - decoded.rejected);
  if (!result.ok) {
    ctx.intake.refused(protocol, result.reason, decoded.items - decoded.rejected);
    return result;
  }
  ctx.intake.accepted(protocol, decoded.items - decoded.rejected);
  return { ok: true, rejected: decoded.rejected, message: decoded.rejectReasons.join('; ') };
}
