// The prediction-log writer with a scripted driver: rows the store rejects are isolated by bisection and
// refused, the rest written; a store that is down makes the whole batch throw (retried by the pipeline).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pino } from 'pino';
import type { LogDriver } from '../../../src/exporters/prediction_log/driver.js';
import type { LogRow } from '../../../src/exporters/prediction_log/row.js';
import { PredictionLogWriter } from '../../../src/exporters/prediction_log/writer.js';
import { prediction } from './prediction-log-records.js';

class DataError extends Error {
  code = '22P02';
}

function scriptedDriver() {
  const stored = new Map<string, LogRow>();
  const calls: number[] = [];
  const d = {
    down: false,
    stored,
    calls,
    target: 'scripted',
    async migrate() {},
    async write(rows: readonly LogRow[]) {
      calls.push(rows.length);
      if (d.down) throw Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
      // All or nothing, like a transaction.
      if (rows.some((r) => r.prediction_id.includes('bad'))) throw new DataError('invalid input syntax');
      for (const r of rows) stored.set(r.prediction_id, r);
    },
    isDataError: (err: unknown) => err instanceof DataError,
  };
  return d as typeof d & LogDriver;
}

test('rejected rows are isolated by bisection and refused; the others are written', async () => {
  const d = scriptedDriver();
  const refused: number[] = [];
  const lines: any[] = [];
  const logger = pino({ level: 'info' }, { write: (s: string) => void lines.push(JSON.parse(s)) });
  const w = new PredictionLogWriter(d, { maxRows: 100, logger, onRefused: (n) => refused.push(n) });
  const ids = Array.from({ length: 64 }, (_, i) => (i === 5 || i === 40 ? `bad-${i}` : `ok-${i}`));
  await w.write(ids.map((id) => prediction(id)));
  assert.deepEqual([...d.stored.keys()].sort(), ids.filter((id) => id.startsWith('ok')).sort());
  assert.deepEqual(refused, [2]);
  // Two bad rows in 64: far fewer writes than one per row.
  assert.ok(d.calls.length <= 1 + 2 * 2 * Math.log2(64), `writes: ${d.calls.length}`);
  const warn = lines.find((l) => l.msg === 'records refused by the prediction log');
  assert.deepEqual(warn.examples.sort(), ['bad-40', 'bad-5']);
  assert.match(warn.reason, /rejected by the store: invalid input syntax/);
});

test('a store that is down fails the whole batch, logged once per outage', async () => {
  const d = scriptedDriver();
  const lines: any[] = [];
  const logger = pino({ level: 'info' }, { write: (s: string) => void lines.push(JSON.parse(s)) });
  const w = new PredictionLogWriter(d, { maxRows: 100, logger });
  d.down = true;
  for (let i = 0; i < 4; i++) await assert.rejects(w.write([prediction('a'), prediction('bad-1')]), /ECONNREFUSED/);
  assert.equal(d.stored.size, 0);
  d.down = false;
  await w.write([prediction('a'), prediction('b')]);
  d.down = true;
  await assert.rejects(w.write([prediction('c')]));
  assert.deepEqual(lines.map((l) => l.msg), [
    'prediction log store failing; records stay in the queue and are retried',
    'prediction log store is writable again',
    'prediction log store failing; records stay in the queue and are retried',
  ]);
});

test('duplicates within a batch become one upsert per id', async () => {
  const d = scriptedDriver();
  const w = new PredictionLogWriter(d, { maxRows: 100, logger: pino({ level: 'silent' }) });
  await w.write([prediction('a', { predictedClass: 'x' }), prediction('b'), prediction('a', { predictedClass: 'y' })]);
  assert.deepEqual(d.calls, [2]);
  assert.equal(d.stored.get('a')!.predicted_class, 'y');
});
