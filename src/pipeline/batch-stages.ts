// Stage children joined to their prediction within the one Export call that carries both, before the
// batch is queued. The OTel SDK's batch processor sends a prediction and its preprocess / inference /
// postprocess children together in nearly every request (children end first, the batch holds 512
// spans), so a request of 128 predictions is 512 spans. Queued apart, every child was serialized,
// stored, read back and then joined by each consumer's assembler on its own (a map entry and a copy of
// the prediction per consumer). Children whose prediction is in another request are left as they are:
// the assembler joins those (assembler.ts), with the same sums.
import type { PredictionRecord, WireRecord } from './records.js';

/**
 * The batch with every stage child whose prediction it also holds added to that prediction's `stages`
 * (summed, as the assembler sums children of one stage) and removed. The first prediction with the
 * child's trace id and parent span id takes it, whether it comes before or after the child. Predictions
 * are changed in place: the intake owns a decoded batch until it is queued. A batch without children is
 * returned as it is.
 */
export function attachBatchStages(records: readonly WireRecord[]): readonly WireRecord[] {
  let children = 0;
  for (let i = 0; i < records.length; i++) if (records[i].kind === 'stage') children++;
  if (children === 0) return records;
  // By span id alone (no key string per record); the trace id is compared on a hit.
  const bySpan = new Map<string, PredictionRecord>();
  for (const r of records) if (r.kind === 'prediction' && !bySpan.has(r.spanId)) bySpan.set(r.spanId, r);
  if (bySpan.size === 0) return records;
  const out: WireRecord[] = [];
  for (const r of records) {
    if (r.kind === 'stage') {
      const p = bySpan.get(r.parentSpanId);
      if (p !== undefined && p.traceId === r.traceId) {
        const stages = (p.stages ??= {});
        stages[r.stage] = (stages[r.stage] ?? 0) + r.seconds;
        continue;
      }
    }
    out.push(r);
  }
  return out;
}
