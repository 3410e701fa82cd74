// kill -9 of the agent mid-stream, then a restart: every prediction the agent acknowledged is in the
// SQLite prediction log exactly once, and nothing that was never sent is. Twice: with the id index's
// default runs (the ids killed in the writer's memory), and with runs of 64 ids, so the kill comes while
// runs are written and merged.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { allocatePorts, eventually, startAgent, type AgentHandle, type AgentPorts, pipelineConfig } from '../../helpers/agent.js';
import { agentEnv } from '../../unit/exporters/agent-env.js';
import { AckingSender } from './acking-sender.js';
import { idIndexOnDisk } from '../../helpers/id-index-file.js';

const agents: AgentHandle[] = [];
const dirs: string[] = [];
// Every agent started, so a failed case leaves none running (one would keep the test process alive).
after(async () => {
  for (const a of agents) await a.kill9();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
async function start(opts: Parameters<typeof startAgent>[0]): Promise<AgentHandle> {
  const a = await startAgent(opts);
  agents.push(a);
  return a;
}

const config = (logFile: string, runRows: number | undefined) => (ports: AgentPorts, d: string) =>
  pipelineConfig(ports, {
    // With small runs, small batches too: a run is written every ~two batches and merged every ~16.
    exporters: {
      'prediction_log/local': `{ driver: sqlite, path: ${logFile}, ${runRows ? `batch: { max_rows: 50 }, id_run_rows: ${runRows}` : 'batch: { max_rows: 200 }'} }`,
      prometheus: `{ endpoint: 127.0.0.1:${ports.prometheus} }`,
    },
    storage: `{ path: ${join(d, 'modelwatch.db')}, sync: normal, checkpoint_interval: 100ms }`,
  });

function loggedIds(logFile: string): string[] {
  if (!existsSync(logFile)) return [];
  const db = new Database(logFile, { readonly: true, fileMustExist: true });
  try {
    return (db.prepare('SELECT prediction_id FROM predictions').all() as { prediction_id: string }[]).map((r) => r.prediction_id);
  } catch {
    return [];
  } finally {
    db.close();
  }
}

for (const runRows of [undefined, 64]) {
  test(`kill -9 mid-stream and restart: every acknowledged prediction logged exactly once (id runs of ${runRows ?? 'the default'})`, () => killAndRestart(runRows));
}

async function killAndRestart(runRows: number | undefined): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'modelwatch-plog-kill9-'));
  dirs.push(dir);
  const logFile = join(dir, 'log', 'predictions.db');
  const ports = await allocatePorts();
  let agent = await start({ dir, ports, config: config(logFile, runRows), env: agentEnv() });
  const sender = new AckingSender(ports);

  // Stream batches; kill the agent while sends are in flight, once some rows have reached the log.
  let stop = false;
  const streams = [0, 1, 2].map(async () => {
    while (!stop) await sender.sendBatch(50);
  });
  await eventually(async () => (loggedIds(logFile).length >= 1000 ? true : undefined), 'rows in the log before the kill');
  await agent.kill9();
  stop = true;
  await Promise.all(streams);
  const ackedBefore = sender.acked.size;
  assert.ok(ackedBefore >= 1000, `acked ${ackedBefore}`);
  assert.ok(sender.sent.size > ackedBefore, 'some sends were cut by the kill');

  // Restart on the same storage; send some more.
  agent = await start({ dir, ports, config: config(logFile, runRows), env: agentEnv() });
  for (let i = 0; i < 5; i++) assert.ok(await sender.sendBatch(50));
  if (runRows) {
    // With small runs, more after the restart until runs written before and after the kill are merged
    // (how many rows a run takes depends on the consumer's batches: 64 ids and whatever the last batch brought).
    await eventually(async () => {
      assert.ok(await sender.sendBatch(50));
      const idx = idIndexOnDisk(logFile, 'predictions');
      return idx.unfinished > 0 || idx.runs.some((r) => r.level > 0) ? true : undefined;
    }, 'a merge of id runs', 30_000);
  }

  const ids = await eventually(async () => {
    const ids = loggedIds(logFile);
    const set = new Set(ids);
    return [...sender.acked].every((id) => set.has(id)) ? ids : undefined;
  }, 'every acknowledged prediction in the log', 20_000);
  assert.equal(new Set(ids).size, ids.length, 'no duplicate rows');
  for (const id of ids) assert.ok(sender.sent.has(id), `${id} was never sent`);
  // Rows are complete, stages joined.
  const db = new Database(logFile, { readonly: true });
  const incomplete = db.prepare('SELECT count(*) AS n FROM predictions WHERE time IS NULL OR model_name IS NOT ? OR inference_seconds IS NOT 0.02').get('fraud') as { n: number };
  db.close();
  assert.equal(incomplete.n, 0);
  if (runRows) {
    // Merges go a few ids per id written: one may still be under way.
    const idx = idIndexOnDisk(logFile, 'predictions');
    const runs = { levels: idx.runs.map((r) => r.level), merging: idx.unfinished > 0, recent: idx.recent };
    // A run of level 1 or a merge under way means at least `fanout` runs were written.
    assert.ok(runs.merging || runs.levels.some((l) => l > 0), `runs written and merged: ${JSON.stringify(runs)}`);
    // The agent's gauges say what the log file holds once the writer is idle.
    const text = await agent.metricsText();
    const gauge = (name: string) => Number(new RegExp(`^${name}\\{exporter="prediction_log/local"\\} (\\S+)$`, 'm').exec(text)?.[1]);
    assert.equal(gauge('modelwatch_prediction_log_id_runs'), runs.levels.length, text);
    assert.equal(gauge('modelwatch_prediction_log_recent_ids'), runs.recent);
    assert.ok(gauge('modelwatch_prediction_log_id_filter_bytes') >= runs.levels.length * 4, 'each run has a filter');
  }
  await sleep(200);
  assert.equal(await agent.stop(), 0, agent.logs());
}
