// Crash loop: the real agent (SQLite prediction log + stages processor) is killed with SIGKILL at a
// seeded random moment while several senders have requests in flight, restarted on the same data dir,
// and so on for many trials. At the end every acknowledged prediction is in the log exactly once, no
// row is something never sent, and model_predictions_total counts each committed prediction once
// (also those committed but not acknowledged when the kill came).
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { allocatePorts, startAgent, type AgentHandle, type AgentPorts, pipelineConfig } from '../../helpers/agent.js';
import { agentEnv, IdSender, promSum, queueDrained, seededRandom, sqliteLogIds } from './harness.js';

const TRIALS = 20;
const STREAMS = 4;
const SEED = Number(process.env.RELIABILITY_SEED ?? 20240607);

const dir = mkdtempSync(join(tmpdir(), 'modelwatch-crash-loop-'));
const logFile = join(dir, 'log', 'predictions.db');
let agent: AgentHandle | undefined;
after(async () => {
  await agent?.kill9();
  rmSync(dir, { recursive: true, force: true });
});

const config = (ports: AgentPorts, d: string) =>
  pipelineConfig(ports, {
    grpc: false,
    processors: { stages: '{}' },
    exporters: { prometheus: `{ endpoint: 127.0.0.1:${ports.prometheus} }`, 'prediction_log/local': `{ driver: sqlite, path: ${logFile}, batch: { max_rows: 100 } }` },
    storage: `{ path: ${join(d, 'modelwatch.db')}, sync: normal, checkpoint_interval: 50ms }`,
  });

test(`crash loop: ${TRIALS} kill -9 trials with requests in flight lose and duplicate nothing`, async (t) => {
  const random = seededRandom(SEED);
  const ports = await allocatePorts();
  const sender = new IdSender(ports.http, 'crash');
  let killedInFlight = 0;

  for (let trial = 0; trial < TRIALS; trial++) {
    agent = await startAgent({ dir, ports, config, env: agentEnv() });
    let sending = true;
    let inFlight = 0;
    const streams = Array.from({ length: STREAMS }, async () => {
      while (sending) {
        inFlight++;
        const answer = await sender.sendBatch(1 + Math.floor(random() * 40), 5_000);
        inFlight--;
        // After the kill the port refuses at once: stop this stream.
        if (answer.status === 0) break;
      }
    });
    // A seeded moment: 20 to 600 ms into the trial, while the streams keep requests in flight.
    await sleep(20 + Math.floor(random() * 580));
    if (inFlight > 0) killedInFlight++;
    await agent.kill9();
    sending = false;
    await Promise.all(streams);
  }

  // The last start: let it drain what was committed, and send a last few batches through a live agent.
  agent = await startAgent({ dir, ports, config, env: agentEnv() });
  for (let i = 0; i < 5; i++) assert.equal((await sender.sendBatch(10)).status, 200);
  const metrics = await queueDrained(agent);

  const ids = sqliteLogIds(logFile);
  const distinct = new Set(ids);
  const neverSent = ids.filter((id) => !sender.sent.has(id));
  const lost = [...sender.acked].filter((id) => !distinct.has(id));
  const committedNotAcked = [...distinct].filter((id) => !sender.acked.has(id)).length;
  const counted = promSum(metrics, 'model_predictions_total', { model_name: 'reliability' });

  t.diagnostic(`seed ${SEED}: ${TRIALS} kill -9 trials (${killedInFlight} with requests in flight at the kill), ${sender.requests} requests, ${sender.ackedRequests} acknowledged, ${sender.unanswered} cut by a kill`);
  t.diagnostic(`predictions: ${sender.sent.size} sent, ${sender.acked.size} acknowledged, ${distinct.size} logged, ${committedNotAcked} committed but not acknowledged, ${lost.length} acknowledged but lost, model_predictions_total ${counted}`);

  assert.ok(killedInFlight >= TRIALS / 2, `most kills should hit requests in flight (${killedInFlight} of ${TRIALS})`);
  assert.ok(sender.unanswered > 0, 'some requests were cut by the kills');
  assert.deepEqual(lost, [], 'every acknowledged prediction is in the log');
  assert.equal(ids.length, distinct.size, 'no prediction logged twice');
  assert.deepEqual(neverSent, [], 'no row that was never sent');
  assert.equal(counted, ids.length, 'model_predictions_total counts each committed prediction exactly once');
  assert.equal(await agent.stop(), 0, agent.logs());
});
