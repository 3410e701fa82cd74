// `npm run bench`: the agent's throughput against the bare-server ceiling, its cost at a fixed load,
// acknowledgement latency, and restart time with a backlog. Prints a table and writes bench-results.json.
// Knobs: BENCH_SECONDS (saturation phases, default 10), BENCH_FIXED_SECONDS (default 60, as issue 8 asks), BENCH_RATE
// (default 10000 spans/s), BENCH_WARMUP_SECONDS (uncounted start of each fixed-rate phase, default 5), BENCH_BACKLOG
// (predictions in the queue for the restart test, default 1000000), BENCH_LOG_ROWS (rows per id shape in the
// prediction log's phase, default 1048576), BENCH_PHASES.
import { execFileSync, fork } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { allocatePorts, startAgent, type AgentHandle, type AgentPorts } from '../helpers/agent.js';
import { REPO_ROOT } from '../helpers/paths.js';
import { parsePromText } from '../helpers/prom-text.js';
import { openDatabase } from '../../src/storage/database.js';
import { Queue } from '../../src/storage/queue.js';
import { decodeTraceRequestProto } from '../../src/otlp/traces.js';
import { attachBatchStages } from '../../src/pipeline/batch-stages.js';
import { fixedRate, percentile, saturate, type Transport } from './load.js';
import { makePayload } from './payload.js';
import { cpuSeconds, rssSampler } from '../helpers/proc-stats.js';
import { loopBetween, loopSnapshot, type LoopSnapshot } from './event-loop.js';
import { diskProbe } from './disk-probe.js';
import { benchDriftOffline } from './drift.js';
import { benchDriftWindow } from './drift-window.js';
import { benchLogIds } from './log-ids.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const FIXED_SECONDS = Number(process.env.BENCH_FIXED_SECONDS ?? 60);
const RATE = Number(process.env.BENCH_RATE ?? 10_000);
/** Fixed-rate phases first send this long at their rate, uncounted: connection setup and cold code. */
const WARMUP_SECONDS = Number(process.env.BENCH_WARMUP_SECONDS ?? 5);
const BACKLOG = Number(process.env.BENCH_BACKLOG ?? 1_000_000);
const LOG_ROWS = Number(process.env.BENCH_LOG_ROWS ?? 2 ** 20);
const TRANSPORTS: Transport[] = ['grpc', 'http/protobuf', 'http/json'];
const ALL_PHASES = ['ceiling', 'throughput', 'staged', 'fixed', 'parts', 'restart', 'log', 'drift'];
const PHASES = phasesFrom(process.env.BENCH_PHASES);

/**
 * The phases to run, in the order above: all by default. `BENCH_PHASES=fixed` (for instance) runs one
 * phase alone, as an A/B of two checkouts at the same hour needs on a machine whose figures move from
 * hour to hour. The agent's throughput is reported against the ceiling, so it brings the ceiling along.
 */
function phasesFrom(list: string | undefined): Set<string> {
  if (!list) return new Set(ALL_PHASES);
  const asked = list.split(',').map((p) => p.trim()).filter((p) => p !== '');
  const unknown = asked.filter((p) => !ALL_PHASES.includes(p));
  if (unknown.length > 0 || asked.length === 0) {
    console.error(`BENCH_PHASES=${list}: ${unknown.length > 0 ? `unknown ${unknown.join(', ')}` : 'no phase'}; the phases are ${ALL_PHASES.join(', ')}`);
    process.exit(2);
  }
  const phases = new Set(asked);
  if (phases.has('throughput')) phases.add('ceiling');
  return phases;
}

const payload = makePayload(512);
const results: Record<string, unknown> = { when: new Date().toISOString(), payload: { spans: payload.spans, protoBytes: payload.proto.length, jsonBytes: payload.json.length } };
const rows: [string, string][] = [];
const row = (what: string, value: string) => {
  rows.push([what, value]);
  console.log(`${what.padEnd(58)} ${value}`);
};

function agentEnv(ports: AgentPorts, dir: string): Record<string, string> {
  return {
    MODELWATCH_OTLP_GRPC_ENDPOINT: `127.0.0.1:${ports.grpc}`,
    MODELWATCH_OTLP_HTTP_ENDPOINT: `127.0.0.1:${ports.http}`,
    MODELWATCH_PROMETHEUS_ENDPOINT: `127.0.0.1:${ports.prometheus}`,
    MODELWATCH_ADMIN_ENDPOINT: `127.0.0.1:${ports.admin}`,
    MODELWATCH_DATA_DIR: dir,
    MODELWATCH_LOG_LEVEL: 'warn',
  };
}

/** The embedded default pipeline (config/modelwatch.yaml) on bench ports: what a user runs. */
async function startDefaultAgent(dir: string, ports?: AgentPorts, edit: (yaml: string) => string = (y) => y): Promise<AgentHandle> {
  const p = ports ?? (await allocatePorts());
  const defaultConfig = join(REPO_ROOT, 'config', 'modelwatch.yaml');
  const { readFileSync } = await import('node:fs');
  return startAgent({ dir, ports: p, env: agentEnv(p, dir), config: () => edit(readFileSync(defaultConfig, 'utf8')) });
}

/** The default pipeline with fewer parts, to tell what each costs at the fixed load. */
const PARTS: { name: string; edit: (yaml: string) => string }[] = [
  { name: 'receive, decode and commit to the queue only', edit: (y) => pipelineLine(pipelineLine(y, 'processors', '[]'), 'exporters', '[prometheus]') },
  { name: 'all four processors, no prediction log', edit: (y) => pipelineLine(y, 'exporters', '[prometheus]') },
  { name: 'the default, the prediction log storing 10% (sample_ratio: 0.1)', edit: (y) => logSampled(y, 0.1) },
];

function logSampled(yaml: string, ratio: number): string {
  const re = /^(  prediction_log\/local:\n)/m;
  if (!re.test(yaml)) throw new Error('config/modelwatch.yaml: no "prediction_log/local:" exporter to edit');
  return yaml.replace(re, `$1    sample_ratio: ${ratio}\n`);
}

function pipelineLine(yaml: string, key: 'processors' | 'exporters', value: string): string {
  const re = new RegExp(`^(      ${key}: )\\[.*\\]$`, 'm');
  if (!re.test(yaml)) throw new Error(`config/modelwatch.yaml: no "${key}: [...]" line in the pipeline to edit`);
  return yaml.replace(re, `$1${value}`);
}

/** The queue's newest row id and every consumer's position (processors and each record exporter). */
async function queueStatus(agent: AgentHandle): Promise<{ head: number; positions: number[] }> {
  const s = (await (await fetch(`http://127.0.0.1:${agent.ports.admin}/api/v1/status`)).json()) as { queue: { head: number }; consumers: { position: number }[] };
  return { head: s.queue.head, positions: s.consumers.map((c) => c.position) };
}

/** Waits until every consumer has taken every row acknowledged so far. */
async function allConsumed(agent: AgentHandle): Promise<void> {
  const { head } = await queueStatus(agent);
  while ((await queueStatus(agent)).positions.some((p) => p < head)) await sleep(100);
}

/**
 * Removes a phase's data and waits for the disk: a phase writes up to a few GB, and the kernel writing it
 * back during the next phase held that phase's fsyncs (a p99 of 375 ms in one run, 37 ms alone).
 */
function settle(dir?: string): void {
  if (dir) rmSync(dir, { recursive: true, force: true });
  execFileSync('sync');
}

async function processed(agent: AgentHandle): Promise<number> {
  const s = parsePromText(await agent.metricsText());
  return s.filter((x) => x.name === 'model_predictions_total' && x.labels.model_name === 'bench').reduce((n, x) => n + x.value, 0);
}

async function ceiling(): Promise<{ spansPerSecond: Record<Transport, number>; ackFloor: { p50Ms: number; p99Ms: number } }> {
  const ports = await allocatePorts();
  const child = fork(join(import.meta.dirname, 'bare-server.js'), [String(ports.grpc), String(ports.http)], { stdio: 'inherit' });
  await new Promise((r) => child.once('message', r));
  const spansPerSecond = {} as Record<Transport, number>;
  for (const t of TRANSPORTS) {
    const r = await saturate(t, t === 'grpc' ? ports.grpc : ports.http, payload, SECONDS);
    spansPerSecond[t] = r.spansPerSecond;
    row(`ceiling: bare server, ${t} (spans/s)`, r.spansPerSecond.toFixed(0));
  }
  // The acknowledgement latency of a server that does nothing, at the fixed load: what the client, the
  // transport and this machine's scheduling cost before the agent does any work.
  const f = await fixedRate('grpc', ports.grpc, payload, RATE, Math.min(FIXED_SECONDS, 30), { seconds: WARMUP_SECONDS });
  const ackFloor = { p50Ms: percentile(f.latenciesMs, 50), p99Ms: percentile(f.latenciesMs, 99) };
  row(`ceiling: bare server at ${RATE} spans/s over gRPC: ack p50 / p99 (ms)`, `${ackFloor.p50Ms.toFixed(2)} / ${ackFloor.p99Ms.toFixed(2)}`);
  child.kill();
  return { spansPerSecond, ackFloor };
}

async function agentThroughput(ceil: Record<Transport, number>) {
  const dir = mkdtempSync(join(tmpdir(), 'modelwatch-bench-'));
  const agent = await startDefaultAgent(dir);
  const pid = agent.proc.pid!;
  const out: Record<string, unknown> = {};
  for (const t of TRANSPORTS) {
    const before = await processed(agent);
    const cpu0 = cpuSeconds(pid);
    const rss = rssSampler(pid);
    const r = await saturate(t, t === 'grpc' ? agent.ports.grpc : agent.ports.http, payload, SECONDS);
    const processedInWindow = (await processed(agent)) - before;
    // Drain: how long every consumer (the processors and the prediction log) needs to catch up with
    // what was acknowledged.
    const t0 = performance.now();
    await allConsumed(agent);
    const drainS = (performance.now() - t0) / 1000;
    const cpu = (cpuSeconds(pid) - cpu0) / (r.seconds + drainS);
    const peak = rss.stop();
    const sustained = r.spans / (r.seconds + drainS);
    out[t] = { ackedSpansPerSecond: r.spansPerSecond, processedInWindowPerSecond: processedInWindow / r.seconds, sustainedSpansPerSecond: sustained, drainSeconds: drainS, failedCalls: r.failed, cpuCores: cpu, peakRssMiB: peak, ratioToCeiling: sustained / ceil[t] };
    row(`agent: ${t} acknowledged (spans/s)`, r.spansPerSecond.toFixed(0));
    row(`agent: ${t} sustained, acked and processed (spans/s)`, `${sustained.toFixed(0)}  (drain ${drainS.toFixed(1)} s, ${r.failed} refused calls)`);
    row(`agent / ceiling, ${t}`, (sustained / ceil[t]).toFixed(3));
    row(`agent: ${t} CPU (cores) / peak RSS (MiB)`, `${cpu.toFixed(2)} / ${peak.toFixed(0)}`);
  }
  await agent.stop();
  settle(dir);
  return out;
}

/**
 * Traffic as model servers send it: each prediction with its preprocess, inference and postprocess child
 * spans, 128 predictions (512 spans) per request. The issue's payload has root spans only; here a
 * prediction is four spans to decode and to join, so predictions/s is the figure that compares.
 */
async function stagedTraffic() {
  const predictions = 128;
  const staged = makePayload(predictions, 'bench', { stages: true });
  const queue = new Queue(openDatabase(':memory:'), 1);
  const records = decodeTraceRequestProto(staged.variant(1, 'proto')).records;
  const unjoinedBytes = queue.encode(records).length;
  const queuedBytes = queue.encode(attachBatchStages(records)).length; // after: the join changes predictions in place
  const dir = mkdtempSync(join(tmpdir(), 'modelwatch-bench-'));
  const agent = await startDefaultAgent(dir);
  const pid = agent.proc.pid!;
  const cpu0 = cpuSeconds(pid);
  const r = await saturate('grpc', agent.ports.grpc, staged, SECONDS);
  const t0 = performance.now();
  await allConsumed(agent);
  const drainS = (performance.now() - t0) / 1000;
  const cpu = (cpuSeconds(pid) - cpu0) / (r.seconds + drainS);
  await agent.stop();
  settle(dir);
  const spans = r.spans / (r.seconds + drainS);
  const out = { spansPerRequest: staged.spans, sustainedSpansPerSecond: spans, sustainedPredictionsPerSecond: (spans * predictions) / staged.spans, drainSeconds: drainS, cpuCores: cpu, queuedBytesPerRequest: queuedBytes, queuedBytesUnjoined: unjoinedBytes };
  row('with stage children: gRPC sustained (predictions/s)', `${out.sustainedPredictionsPerSecond.toFixed(0)}  (${spans.toFixed(0)} spans/s, drain ${drainS.toFixed(1)} s, ${cpu.toFixed(2)} cores)`);
  row('with stage children: queued bytes/request (joined / not)', `${queuedBytes} / ${unjoinedBytes}`);
  return out;
}

async function fixedLoad(part?: (typeof PARTS)[number]) {
  const dir = mkdtempSync(join(tmpdir(), 'modelwatch-bench-'));
  const agent = await startDefaultAgent(dir, undefined, part?.edit);
  const pid = agent.proc.pid!;
  await sleep(1000);
  let cpu0 = 0;
  let rss: ReturnType<typeof rssSampler> | undefined;
  let loop0: LoopSnapshot | undefined;
  let disk: Awaited<ReturnType<typeof diskProbe>> | undefined;
  const r = await fixedRate('grpc', agent.ports.grpc, payload, RATE, FIXED_SECONDS, {
    seconds: WARMUP_SECONDS,
    measuring: async () => {
      cpu0 = cpuSeconds(pid);
      rss = rssSampler(pid);
      loop0 = await loopSnapshot(agent);
      disk = await diskProbe(dir);
    },
  });
  const cpu = (cpuSeconds(pid) - cpu0) / r.seconds;
  const loop = loopBetween(loop0!, await loopSnapshot(agent));
  const sync = await disk!.stop();
  const peak = rss!.stop();
  const out = { rate: RATE, warmupSeconds: WARMUP_SECONDS, seconds: r.seconds, achievedSpansPerSecond: r.spansPerSecond, failedCalls: r.failed, cpuPercentOfOneCore: cpu * 100, peakRssMiB: peak, ackP50Ms: percentile(r.latenciesMs, 50), ackP99Ms: percentile(r.latenciesMs, 99), eventLoop: loop, diskSync: sync };
  const loopText = `${loop.busyPercent.toFixed(1)} % / ${loop.delayP99Ms.toFixed(1)} ms / ${loop.stallsOver25msPerMinute.toFixed(1)}`;
  const syncText = `${sync.p50Ms.toFixed(2)} / ${sync.p99Ms.toFixed(1)} / ${sync.maxMs.toFixed(0)}`;
  // Busy time is time spent running; the rest of the process's CPU is V8's and libuv's helper threads and the kernel's.
  const threadsText = Object.entries(loop.threadsBusyPercent).map(([t, p]) => `${t} ${p.toFixed(1)}`).join(', ');
  if (part) {
    row(`  ${part.name}: CPU % / RSS MiB / ack p50, p99 ms`, `${out.cpuPercentOfOneCore.toFixed(1)} / ${peak.toFixed(0)} / ${out.ackP50Ms.toFixed(2)}, ${out.ackP99Ms.toFixed(2)}`);
    row(`  ${part.name}: event loop busy / delay p99 / stalls over 25 ms a minute; disk sync p50 / p99 / max ms`, `${loopText}; ${syncText}`);
    row(`  ${part.name}: busy % of one core by thread`, threadsText);
  } else {
    row(`fixed load ${RATE} spans/s over gRPC for ${FIXED_SECONDS} s (after ${WARMUP_SECONDS} s uncounted): CPU (% of one core)`, out.cpuPercentOfOneCore.toFixed(1));
    row(`fixed load: peak RSS (MiB)`, peak.toFixed(0));
    row(`fixed load: acknowledgement p50 / p99 (ms)`, `${out.ackP50Ms.toFixed(2)} / ${out.ackP99Ms.toFixed(2)}`);
    row(`fixed load: event loop busy / delay p99 / stalls over 25 ms a minute (the agent's own metrics)`, loopText);
    row(`fixed load: busy % of one core by thread (the rest of the CPU: GC helpers, libuv, kernel)`, threadsText);
    row(`fixed load: the disk meanwhile, 4 KiB write + fdatasync every 50 ms: p50 / p99 / max (ms)`, syncText);
  }
  await agent.stop();
  settle(dir);
  return out;
}

async function restartWithBacklog() {
  const dir = mkdtempSync(join(tmpdir(), 'modelwatch-bench-'));
  // Start once so the schema and consumers exist, stop, then fill the queue directly.
  let agent = await startDefaultAgent(dir);
  const ports = agent.ports;
  await agent.stop();
  const db = openDatabase(join(dir, 'modelwatch.db'), { sync: 'normal' });
  const queue = new Queue(db, 64 * 1024 ** 3);
  const batches = Math.ceil(BACKLOG / payload.spans);
  let queued = 0;
  db.transaction(() => {
    for (let i = 0; i < batches; i++) {
      // Prediction ids of their own per batch, as traffic has (see payload.variant).
      const records = decodeTraceRequestProto(payload.variant(1e6 + i, 'proto')).records;
      queue.append('otlp', records.length, queue.encode(records));
      queued += records.length;
    }
  })();
  db.close();
  settle();
  const t0 = performance.now();
  agent = await startDefaultAgent(dir, ports);
  const readyS = (performance.now() - t0) / 1000;
  await allConsumed(agent);
  const drainS = (performance.now() - t0) / 1000;
  await agent.stop();
  settle(dir);
  const out = { predictions: queued, healthySeconds: readyS, drainedSeconds: drainS, drainSpansPerSecond: queued / drainS };
  row(`restart with ${out.predictions} predictions queued: healthy after (s)`, readyS.toFixed(2));
  row(`restart: backlog processed after (s)`, `${drainS.toFixed(1)}  (${out.drainSpansPerSecond.toFixed(0)} spans/s)`);
  return out;
}

console.log(`modelwatch benchmark: payload ${payload.spans} spans, ${payload.proto.length} B protobuf, ${payload.json.length} B JSON; ${SECONDS} s per phase\n`);
results.phases = [...PHASES];
if (PHASES.has('ceiling')) {
  const ceil = await ceiling();
  results.ceiling = ceil;
  if (PHASES.has('throughput')) results.agent = await agentThroughput(ceil.spansPerSecond);
}
if (PHASES.has('staged')) results.stagedTraffic = await stagedTraffic();
if (PHASES.has('fixed')) results.fixedLoad = await fixedLoad();
if (PHASES.has('parts')) {
  // The same load on the default pipeline with parts left out (no consumer at all in the first: the
  // queue only grows, so it also saves the deletes).
  console.log(`fixed load ${RATE} spans/s for ${FIXED_SECONDS} s, parts of the pipeline only:`);
  const parts: Record<string, unknown> = {};
  for (const part of PARTS) parts[part.name] = await fixedLoad(part);
  results.fixedLoadParts = parts;
}
if (PHASES.has('restart')) results.restart = await restartWithBacklog();
if (PHASES.has('log')) {
  console.log(`\nthe prediction log alone, ${LOG_ROWS} rows per id shape in batches of 1000 (cost over the second half; PostgreSQL: its processes included):`);
  const logIds = await benchLogIds(LOG_ROWS);
  settle(); // it wrote GBs: the next phase must not pay for their write-back
  results.logIds = logIds;
  for (const r of logIds) {
    row(`${r.store}, ids ${r.shape}: CPU µs / bytes written per row`, `${r.cpuMicrosPerRow.toFixed(1)} / ${r.bytesWrittenPerRow.toFixed(0)}`);
  }
}
if (PHASES.has('drift')) {
  console.log('\ndrift: offline modelwatch drift against scipy, and the agent\'s drift run as its window grows');
  results.driftOffline = await benchDriftOffline();
  results.driftWindow = await benchDriftWindow();
}
writeFileSync(join(REPO_ROOT, 'bench-results.json'), JSON.stringify(results, null, 2));
console.log('\nwritten: bench-results.json (the decoder alone: npx tsx test/bench/decode.ts)');
process.exit(0);
