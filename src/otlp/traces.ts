// OTLP trace export requests (ExportTraceServiceRequest) → records, from protobuf bytes or the JSON body.
// Field numbers: opentelemetry/proto/collector/trace/v1 and trace/v1 of the OTLP protocol.
import { OtlpDecodeError, ResultBuilder, resolveOptions, type DecodeOptions, type DecodeResult, type ResolvedOptions } from './result.js';
import { ProtoReader, WT_FIXED64, WT_LEN, WT_VARINT, fieldOf } from './wire.js';
import { hexOf, nanosHalvesToMs, utf8Of } from './text.js';
import { SpanAttrs } from './attributes.js';
import { readAttribute, readExceptionType, readResource } from './proto-values.js';
import { STATUS_CODE_ERROR, spanToRecord, type SpanCore } from './spans.js';
import { decodeJsonTraces } from './traces-json.js';

export { OtlpDecodeError };
export type { DecodeOptions, DecodeResult };

const T_REQ_RESOURCE_SPANS = (1 << 3) | WT_LEN;
const T_RS_RESOURCE = (1 << 3) | WT_LEN;
const T_RS_SCOPE_SPANS = (2 << 3) | WT_LEN;
const T_SS_SPANS = (2 << 3) | WT_LEN;
const T_TRACE_ID = (1 << 3) | WT_LEN;
const T_SPAN_ID = (2 << 3) | WT_LEN;
const T_PARENT_SPAN_ID = (4 << 3) | WT_LEN;
const T_NAME = (5 << 3) | WT_LEN;
const T_START = (7 << 3) | WT_FIXED64;
const T_END = (8 << 3) | WT_FIXED64;
const T_ATTRIBUTES = (9 << 3) | WT_LEN;
const T_EVENTS = (11 << 3) | WT_LEN;
const T_STATUS = (15 << 3) | WT_LEN;
const T_STATUS_CODE = (3 << 3) | WT_VARINT;

/** Span fields we read, with their wire type, to tell "unknown field" from "known field, wrong type". */
const SPAN_FIELD_WIRE_TYPES: Record<number, number> = { 1: WT_LEN, 2: WT_LEN, 4: WT_LEN, 5: WT_LEN, 7: WT_FIXED64, 8: WT_FIXED64, 9: WT_LEN, 11: WT_LEN, 15: WT_LEN };

/** How many events of one span we remember for the exception lookup. */
const MAX_EVENTS_SCANNED = 16;

export function decodeTraceRequestProto(bytes: Uint8Array, opts?: DecodeOptions): DecodeResult {
  const d = new ProtoTraceDecoder(bytes, resolveOptions(opts));
  d.request();
  return d.out.toResult();
}

export function decodeTraceRequestJson(text: string, opts?: DecodeOptions): DecodeResult {
  return decodeJsonTraces(text, resolveOptions(opts));
}

class ProtoTraceDecoder {
  readonly out = new ResultBuilder();
  private readonly r: ProtoReader;
  private readonly attrs: SpanAttrs;
  private readonly core: SpanCore = {
    traceId: '', spanId: '', parentSpanId: '', name: '', startMs: 0, endMs: 0, statusCode: 0, exceptionType: undefined, resource: undefined,
  };
  private readonly eventStarts: number[] = [];
  private readonly eventEnds: number[] = [];

  constructor(bytes: Uint8Array, private readonly opts: ResolvedOptions) {
    this.r = new ProtoReader(bytes);
    this.attrs = new SpanAttrs(opts);
  }

  request(): void {
    const r = this.r;
    const end = r.buf.length;
    while (r.pos < end) {
      const tag = r.tag(end);
      if (tag === T_REQ_RESOURCE_SPANS) {
        const e = r.lenEnd(end);
        this.resourceSpans(e);
        r.pos = e;
      } else {
        if (fieldOf(tag) === 1) throw wrongType(tag, 'ExportTraceServiceRequest.resource_spans');
        r.skip(tag & 7, end);
      }
    }
  }

  private resourceSpans(end: number): void {
    const r = this.r;
    let resource: Record<string, string> | undefined;
    // The resource may follow its scope spans on the wire: remember the ranges, decode spans after.
    const scopeStarts: number[] = [];
    const scopeEnds: number[] = [];
    while (r.pos < end) {
      const tag = r.tag(end);
      if (tag === T_RS_RESOURCE) {
        const e = r.lenEnd(end);
        resource = readResource(r, e, this.opts.maxAttributeLength);
        r.pos = e;
      } else if (tag === T_RS_SCOPE_SPANS) {
        const e = r.lenEnd(end);
        scopeStarts.push(r.pos);
        scopeEnds.push(e);
        r.pos = e;
      } else {
        const f = fieldOf(tag);
        if (f === 1 || f === 2) throw wrongType(tag, `ResourceSpans field ${f}`);
        r.skip(tag & 7, end);
      }
    }
    this.core.resource = resource;
    for (let i = 0; i < scopeStarts.length; i++) {
      r.pos = scopeStarts[i];
      this.scopeSpans(scopeEnds[i]);
    }
    r.pos = end;
  }

  private scopeSpans(end: number): void {
    const r = this.r;
    while (r.pos < end) {
      const tag = r.tag(end);
      if (tag === T_SS_SPANS) {
        const e = r.lenEnd(end);
        this.span(e);
        r.pos = e;
      } else {
        if (fieldOf(tag) === 2) throw wrongType(tag, 'ScopeSpans.spans');
        r.skip(tag & 7, end);
      }
    }
  }

  private span(end: number): void {
    const r = this.r;
    const core = this.core;
    const attrs = this.attrs;
    attrs.reset();
    core.traceId = '';
    core.spanId = '';
    core.parentSpanId = '';
    core.startMs = 0;
    core.endMs = 0;
    core.statusCode = 0;
    core.exceptionType = undefined;
    let nameStart = 0;
    let nameEnd = 0;
    let events = 0;
    while (r.pos < end) {
      const tag = r.tag(end);
      switch (tag) {
        case T_TRACE_ID: {
          const e = r.lenEnd(end);
          core.traceId = hexOf(r.nodeBuf, r.pos, e);
          r.pos = e;
          break;
        }
        case T_SPAN_ID: {
          const e = r.lenEnd(end);
          core.spanId = hexOf(r.nodeBuf, r.pos, e);
          r.pos = e;
          break;
        }
        case T_PARENT_SPAN_ID: {
          const e = r.lenEnd(end);
          core.parentSpanId = hexOf(r.nodeBuf, r.pos, e);
          r.pos = e;
          break;
        }
        case T_NAME:
          nameEnd = r.lenEnd(end);
          nameStart = r.pos;
          r.pos = nameEnd;
          break;
        case T_START:
          r.fixed64(end);
          core.startMs = nanosHalvesToMs(r.lo, r.hi);
          break;
        case T_END:
          r.fixed64(end);
          core.endMs = nanosHalvesToMs(r.lo, r.hi);
          break;
        case T_ATTRIBUTES: {
          const e = r.lenEnd(end);
          readAttribute(r, e, attrs);
          r.pos = e;
          break;
        }
        case T_EVENTS: {
          const e = r.lenEnd(end);
          if (events < MAX_EVENTS_SCANNED) {
            this.eventStarts[events] = r.pos;
            this.eventEnds[events] = e;
            events++;
          }
          r.pos = e;
          break;
        }
        case T_STATUS: {
          const e = r.lenEnd(end);
          core.statusCode = this.statusCode(e);
          r.pos = e;
          break;
        }
        default: {
          const expected = SPAN_FIELD_WIRE_TYPES[fieldOf(tag)];
          if (expected !== undefined) throw wrongType(tag, `Span field ${fieldOf(tag)}`);
          r.skip(tag & 7, end);
        }
      }
    }
    this.out.items++;
    // The name matters only for stage children without ml.stage: decode it only then.
    core.name = core.parentSpanId !== '' && attrs.stage === undefined ? utf8Of(r.nodeBuf, nameStart, nameEnd) : '';
    if (core.statusCode === STATUS_CODE_ERROR && attrs.errorType === undefined) {
      for (let i = 0; i < events && core.exceptionType === undefined; i++) {
        core.exceptionType = readExceptionType(r, this.eventStarts[i], this.eventEnds[i]);
      }
    }
    const outcome = spanToRecord(core, attrs);
    if (outcome === null) this.out.ignored++;
    else if (typeof outcome === 'string') this.out.reject(outcome);
    else this.out.records.push(outcome);
  }

  private statusCode(end: number): number {
    const r = this.r;
    let code = 0;
    while (r.pos < end) {
      const tag = r.tag(end);
      if (tag === T_STATUS_CODE) code = r.varint(end);
      else {
        if (fieldOf(tag) === 3) throw wrongType(tag, 'Status.code');
        r.skip(tag & 7, end);
      }
    }
    return code;
  }
}

function wrongType(tag: number, what: string): OtlpDecodeError {
  return new OtlpDecodeError(`wrong wire type ${tag & 7} for ${what}`);
}
