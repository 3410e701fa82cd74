// PostgreSQL goes away while the agent keeps receiving; during the outage the agent is killed with
// SIGKILL; the database comes back and the agent is restarted on the same data dir. (The outage alone
// is in test/integration/prediction-log/postgres-outage.test.ts; this adds the kill in the middle and
// senders with requests in flight.) Nothing acknowledged is lost, nothing is logged twice or invented,
// /readyz is not 200 during the outage and 200 after, and the exporter's failures are counted.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { allocatePorts, eventually, startAgent, type AgentHandle, type AgentPorts, pipelineConfig } from '../../helpers/agent.js';
import { startPostgres, type PostgresHandle } from '../../helpers/postgres.js';
import { parsePromText } from '../../helpers/prom-text.js';
import { agentEnv, httpStatus, IdSender, promSum, queueDrained, seededRandom } from './harness.js';

const dir = mkdtempSync(join(tmpdir(), 'modelwatch-pg-kill9-'));
let agent: AgentHandle | undefined;
let server: PostgresHandle | undefined;
after(async () => {
  await agent?.kill9();
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const config = (ports: AgentPorts, d: string) =>
  pipelineConfig(ports, {
    grpc: false,
    processors: { stages: '{}' },
    exporters: { prometheus: `{ endpoint: 127.0.0.1:${ports.prometheus} }`, 'prediction_log/pg': '{ driver: postgres, url: "${env:PG_URL}", table: preds, connect_timeout: 1s }' },
    storage: `{ path: ${join(d, 'modelwatch.db')}, sync: normal, checkpoint_interval: 100ms }`,
  });

async function loggedRows(url: string): Promise<{ ids: string[]; distinct: number }> {
  const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1000 });
  c.on('error', () => undefined);
  try {
    await c.connect();
    const ids = (await c.query('SELECT prediction_id FROM preds')).rows.map((r) => r.prediction_id as string);
    const distinct = Number((await c.query('SELECT count(DISTINCT prediction_id) AS n FROM preds')).rows[0].n);
    return { ids, distinct };
  } finally {
    await c.end().catch(() => undefined);
  }
}

/** Senders that keep requests in flight until stopped or until the agent stops answering. */
function stream(sender: IdSender, random: () => number, count: number): { stop(): Promise<void>; inFlight(): number } {
  let running = true;
  let inFlight = 0;
  const loops = Array.from({ length: count }, async () => {
    while (running) {
      inFlight++;
      const answer = await sender.sendBatch(10 + Math.floor(random() * 50), 5_000);
      inFlight--;
      if (answer.status === 0) break;
    }
  });
  return {
    inFlight: () => inFlight,
    async stop() {
      running = false;
      await Promise.all(loops);
    },
  };
}

test('PostgreSQL outage with a kill -9 in the middle: nothing lost, nothing duplicated, readiness follows', async (t) => {
  server = await startPostgres();
  const pgServer = server;
  const ports = await allocatePorts();
  const env = { ...agentEnv(), PG_URL: pgServer.url };
  const random = seededRandom(4242);
  agent = await startAgent({ dir, ports, config, env });
  const sender = new IdSender(ports.http, 'pg');
  const readyz = () => httpStatus(`http://127.0.0.1:${ports.admin}/readyz`);

  let senders = stream(sender, random, 3);
  await eventually(async () => ((await loggedRows(pgServer.url)).ids.length >= 500 ? true : undefined), 'rows in PostgreSQL before the outage');
  assert.equal(await readyz(), 200);

  await pgServer.pause();
  const ackedBeforeOutage = sender.acked.size;
  await eventually(async () => (/prediction log store failing/.test(agent!.logs()) ? true : undefined), 'the outage noticed').catch((err) => {
    throw new Error(`${(err as Error).message}:\n${agent!.logs().split('\n').slice(-40).join('\n')}`);
  });
  const failed = await eventually(async () => {
    const n = promSum(await agent!.metricsText(), 'modelwatch_exporter_failed_total', { exporter: 'prediction_log/pg' });
    return n > 0 ? n : undefined;
  }, 'modelwatch_exporter_failed_total grows during the outage');
  assert.notEqual(await readyz(), 200, 'not ready while the log cannot be written');
  await sleep(500);
  assert.ok(sender.acked.size > ackedBeforeOutage, 'the agent keeps acknowledging during the outage');
  // The log's consumer falls behind and says so; the processors keep up.
  const logLag = { consumer: 'pipeline/predictions/exporter/prediction_log/pg' };
  const lagging = await eventually(async () => {
    const acked = sender.acked.size; // all committed before this scrape, none written by the log
    const text = await agent!.metricsText();
    const records = promSum(text, 'modelwatch_consumer_lag_records', logLag);
    const seconds = promSum(text, 'modelwatch_consumer_lag_seconds', logLag);
    return records >= acked - ackedBeforeOutage && seconds >= 0.5 ? { records, seconds } : undefined;
  }, 'the log consumer reports its backlog');
  const processorsLag = promSum(await agent.metricsText(), 'modelwatch_consumer_lag_seconds', { consumer: 'pipeline/predictions/processors' });
  assert.ok(processorsLag < lagging.seconds, `the processors keep up (lag ${processorsLag} s, the log's ${lagging.seconds} s)`);
  // The admin API tells the same, for a look without Prometheus: the log's backlog only grows.
  const status = (await (await fetch(`http://127.0.0.1:${ports.admin}/api/v1/status`)).json()) as { consumers: { name: string; lag_records: number; lag_seconds: number; error: string | null }[] };
  const logStatus = status.consumers.find((c) => c.name === logLag.consumer);
  assert.ok(logStatus && logStatus.lag_records >= lagging.records && logStatus.lag_seconds >= lagging.seconds && logStatus.error, JSON.stringify(status.consumers));

  // SIGKILL with requests in flight, the database still down.
  const inFlightAtKill = senders.inFlight();
  await agent.kill9();
  await senders.stop();
  assert.ok(inFlightAtKill > 0, 'requests were in flight at the kill');

  await pgServer.resume();
  agent = await startAgent({ dir, ports, config, env });
  await eventually(async () => ((await readyz()) === 200 ? true : undefined), '/readyz 200 once the database is back', 20_000);
  senders = stream(sender, random, 2);
  await sleep(500);
  await senders.stop();
  const metrics = await queueDrained(agent);
  for (const name of ['modelwatch_consumer_lag_records', 'modelwatch_consumer_lag_seconds']) {
    const samples = parsePromText(metrics).filter((s) => s.name === name);
    assert.deepEqual(samples.map((s) => [s.labels.consumer, s.value]).sort(), [['pipeline/predictions/exporter/prediction_log/pg', 0], ['pipeline/predictions/processors', 0]], `${name} once drained`);
  }

  const { ids, distinct } = await loggedRows(pgServer.url);
  const logged = new Set(ids);
  const lost = [...sender.acked].filter((id) => !logged.has(id));
  const neverSent = ids.filter((id) => !sender.sent.has(id));
  const committedNotAcked = [...logged].filter((id) => !sender.acked.has(id)).length;
  const counted = promSum(metrics, 'model_predictions_total', { model_name: 'reliability' });
  t.diagnostic(`${sender.requests} requests, ${sender.ackedRequests} acknowledged, ${sender.unanswered} cut by the kill (${inFlightAtKill} in flight); exporter failures before the kill ${failed}`);
  t.diagnostic(`predictions: ${sender.acked.size} acknowledged, ${ids.length} rows, ${committedNotAcked} committed but not acknowledged, ${lost.length} lost, model_predictions_total ${counted}`);
  assert.deepEqual(lost, [], 'every acknowledged prediction is in PostgreSQL');
  assert.equal(ids.length, distinct, 'no prediction logged twice');
  assert.deepEqual(neverSent, [], 'no row that was never sent');
  assert.equal(counted, ids.length, 'model_predictions_total counts each committed prediction once');
  assert.equal(await agent.stop(), 0, agent.logs());
  agent = undefined;
});
