// OTLP log export requests (ExportLogsServiceRequest) → FeedbackRecords: ground truth can arrive as log
// records carrying ml.prediction.id and ml.ground_truth.* attributes (the body is not read). Every other
// log record is ignored. timeMs = time_unix_nano, else observed_time_unix_nano, else the time of decoding.
import { OtlpDecodeError, ResultBuilder, resolveOptions, type DecodeOptions, type DecodeResult } from './result.js';
import { ProtoReader, WT_FIXED64, WT_LEN, fieldOf } from './wire.js';
import { nanosHalvesToMs, nanosJsonToMs } from './text.js';
import { SpanAttrs } from './attributes.js';
import { readAttribute } from './proto-values.js';
import { logToRecord, type SpanOutcome } from './spans.js';
import { containerArray, containerObject, describe, field, isObject, jsonAttributes, parseBody } from './json-values.js';

const T_REQ_RESOURCE_LOGS = (1 << 3) | WT_LEN;
const T_RL_SCOPE_LOGS = (2 << 3) | WT_LEN;
const T_SL_LOG_RECORDS = (2 << 3) | WT_LEN;
const T_TIME = (1 << 3) | WT_FIXED64;
const T_OBSERVED_TIME = (11 << 3) | WT_FIXED64;
const T_ATTRIBUTES = (6 << 3) | WT_LEN;

export function decodeLogsRequestProto(bytes: Uint8Array, opts?: DecodeOptions): DecodeResult {
  const r = new ProtoReader(bytes);
  const out = new ResultBuilder();
  const attrs = new SpanAttrs(resolveOptions(opts));
  const now = Date.now();
  forEachChild(r, r.buf.length, T_REQ_RESOURCE_LOGS, 'ExportLogsServiceRequest.resource_logs', (rlEnd) => {
    forEachChild(r, rlEnd, T_RL_SCOPE_LOGS, 'ResourceLogs.scope_logs', (slEnd) => {
      forEachChild(r, slEnd, T_SL_LOG_RECORDS, 'ScopeLogs.log_records', (lrEnd) => {
        out.items++;
        tally(out, logRecord(r, lrEnd, attrs, now));
      });
    });
  });
  return out.toResult();
}

export function decodeLogsRequestJson(text: string, opts?: DecodeOptions): DecodeResult {
  const body = parseBody(text);
  const out = new ResultBuilder();
  const attrs = new SpanAttrs(resolveOptions(opts));
  const now = Date.now();
  const resourceLogs = containerArray(body, 'resourceLogs', 'resource_logs', 'resourceLogs');
  for (let i = 0; i < resourceLogs.length; i++) {
    const rl = containerObject(resourceLogs[i], `resourceLogs[${i}]`);
    const scopeLogs = containerArray(rl, 'scopeLogs', 'scope_logs', `resourceLogs[${i}].scopeLogs`);
    for (let j = 0; j < scopeLogs.length; j++) {
      const sl = containerObject(scopeLogs[j], `resourceLogs[${i}].scopeLogs[${j}]`);
      const logRecords = containerArray(sl, 'logRecords', 'log_records', `resourceLogs[${i}].scopeLogs[${j}].logRecords`);
      for (const lr of logRecords) {
        out.items++;
        if (!isObject(lr)) {
          out.reject(`logRecord: expected an object, got ${describe(lr)}`);
          continue;
        }
        attrs.reset();
        const bad = jsonAttributes(lr.attributes, attrs);
        if (bad !== undefined) {
          out.reject(bad);
          continue;
        }
        const time = nanosJsonToMs(field(lr, 'timeUnixNano', 'time_unix_nano'));
        const observed = nanosJsonToMs(field(lr, 'observedTimeUnixNano', 'observed_time_unix_nano'));
        tally(out, logToRecord(attrs, pickTime(time, observed, now)));
      }
    }
  }
  return out.toResult();
}

function tally(out: ResultBuilder, outcome: SpanOutcome): void {
  if (outcome === null) out.ignored++;
  else if (typeof outcome === 'string') out.reject(outcome);
  else out.records.push(outcome);
}

/** 0 means "not set" in OTLP. An invalid time (NaN) is kept so the record is rejected with a reason. */
function pickTime(time: number, observed: number, now: number): number {
  if (time !== 0) return time;
  if (observed !== 0) return observed;
  return now;
}

/** Calls fn(end) for each length-delimited child with the given tag in [r.pos, end); skips the rest. */
function forEachChild(r: ProtoReader, end: number, childTag: number, what: string, fn: (end: number) => void): void {
  while (r.pos < end) {
    const tag = r.tag(end);
    if (tag === childTag) {
      const e = r.lenEnd(end);
      fn(e);
      r.pos = e;
    } else {
      if (fieldOf(tag) === fieldOf(childTag)) throw new OtlpDecodeError(`wrong wire type ${tag & 7} for ${what}`);
      r.skip(tag & 7, end);
    }
  }
}

function logRecord(r: ProtoReader, end: number, attrs: SpanAttrs, now: number): SpanOutcome {
  attrs.reset();
  let time = 0;
  let observed = 0;
  while (r.pos < end) {
    const tag = r.tag(end);
    switch (tag) {
      case T_TIME:
        r.fixed64(end);
        time = nanosHalvesToMs(r.lo, r.hi);
        break;
      case T_OBSERVED_TIME:
        r.fixed64(end);
        observed = nanosHalvesToMs(r.lo, r.hi);
        break;
      case T_ATTRIBUTES: {
        const e = r.lenEnd(end);
        readAttribute(r, e, attrs);
        r.pos = e;
        break;
      }
      default: {
        const f = fieldOf(tag);
        if (f === 1 || f === 11 || f === 6) throw new OtlpDecodeError(`wrong wire type ${tag & 7} for LogRecord field ${f}`);
        r.skip(tag & 7, end);
      }
    }
  }
  return logToRecord(attrs, pickTime(time, observed, now));
}
