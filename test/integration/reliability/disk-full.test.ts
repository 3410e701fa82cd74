// The queue's disk fills up. The storage database lives on a 16 MiB tmpfs mounted for the test (we run
// as root); a filler file takes every free byte. New data must then be refused with a retryable status
// and a clear log line, the agent must stay up, nothing acknowledged may be lost, nothing refused may
// sneak in, and once the filler is deleted the agent takes data again without a restart. The database
// passes PRAGMA integrity_check afterwards.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import Database from 'better-sqlite3';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, statSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { allocatePorts, eventually, startAgent, type AgentHandle, type AgentPorts, pipelineConfig } from '../../helpers/agent.js';
import { agentEnv, errorLines, httpStatus, IdSender, promSum, queueDrained, sqliteLogIds } from './harness.js';

const dir = mkdtempSync(join(tmpdir(), 'modelwatch-disk-full-'));
const disk = join(dir, 'disk');
const logFile = join(dir, 'log', 'predictions.db');
const storage = join(disk, 'modelwatch.db');
const filler = join(disk, 'filler');
let agent: AgentHandle | undefined;
/** The small disks mounted so far, unmounted after the tests. */
const mounts: string[] = [];
after(async () => {
  await agent?.kill9();
  for (const m of mounts) execFileSync('umount', [m]);
  rmSync(dir, { recursive: true, force: true });
});

/** The stages processor, Prometheus and a prediction log (`log`: its YAML flow map) over OTLP/HTTP. */
function startLoggingAgent(ports: AgentPorts, opts: { log: string; storage: string }): Promise<AgentHandle> {
  return startAgent({
    dir,
    ports,
    env: agentEnv(),
    config: (p) =>
      pipelineConfig(p, {
        grpc: false,
        processors: { stages: '{}' },
        exporters: { prometheus: `{ endpoint: 127.0.0.1:${p.prometheus} }`, 'prediction_log/local': opts.log },
        storage: `{ path: ${opts.storage}, sync: normal, checkpoint_interval: 100ms, max_bytes: 1GiB }`,
      }),
  });
}

/** A 16 MiB tmpfs at `path`, unmounted after the tests. */
function mountSmallDisk(path: string): void {
  mkdirSync(path);
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=16m', 'tmpfs', path], { stdio: 'pipe' });
  } catch (err) {
    assert.fail(`this test mounts a small tmpfs and needs root (CAP_SYS_ADMIN): ${String((err as { stderr?: Buffer }).stderr ?? err)}`);
  }
  mounts.push(path);
}

/** Writes zeros until the file system says ENOSPC; returns the bytes written. */
function fillDisk(path: string): number {
  const fd = openSync(path, 'w');
  const chunk = Buffer.alloc(16 * 1024);
  let written = 0;
  try {
    for (;;) {
      try {
        written += writeSync(fd, chunk);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOSPC') return written;
        throw err;
      }
    }
  } finally {
    closeSync(fd);
  }
}

test('a full disk refuses new data with a retryable status, loses nothing, and recovers without a restart', async (t) => {
  mountSmallDisk(disk);

  const ports = await allocatePorts();
  agent = await startLoggingAgent(ports, { log: `{ driver: sqlite, path: ${logFile} }`, storage });
  const sender = new IdSender(ports.http, 'disk');
  for (let i = 0; i < 10; i++) assert.equal((await sender.sendBatch(20)).status, 200);

  // Senders keep streaming while the disk fills, so rows are committed and unread (consumers must
  // checkpoint, the queue must trim) at the moment the file system runs out of room.
  const refusedIds = new Set<string>();
  const refusals: Awaited<ReturnType<IdSender['sendBatch']>>[] = [];
  const unanswered: string[] = [];
  let streaming = true;
  const streams = [0, 1, 2].map(async (k) => {
    for (let i = 0; streaming && agent!.proc.exitCode === null; i++) {
      const answer = await sender.sendBatch(k === 0 ? 20 + ((i * 37) % 200) : 50);
      if (answer.status === 0) unanswered.push(answer.error ?? 'no answer');
      else if (answer.status !== 200) {
        refusals.push(answer);
        for (const id of answer.ids) refusedIds.add(id);
      }
    }
  });
  let fillerBytes = 0;
  try {
    await sleep(300);
    fillerBytes = fillDisk(filler);
    await eventually(async () => {
      if (agent!.proc.exitCode !== null) throw new Error(`the agent exited (${agent!.proc.exitCode}) when the disk filled:\n${agent!.logs()}`);
      return refusals.length >= 3 ? true : undefined;
    }, 'requests refused once the disk is full', 20_000);
    // Stay full a while: checkpoints and trims come due while nothing can be written.
    await sleep(2500);
    const refusal = refusals[0];
    assert.ok(refusals.every((r) => r.status === 503), `retryable status: ${refusals.map((r) => r.status)}`);
    assert.ok(Number(refusal.headers?.get('retry-after')) >= 1, 'Retry-After says when to come back');
    const status = JSON.parse(refusal.body) as { code: number; message: string };
    assert.equal(status.code, 14, 'google.rpc.Status UNAVAILABLE');
    assert.match(status.message, /full/i, status.message);
    const logged = errorLines(agent.logs()).find((l) => /queue/.test(l.msg) && /full/i.test(JSON.stringify(l.err)));
    assert.ok(logged, `a clear log line says the queue cannot be written because the disk is full:\n${agent.logs()}`);
    t.diagnostic(`refusal: ${refusal.status} ${status.message}; log: ${logged.msg}: ${JSON.stringify(logged.err)}`);
    // The agent stays up and keeps answering while the disk is full.
    assert.deepEqual(unanswered, [], `every request is answered:\n${agent.logs()}`);
    assert.equal(await httpStatus(`http://127.0.0.1:${ports.admin}/healthz`), 200);

    // Space returns: data is taken again, no restart.
    rmSync(filler);
    await eventually(async () => ((await sender.sendBatch(50)).status === 200 ? true : undefined), 'a request accepted once space is back', 20_000);
  } finally {
    streaming = false;
    await Promise.all(streams);
  }
  for (let i = 0; i < 5; i++) assert.equal((await sender.sendBatch(100)).status, 200);
  assert.equal(agent.proc.exitCode, null, 'the same process throughout');

  const metrics = await queueDrained(agent);
  const ids = sqliteLogIds(logFile);
  const distinct = new Set(ids);
  const lost = [...sender.acked].filter((id) => !distinct.has(id));
  const sneaked = [...refusedIds].filter((id) => distinct.has(id));
  t.diagnostic(`tmpfs 16 MiB, filler ${fillerBytes} bytes; ${sender.requests} requests, ${sender.ackedRequests} acknowledged, refused by status ${JSON.stringify([...sender.refusedByStatus])}; predictions ${sender.acked.size} acknowledged, ${distinct.size} logged, ${lost.length} lost`);
  assert.deepEqual(lost, [], 'every acknowledged prediction is in the log');
  assert.deepEqual(sneaked, [], 'nothing refused was committed');
  assert.equal(ids.length, distinct.size, 'no duplicates');
  assert.deepEqual(ids.filter((id) => !sender.acked.has(id)), [], 'only acknowledged predictions are logged (refusals commit nothing)');
  assert.equal(promSum(metrics, 'model_predictions_total', { model_name: 'reliability' }), ids.length, 'each prediction counted once');

  assert.equal(await agent.stop(), 0, agent.logs());
  agent = undefined;
  const db = new Database(storage, { readonly: true });
  try {
    assert.equal(db.pragma('integrity_check', { simple: true }), 'ok');
  } finally {
    db.close();
  }
});

// A small volume (16 MiB): three times its size goes through the queue's database without a refusal.
// The WAL must stay well within the disk: one that filled it would stay full for good (a checkpoint needs
// room to grow the file, and SQLite checkpoints only after a commit that succeeded). A 64 MiB checkpoint
// size, tried for less I/O (BENCHMARKS.md), refused 635 of 872 requests here.
test('a 16 MiB disk takes three times its size through the queue without a refusal: the WAL stays within it', async (t) => {
  const small = join(dir, 'small');
  mountSmallDisk(small);
  const path = join(small, 'modelwatch.db');
  const ports = await allocatePorts();
  agent = await startLoggingAgent(ports, { log: `{ driver: sqlite, path: ${join(dir, 'log2', 'predictions.db')} }`, storage: path });
  // Bytes the event loop's thread has written (the queue, its checkpoints; the log has a thread of its own).
  const written = () => Number(/wchar: (\d+)/.exec(readFileSync(`/proc/${agent!.proc.pid}/task/${agent!.proc.pid}/io`, 'utf8'))![1]);
  const sender = new IdSender(ports.http, 'wal');
  const start = written();
  let walPeak = 0;
  const deadline = Date.now() + 90_000;
  // Three times the disk's size through the queue's database, in small paced requests: the queue's
  // live rows (trimmed once a second) stay a small part of the disk, the WAL is what could fill it.
  while (written() - start < 48 * 2 ** 20 && Date.now() < deadline) {
    await sender.sendBatch(100);
    await sleep(10);
    const wal = `${path}-wal`;
    if (existsSync(wal)) walPeak = Math.max(walPeak, statSync(wal).size);
  }
  const refused = [...sender.refusedByStatus.values()].reduce((a, b) => a + b, 0);
  t.diagnostic(`${sender.requests} requests, ${refused} refused, ${((written() - start) / 2 ** 20).toFixed(0)} MiB written, WAL peak ${(walPeak / 2 ** 20).toFixed(1)} MiB`);
  assert.ok(written() - start >= 48 * 2 ** 20, 'three times the disk written');
  assert.equal(refused, 0, `nothing refused:\n${agent.logs()}`);
  assert.ok(walPeak < 12 * 2 ** 20, `the WAL stayed within the disk (peak ${walPeak} B)`);

  const metrics = await queueDrained(agent);
  const logged = new Set(sqliteLogIds(join(dir, 'log2', 'predictions.db')));
  assert.deepEqual([...sender.acked].filter((id) => !logged.has(id)), [], 'every acknowledged prediction is in the log');
  assert.equal(promSum(metrics, 'model_predictions_total', { model_name: 'reliability' }), logged.size);
  // The log's writer thread reports its busy time beside the event loop's.
  assert.ok(promSum(metrics, 'modelwatch_event_loop_busy_seconds_total', { thread: 'exporter/prediction_log/local' }) > 0);
  assert.ok(promSum(metrics, 'modelwatch_event_loop_busy_seconds_total', { thread: 'main' }) > 0);
  assert.equal(await agent.stop(), 0, agent.logs());
  agent = undefined;
});

// The prediction log's WAL is copied into its file every 64 MiB where the disk has room (sqlite.ts). A log
// on a 16 MiB volume whose retention keeps it small takes 60,000 predictions and keeps up; with a fixed
// 64 MiB its WAL filled the volume after ~23,500, and every write after failed.
test('a prediction log on a 16 MiB disk with a short retention keeps up: its WAL stays within the disk', async (t) => {
  const small = join(dir, 'small-log');
  mountSmallDisk(small);
  const logPath = join(small, 'predictions.db');
  const ports = await allocatePorts();
  agent = await startLoggingAgent(ports, {
    log: `{ driver: sqlite, path: ${logPath}, retention: 1s, archive_after: 0, maintenance_interval: 1s }`,
    storage: join(dir, 'queue3', 'modelwatch.db'),
  });
  const sender = new IdSender(ports.http, 'logwal');
  let walPeak = 0;
  const deadline = Date.now() + 90_000;
  while (sender.acked.size < 60_000 && Date.now() < deadline) {
    await sender.sendBatch(500);
    await sleep(20);
    const wal = `${logPath}-wal`;
    if (existsSync(wal)) walPeak = Math.max(walPeak, statSync(wal).size);
  }
  const metrics = await queueDrained(agent);
  const failed = promSum(metrics, 'modelwatch_exporter_failed_total', {});
  t.diagnostic(`${sender.acked.size} predictions acknowledged, log WAL peak ${(walPeak / 2 ** 20).toFixed(1)} MiB, exporter failures ${failed}`);
  assert.equal(failed, 0, `the log never failed a write:\n${agent.logs()}`);
  assert.ok(walPeak < 12 * 2 ** 20, `the log's WAL stayed within the disk (peak ${walPeak} B)`);
  assert.equal(await agent.stop(), 0, agent.logs());
  agent = undefined;
});
