// A sampled prediction log (sample_ratio) through the writer and the real SQLite driver: about the ratio
// of predictions is stored, each stored prediction gets its later label and late stage, and no label or
// stage of a prediction left out creates a row of its own.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { idHash, sampler } from '../../../src/exporters/prediction_log/sample.js';
import { fnv1a32 } from '../../../src/pipeline/string-hash.js';
import { SqliteDriver } from '../../../src/exporters/prediction_log/sqlite.js';
import { PredictionLogWriter } from '../../../src/exporters/prediction_log/writer.js';
import { feedback, lateStage, prediction } from './prediction-log-records.js';
import { mulberry32 } from '../../helpers/random.js';

const dir = mkdtempSync(join(tmpdir(), 'modelwatch-plog-sample-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('the hash is 32-bit FNV-1a (published test vectors) under MurmurHash3 fmix32 (values from Python)', () => {
  assert.equal(fnv1a32(''), 0x811c9dc5);
  assert.equal(fnv1a32('a'), 0xe40c292c);
  assert.equal(fnv1a32('foobar'), 0xbf9cf968);
  // python3: fmix32(fnv1a32(s)) written out with integer arithmetic.
  assert.equal(idHash(''), 0xab3e7c0b);
  assert.equal(idHash('foobar'), 0x0c0da6dc);
  assert.equal(idHash('pred-0'), 0x7f867714);
  assert.equal(idHash('4bf92f3577b34da6a3ce929d0e0e4736'), 0xe1a668b2);
});

test('about the ratio of ids is kept, whatever shape the ids have', () => {
  const u = mulberry32(11);
  const hex = () => Array.from({ length: 48 }, () => Math.floor(u() * 16).toString(16)).join('');
  const shapes: [string, (i: number) => string][] = [
    ['derived trace+span ids', () => hex()],
    ['counters', (i) => `pred-${i}`],
    ['bare numbers', (i) => String(i)],
  ];
  const n = 20_000;
  for (const ratio of [0.01, 0.1, 0.5, 0.9]) {
    const keep = sampler(ratio)!;
    for (const [name, make] of shapes) {
      const kept = keep(Array.from({ length: n }, (_, i) => prediction(make(i)))).length;
      // Within 5 standard deviations of a binomial draw.
      const sd = Math.sqrt(n * ratio * (1 - ratio));
      assert.ok(Math.abs(kept - n * ratio) < 5 * sd, `${name} at ${ratio}: kept ${kept} of ${n}`);
    }
  }
  assert.equal(sampler(1), undefined, 'a ratio of 1 keeps everything without hashing');
});

test('through the real SQLite log: the sample, with labels and late stages following their predictions', async () => {
  const driver = new SqliteDriver(join(dir, 'sampled.db'), 'predictions');
  await driver.migrate();
  const writer = new PredictionLogWriter(driver, { maxRows: 1000, logger: pino({ level: 'silent' }), sampleRatio: 0.3 });
  const ids = Array.from({ length: 3000 }, (_, i) => `pred-${i}`);
  await writer.write(ids.map((id) => prediction(id)));
  // Labels and late stages come later, in other batches, mixed.
  await writer.write(ids.flatMap((id, i) => [feedback(id, i % 2 ? 'setosa' : 'virginica'), lateStage(id, 'postprocess', 0.002)]));
  await driver.close();

  const db = new Database(join(dir, 'sampled.db'), { readonly: true });
  try {
    const rows = db.prepare('SELECT prediction_id, model_name, ground_truth_class, postprocess_seconds FROM predictions').all() as {
      prediction_id: string;
      model_name: string | null;
      ground_truth_class: string | null;
      postprocess_seconds: number | null;
    }[];
    const expected = ids.filter((id) => idHash(id) < Math.round(0.3 * 2 ** 32));
    assert.deepEqual(rows.map((r) => r.prediction_id).sort(), [...expected].sort(), 'exactly the predictions whose id hash is in the sample');
    assert.ok(expected.length > 800 && expected.length < 1000, `${expected.length} of 3000 at 0.3`);
    for (const r of rows) {
      assert.equal(r.model_name, 'iris', `${r.prediction_id}: a prediction row, not a label-only one`);
      assert.ok(r.ground_truth_class === 'setosa' || r.ground_truth_class === 'virginica', `${r.prediction_id} has its label`);
      assert.equal(r.postprocess_seconds, 0.002, `${r.prediction_id} has its late stage`);
    }
  } finally {
    db.close();
  }
});
