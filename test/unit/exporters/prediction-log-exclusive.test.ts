// A data-subject deletion through the admin API runs exclusive of retention/archiving runs, so an
// archive file cannot be written from rows read before the deletion.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { pino } from 'pino';
import type { LogDriver } from '../../../src/exporters/prediction_log/driver.js';
import { Maintenance } from '../../../src/exporters/prediction_log/maintenance.js';

test('exclusive work waits for a running maintenance run, and no run starts while it works', async () => {
  const events: string[] = [];
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  let calls = 0;
  const driver = {
    target: 'fake',
    async firstTime() {
      calls++;
      events.push('run:start');
      if (calls === 1) await gate;
      events.push('run:end');
      return undefined;
    },
    async deleteBefore() {
      return 0;
    },
  } as unknown as LogDriver;
  const m = new Maintenance(driver, { table: 't', retentionMs: 0, archiveAfterMs: 86_400_000, archiveDir: '/nonexistent', intervalMs: 20, clock: { now: () => Date.now() }, logger: pino({ level: 'silent' }) });
  m.start();
  while (calls === 0) await sleep(5);
  const done = m.exclusive(async () => {
    events.push('work:start');
    await sleep(100); // several intervals: runs must be held back
    events.push('work:end');
    return 42;
  });
  await sleep(30);
  assert.deepEqual(events, ['run:start'], 'the work waits for the run');
  release();
  assert.equal(await done, 42);
  await m.stop();
  assert.deepEqual(events.slice(0, 4), ['run:start', 'run:end', 'work:start', 'work:end']);
  await assert.rejects(m.exclusive(async () => Promise.reject(new Error('boom'))), /boom/);
});
