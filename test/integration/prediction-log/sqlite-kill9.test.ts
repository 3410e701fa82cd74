// kill -9 of the agent mid-stream, then a restart: every prediction the agent acknowledged is in the
// SQLite prediction log exactly once, and nothing that was never sent is.
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

const dir = mkdtempSync(join(tmpdir(), 'modelwatch-plog-kill9-'));
const logFile = join(dir, 'log', 'predictions.db');
let agent: AgentHandle | undefined;
after(async () => {
  await agent?.kill9();
  rmSync(dir, { recursive: true, force: true });
});

const config = (ports: AgentPorts, d: string) =>
  pipelineConfig(ports, {
    exporters: { 'prediction_log/local': `{ driver: sqlite, path: ${logFile}, batch: { max_rows: 200 } }` },
    storage: `{ path: ${join(d, 'modelwatch.db')}, sync: normal, checkpoint_interval: 100ms }`,
  });

function loggedIds(): string[] {
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

test('kill -9 mid-stream and restart: every acknowledged prediction logged exactly once', async () => {
  const ports = await allocatePorts();
  agent = await startAgent({ dir, ports, config, env: agentEnv() });
  const sender = new AckingSender(ports);

  // Stream batches; kill the agent while sends are in flight, once some rows have reached the log.
  let stop = false;
  const streams = [0, 1, 2].map(async () => {
    while (!stop) await sender.sendBatch(50);
  });
  await eventually(async () => (loggedIds().length >= 1000 ? true : undefined), 'rows in the log before the kill');
  await agent.kill9();
  stop = true;
  await Promise.all(streams);
  const ackedBefore = sender.acked.size;
  assert.ok(ackedBefore >= 1000, `acked ${ackedBefore}`);
  assert.ok(sender.sent.size > ackedBefore, 'some sends were cut by the kill');

  // Restart on the same storage; send some more.
  agent = await startAgent({ dir, ports, config, env: agentEnv() });
  for (let i = 0; i < 5; i++) assert.ok(await sender.sendBatch(50));

  const ids = await eventually(async () => {
    const ids = loggedIds();
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
  await sleep(200);
  assert.equal(await agent.stop(), 0, agent.logs());
});
