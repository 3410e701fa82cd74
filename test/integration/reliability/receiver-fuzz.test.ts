// Network fuzzing of the running agent's OTLP receivers (gRPC, HTTP protobuf, HTTP JSON) with fast-check:
// random bytes, mutated captured payloads, random JSON, huge attribute values, deeply nested values,
// non-UTF-8 strings, NaN/Infinity. Every call must be answered within a deadline, either accepted or
// refused as INVALID_ARGUMENT / 400 with a reason; the process stays up; valid requests interleaved
// with the garbage are all counted on /metrics.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as grpc from '@grpc/grpc-js';
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startAgent, type AgentHandle } from '../../helpers/agent.js';
import { FIXTURES_DIR } from '../../helpers/paths.js';
import { av, dv, kv, kvl, len, span, str, sv, traceRequest, type AnyV } from '../../unit/otlp/pbwrite.js';
import { agentEnv, grpcExport, httpStatus, postOtlp, predictionsJson, promSum, queueDrained } from './harness.js';

const SEED = Number(process.env.RELIABILITY_SEED ?? 7_000_007);
const RUNS = Number(process.env.FUZZ_RUNS ?? 800);
const DEADLINE_MS = 10_000;
const fixtures = {
  tracesJson: readFileSync(join(FIXTURES_DIR, 'otlp', 'traces.json'), 'utf8'),
  tracesProto: readFileSync(join(FIXTURES_DIR, 'otlp', 'traces.proto.bin')),
  logsJson: readFileSync(join(FIXTURES_DIR, 'otlp', 'logs.json'), 'utf8'),
  logsProto: readFileSync(join(FIXTURES_DIR, 'otlp', 'logs.proto.bin')),
};

let agent: AgentHandle;
let client: grpc.Client;
before(async () => {
  agent = await startAgent({ env: agentEnv() });
  client = new grpc.Client(`127.0.0.1:${agent.ports.grpc}`, grpc.credentials.createInsecure(), { 'grpc.max_send_message_length': 8 << 20 });
});
after(async () => {
  client?.close();
  await agent?.kill9();
});

type Transport = 'grpc' | 'http/protobuf' | 'http/json';
type Signal = 'traces' | 'logs';
const tally = { payloads: 0, accepted: 0, refused: 0, byTransport: { grpc: 0, 'http/protobuf': 0, 'http/json': 0 } as Record<Transport, number>, validSent: 0, validPredictions: 0 };

/** A google.rpc.Status in protobuf: code (field 1) = 3, message (field 2) not empty. */
function isInvalidArgumentProto(body: Buffer): boolean {
  return body[0] === 0x08 && body[1] === 3 && body[2] === 0x12 && body.length > 4;
}

/** Sends one payload and checks the answer is an acceptance or a reasoned INVALID_ARGUMENT. */
async function sendChecked(transport: Transport, signal: Signal, body: Uint8Array | string): Promise<void> {
  tally.payloads++;
  tally.byTransport[transport]++;
  if (transport === 'grpc') {
    const r = await grpcExport(client, Buffer.from(body as Uint8Array), { deadlineMs: DEADLINE_MS, service: signal === 'logs' ? 'logs' : 'trace' });
    if (r.code === grpc.status.OK) tally.accepted++;
    else if (r.code === grpc.status.INVALID_ARGUMENT && r.details.length > 0) tally.refused++;
    else assert.fail(`gRPC ${signal}: answered ${grpc.status[r.code] ?? r.code} (${r.details}) to ${describe(body)}`);
    return;
  }
  const json = transport === 'http/json';
  const r = await postOtlp(agent.ports.http, body, { contentType: json ? 'application/json' : 'application/x-protobuf', path: `/v1/${signal}`, timeoutMs: DEADLINE_MS });
  if (r.status === 200) {
    tally.accepted++;
    return;
  }
  assert.equal(r.status, 400, `${transport} ${signal}: answered ${r.status} ${r.error ?? r.body.slice(0, 200)} to ${describe(body)}`);
  if (json) {
    const status = JSON.parse(r.body) as { code: number; message: string };
    assert.ok(status.code === 3 && status.message.length > 0, `400 with a reason: ${r.body.slice(0, 200)}`);
  } else {
    assert.ok(isInvalidArgumentProto(r.bytes!), `400 with a google.rpc.Status body: ${r.bytes!.toString('hex')}`);
  }
  tally.refused++;
}

function describe(body: Uint8Array | string): string {
  const b = typeof body === 'string' ? Buffer.from(body) : Buffer.from(body);
  return `${b.length} bytes: ${b.subarray(0, 64).toString('hex')}${b.length > 64 ? '…' : ''}`;
}

/** A valid prediction with a known model name, interleaved with the garbage: it must be counted. */
let validSeq = 0;
const msByKind = new Map<string, number>();
async function sendValid(): Promise<void> {
  const n = 1 + (validSeq % 3);
  const preds = Array.from({ length: n }, () => ({ id: `valid-${validSeq}`, seq: 1_000_000 + validSeq++ }));
  const r = await postOtlp(agent.ports.http, predictionsJson(preds, 'fuzz-valid'), { timeoutMs: DEADLINE_MS });
  assert.equal(r.status, 200, `a valid request amid the fuzz: ${r.status} ${r.error ?? r.body}`);
  tally.validSent++;
  tally.validPredictions += n;
}

// --- payload generators -------------------------------------------------------------------------

const mutations = fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 }), fc.constantFrom('set', 'insert', 'delete')), { minLength: 1, maxLength: 6 });

function mutate(bytes: Uint8Array, edits: [number, number, string][], cut: number | null): Uint8Array {
  const out = [...bytes];
  for (const [at, value, op] of edits) {
    const i = at % (out.length + 1);
    if (op === 'set' && i < out.length) out[i] = value;
    else if (op === 'insert') out.splice(i, 0, value);
    else if (op === 'delete') out.splice(i, 1);
  }
  return Uint8Array.from(cut === null ? out : out.slice(0, cut % (out.length + 1)));
}

/** Replaces one value somewhere in a JSON document (the k-th node in document order). */
function replaceNode(doc: unknown, k: number, value: unknown): unknown {
  let n = 0;
  const walk = (v: unknown): unknown => {
    if (n++ === k) return value;
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([key, x]) => [key, walk(x)]));
    return v;
  };
  return walk(doc);
}

const weirdJsonValue = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  fc.constantFrom('NaN', 'Infinity', '-Infinity', '', '0x1p3', '1e400', '-0', 'ffffffffffffffffffffffffffffffffff'),
  fc.constantFrom(Number.MAX_SAFE_INTEGER, -1, 1e308, 0.5, 2 ** 64),
  fc.constantFrom({ doubleValue: 'NaN' }, { doubleValue: 'Infinity' }, { intValue: '99999999999999999999999' }, { stringValue: null }, { arrayValue: {} }, { kvlistValue: { values: [{}] } }, { bytesValue: '!!!' }),
);

/** JSON AnyValue nested `depth` levels deep, alternating arrays and key-value lists (built as text: too deep for JSON.stringify). */
function nestedJsonText(depth: number): string {
  let open = '';
  let close = '';
  for (let i = depth - 1; i >= 0; i--) {
    if (i % 2) {
      open += '{"arrayValue":{"values":[';
      close = ']}}' + close;
    } else {
      open += '{"kvlistValue":{"values":[{"key":"k","value":';
      close = '}]}}' + close;
    }
  }
  return open + '{"stringValue":"leaf"}' + close;
}

function nestedProto(depth: number): AnyV {
  let v: AnyV = sv('leaf');
  for (let i = 0; i < depth; i++) v = i % 2 ? av(v) : kvl(kv('k', v));
  return v;
}

function spanJson(attrs: { key: string; value: unknown }[]): string {
  return JSON.stringify({
    resourceSpans: [{ resource: { attributes: [] }, scopeSpans: [{ spans: [{ traceId: '0102030405060708090a0b0c0d0e0f10', spanId: '0102030405060708', name: 'predict', startTimeUnixNano: '1700000000000000000', endTimeUnixNano: '1700000000050000000', attributes: [{ key: 'ml.model.name', value: { stringValue: 'fuzz' } }, { key: 'ml.prediction.class', value: { stringValue: 'a' } }, ...attrs] }] }] }],
  });
}

function spanProto(attrs: number[][]): Uint8Array {
  return traceRequest([span({ attrs: [kv('ml.model.name', sv('fuzz')), kv('ml.prediction.class', sv('a')), ...attrs] })]);
}

/** Edge cases built on a valid prediction span: huge, deep, non-UTF-8, NaN/Infinity. */
const edgeCase = fc.oneof(
  fc.record({ kind: fc.constant('huge' as const), size: fc.integer({ min: 1_000, max: 20_000 }), key: fc.constantFrom('ml.feature.text', 'ml.model.version', 'ml.prediction.id', 'note') }),
  fc.record({ kind: fc.constant('deep' as const), depth: fc.integer({ min: 10, max: 1_000 }) }),
  fc.record({ kind: fc.constant('utf8' as const), bytes: fc.uint8Array({ minLength: 1, maxLength: 16 }).map((b) => Uint8Array.from([0xc3, 0x28, ...b, 0xff, 0xfe])) }),
  fc.record({ kind: fc.constant('nan' as const), value: fc.constantFrom(NaN, Infinity, -Infinity, -0, Number.MIN_VALUE, 1e308), key: fc.constantFrom('ml.prediction.confidence', 'ml.prediction.value', 'ml.feature.x') }),
);

type Edge = typeof edgeCase extends fc.Arbitrary<infer T> ? T : never;

function edgePayloads(e: Edge): { transport: Transport; body: Uint8Array | string }[] {
  if (e.kind === 'huge') {
    const s = 'x'.repeat(e.size);
    return [
      { transport: 'http/json', body: spanJson([{ key: e.key, value: { stringValue: s } }]) },
      { transport: e.size % 2 ? 'grpc' : 'http/protobuf', body: spanProto([kv(e.key, sv(s))]) },
    ];
  }
  if (e.kind === 'deep') {
    return [
      { transport: 'http/json', body: spanJson([{ key: 'ml.feature.deep', value: 'DEEP' }]).replace('"DEEP"', nestedJsonText(e.depth)) },
      { transport: e.depth % 2 ? 'grpc' : 'http/protobuf', body: spanProto([kv('ml.feature.deep', nestedProto(Math.min(e.depth, 1_000)))]) },
    ];
  }
  if (e.kind === 'utf8') {
    const raw = [...e.bytes];
    const jsonBytes = Buffer.from(spanJson([{ key: 'ml.feature.s', value: { stringValue: 'MARK' } }]));
    const at = jsonBytes.indexOf('MARK');
    const json = Buffer.concat([jsonBytes.subarray(0, at), Buffer.from(raw), jsonBytes.subarray(at + 4)]);
    return [
      { transport: 'http/json', body: new Uint8Array(json) },
      { transport: 'grpc', body: spanProto([[...str(1, 'ml.feature.s'), ...len(2, len(1, raw))], [...len(1, raw), ...len(2, sv('v'))]]) },
    ];
  }
  const jsonValue = Number.isNaN(e.value) ? 'NaN' : e.value === Infinity ? 'Infinity' : e.value === -Infinity ? '-Infinity' : e.value;
  return [
    { transport: 'http/json', body: spanJson([{ key: e.key, value: { doubleValue: jsonValue } }]) },
    { transport: 'http/protobuf', body: spanProto([kv(e.key, dv(e.value))]) },
  ];
}

/** One fuzz step: some payloads and, now and then, a valid request in the same stream. */
const step = fc.record({
  payload: fc.oneof(
    { weight: 2, arbitrary: fc.record({ kind: fc.constant('bytes' as const), bytes: fc.uint8Array({ maxLength: 1024 }), signal: fc.constantFrom<Signal>('traces', 'logs') }) },
    { weight: 3, arbitrary: fc.record({ kind: fc.constant('mutated-proto' as const), edits: mutations, cut: fc.option(fc.nat(), { freq: 4 }), signal: fc.constantFrom<Signal>('traces', 'logs') }) },
    { weight: 3, arbitrary: fc.record({ kind: fc.constant('mutated-json' as const), node: fc.nat({ max: 400 }), value: weirdJsonValue, textEdits: fc.option(mutations, { freq: 3 }), signal: fc.constantFrom<Signal>('traces', 'logs') }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('random-json' as const), text: fc.oneof(fc.json({ maxDepth: 4 }), fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify({ resourceSpans: v, resourceLogs: v }))), signal: fc.constantFrom<Signal>('traces', 'logs') }) },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant('edge' as const), edge: edgeCase }) },
  ),
  interleaveValid: fc.boolean(),
});

type Step = typeof step extends fc.Arbitrary<infer T> ? T : never;

function payloadsOf(s: Step['payload']): { transport: Transport; signal: Signal; body: Uint8Array | string }[] {
  switch (s.kind) {
    case 'bytes':
      return [{ transport: 'grpc', signal: s.signal, body: s.bytes }, { transport: 'http/protobuf', signal: s.signal, body: s.bytes }];
    case 'mutated-proto': {
      const base = s.signal === 'traces' ? fixtures.tracesProto : fixtures.logsProto;
      const body = mutate(base, s.edits, s.cut);
      return [{ transport: 'grpc', signal: s.signal, body }, { transport: 'http/protobuf', signal: s.signal, body }];
    }
    case 'mutated-json': {
      const doc = replaceNode(JSON.parse(s.signal === 'traces' ? fixtures.tracesJson : fixtures.logsJson), s.node, s.value);
      const text = JSON.stringify(doc);
      return [{ transport: 'http/json', signal: s.signal, body: s.textEdits ? mutate(Buffer.from(text), s.textEdits, null) : text }];
    }
    case 'random-json':
      return [{ transport: 'http/json', signal: s.signal, body: s.text }];
    case 'edge':
      return edgePayloads(s.edge).map((p) => ({ ...p, signal: 'traces' as Signal }));
  }
}

test('fuzzed requests over gRPC and HTTP are each answered (accepted or INVALID_ARGUMENT with a reason); the agent stays up and counts every valid request', async (t) => {
  // Four independent streams of steps at once, so calls overlap as they would from many clients.
  await Promise.all(
    [0, 1, 2, 3].map((k) =>
      fc.assert(
        fc.asyncProperty(step, async (s) => {
          const t0 = performance.now();
          const kind = s.payload.kind === 'edge' ? `edge/${s.payload.edge.kind}` : s.payload.kind;
          for (const p of payloadsOf(s.payload)) await sendChecked(p.transport, p.signal, p.body);
          msByKind.set(kind, (msByKind.get(kind) ?? 0) + performance.now() - t0);
          if (s.interleaveValid) await sendValid();
        }),
        { seed: SEED + k, numRuns: RUNS, endOnFailure: true, includeErrorInReport: true },
      ),
    ),
  );
  assert.equal(agent.proc.exitCode, null, `the agent is still running:\n${agent.logs().slice(-2000)}`);
  assert.equal(await httpStatus(`http://127.0.0.1:${agent.ports.admin}/healthz`), 200);
  const metrics = await queueDrained(agent);
  const counted = promSum(metrics, 'model_predictions_total', { model_name: 'fuzz-valid' });
  t.diagnostic(`seed ${SEED}..${SEED + 3}, ${4 * RUNS} steps: ${tally.payloads} fuzz payloads (gRPC ${tally.byTransport.grpc}, HTTP protobuf ${tally.byTransport['http/protobuf']}, HTTP JSON ${tally.byTransport['http/json']}), ${tally.accepted} accepted, ${tally.refused} refused with INVALID_ARGUMENT/400; ${tally.validSent} valid requests (${tally.validPredictions} predictions) interleaved, ${counted} counted`);
  t.diagnostic(`time by kind (ms): ${[...msByKind].map(([k, v]) => `${k} ${Math.round(v)}`).join(', ')}`);
  assert.equal(counted, tally.validPredictions, 'every valid prediction sent amid the fuzz is counted once');
});
