// OTLP/JSON trace export requests → records. A malformed request structure throws OtlpDecodeError; a
// malformed span is rejected on its own and the rest of the request is still decoded.
import { ResultBuilder, type DecodeResult, type ResolvedOptions } from './result.js';
import { SpanAttrs } from './attributes.js';
import { hexIdFromJson, nanosJsonToMs } from './text.js';
import { STATUS_CODE_ERROR, spanToRecord, type SpanCore } from './spans.js';
import { containerArray, containerObject, describe, field, isObject, jsonAnyValue, jsonAttributes, jsonEnum, jsonResource, parseBody, type JsonObject } from './json-values.js';
import { V_STRING, newSlot } from './attributes.js';

const STATUS_CODES: Record<string, number> = { STATUS_CODE_UNSET: 0, STATUS_CODE_OK: 1, STATUS_CODE_ERROR: 2 };

export function decodeJsonTraces(text: string, opts: ResolvedOptions): DecodeResult {
  const body = parseBody(text);
  const out = new ResultBuilder();
  const attrs = new SpanAttrs(opts);
  const resourceSpans = containerArray(body, 'resourceSpans', 'resource_spans', 'resourceSpans');
  for (let i = 0; i < resourceSpans.length; i++) {
    const rs = containerObject(resourceSpans[i], `resourceSpans[${i}]`);
    const resource = jsonResource(rs.resource, opts.maxAttributeLength);
    const scopeSpans = containerArray(rs, 'scopeSpans', 'scope_spans', `resourceSpans[${i}].scopeSpans`);
    for (let j = 0; j < scopeSpans.length; j++) {
      const ss = containerObject(scopeSpans[j], `resourceSpans[${i}].scopeSpans[${j}]`);
      const spans = containerArray(ss, 'spans', 'spans', `resourceSpans[${i}].scopeSpans[${j}].spans`);
      for (const span of spans) {
        out.items++;
        const outcome = isObject(span) ? jsonSpan(span, attrs, resource) : `span: expected an object, got ${describe(span)}`;
        if (outcome === null) out.ignored++;
        else if (typeof outcome === 'string') out.reject(outcome);
        else out.records.push(outcome);
      }
    }
  }
  return out.toResult();
}

function jsonSpan(span: JsonObject, attrs: SpanAttrs, resource: Record<string, string> | undefined) {
  attrs.reset();
  const bad = jsonAttributes(span.attributes, attrs);
  if (bad !== undefined) return bad;
  const status = span.status;
  const statusCode = isObject(status) ? jsonEnum(status.code, STATUS_CODES) : 0;
  const core: SpanCore = {
    traceId: hexIdFromJson(field(span, 'traceId', 'trace_id')),
    spanId: hexIdFromJson(field(span, 'spanId', 'span_id')),
    parentSpanId: hexIdFromJson(field(span, 'parentSpanId', 'parent_span_id')),
    name: typeof span.name === 'string' ? span.name : '',
    startMs: nanosJsonToMs(field(span, 'startTimeUnixNano', 'start_time_unix_nano')),
    endMs: nanosJsonToMs(field(span, 'endTimeUnixNano', 'end_time_unix_nano')),
    statusCode,
    exceptionType: statusCode === STATUS_CODE_ERROR && attrs.errorType === undefined ? exceptionType(span.events) : undefined,
    resource,
  };
  return spanToRecord(core, attrs);
}

const slot = newSlot();

/** exception.type of the first `exception` event that has one. */
function exceptionType(events: unknown): string | undefined {
  if (!Array.isArray(events)) return undefined;
  for (const ev of events) {
    if (!isObject(ev) || ev.name !== 'exception' || !Array.isArray(ev.attributes)) continue;
    for (const kv of ev.attributes) {
      if (!isObject(kv) || kv.key !== 'exception.type') continue;
      jsonAnyValue(kv.value, slot, true);
      if (slot.type === V_STRING && slot.str !== '') return slot.str;
    }
  }
  return undefined;
}
