// The behaviour both prediction-log drivers share, run against a real database by
// prediction-log-sqlite.test.ts and prediction-log-postgres.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { pino } from 'pino';
import type { LogDriver, StoredRow } from '../../../src/exporters/prediction_log/driver.js';
import { PredictionLogWriter } from '../../../src/exporters/prediction_log/writer.js';
import type { Clean } from '../../../src/exporters/prediction_log/row.js';
import type { ConsumerRecord } from '../../../src/pipeline/records.js';
import { feedback, lateStage, prediction, T0 } from './prediction-log-records.js';

export interface SuiteOptions {
  /** A new driver on a new, empty table each call. */
  driver(): Promise<LogDriver>;
  clean: Clean;
  /** What a string holding U+0000 reads back as. */
  nulStoredAs: string;
}

const silent = pino({ level: 'silent' });

function writerFor(driver: LogDriver, clean: Clean, maxRows = 1000) {
  const refused: number[] = [];
  const writer = new PredictionLogWriter(driver, { maxRows, logger: silent, clean, onRefused: (n) => refused.push(n) });
  return { writer, refused };
}

function withoutId(r: StoredRow | undefined): Omit<StoredRow, 'prediction_id'> {
  assert.ok(r, 'row exists');
  const { prediction_id: _, ...rest } = r;
  return rest;
}

export function driverSuite(o: SuiteOptions): void {
  test('a prediction is stored with every column', async () => {
    const d = await o.driver();
    const { writer } = writerFor(d, o.clean);
    await writer.write([prediction('p1', { groundTruthClass: undefined })]);
    const r = await d.get('p1');
    assert.deepEqual(r, {
      prediction_id: 'p1',
      time: new Date(T0).toISOString(),
      model_name: 'iris',
      model_version: '2',
      predicted_class: 'setosa',
      predicted_value: null,
      confidence: 0.9,
      probabilities: { setosa: 0.9, versicolor: 0.06, virginica: 0.04 },
      features: { sepal_length: 5.1, color: 'red', fresh: true },
      preprocess_seconds: 0.004,
      inference_seconds: 0.03,
      postprocess_seconds: null,
      total_seconds: 0.037,
      error_type: null,
      trace_id: 'a'.repeat(32),
      span_id: 'b'.repeat(16),
      resource: { 'service.name': 'model-server' },
      tags: { user: 'u-1' },
      ground_truth_class: null,
      ground_truth_value: null,
      ground_truth_at: null,
    });
    await d.close();
  });

  test('redelivering a batch leaves one unchanged row per prediction', async () => {
    const d = await o.driver();
    const { writer } = writerFor(d, o.clean, 7);
    const batch: ConsumerRecord[] = [];
    for (let i = 0; i < 50; i++) batch.push(prediction(`r${i}`, { startMs: T0 + i }));
    batch.push(feedback('r3', 'virginica'), lateStage('r4', 'postprocess', 0.002), prediction('r5'));
    await writer.write(batch);
    const first = await Promise.all(batch.slice(0, 50).map((r) => d.get((r as { id: string }).id)));
    await writer.write(batch);
    await writer.write(batch.slice(10, 30));
    assert.equal(await d.count(), 50);
    const second = await Promise.all(batch.slice(0, 50).map((r) => d.get((r as { id: string }).id)));
    assert.deepEqual(second, first);
    assert.equal(first[3]!.ground_truth_class, 'virginica');
    assert.equal(first[4]!.postprocess_seconds, 0.002);
    await d.close();
  });

  test('feedback before or after its prediction, and late stages, give the same final row', async () => {
    const d = await o.driver();
    const { writer } = writerFor(d, o.clean);
    // a: prediction, then its late stage, then its label (the usual order)
    await writer.write([prediction('a')]);
    await writer.write([lateStage('a', 'postprocess', 0.01)]);
    await writer.write([feedback('a', 'versicolor', T0 + 5000, { modelName: 'iris' })]);
    // b: label first (it may carry only the id), then the prediction, then the stage
    await writer.write([feedback('b', 'versicolor', T0 + 5000)]);
    const early = await d.get('b');
    assert.equal(early!.time, null);
    assert.equal(early!.ground_truth_class, 'versicolor');
    await writer.write([prediction('b'), lateStage('b', 'postprocess', 0.01)]);
    // c: everything in one batch, label first
    await writer.write([feedback('c', 'versicolor', T0 + 5000), lateStage('c', 'postprocess', 0.01), prediction('c')]);
    const a = withoutId(await d.get('a'));
    assert.deepEqual(withoutId(await d.get('b')), a);
    assert.deepEqual(withoutId(await d.get('c')), a);
    assert.equal(a.ground_truth_class, 'versicolor');
    assert.equal(a.ground_truth_at, new Date(T0 + 5000).toISOString());
    assert.equal(a.postprocess_seconds, 0.01);
    assert.equal(a.inference_seconds, 0.03);
    assert.equal(a.predicted_class, 'setosa');
    await d.close();
  });

  test('the latest label wins, whatever the order; a prediction never erases a label', async () => {
    const d = await o.driver();
    const { writer } = writerFor(d, o.clean);
    await writer.write([prediction('x', { groundTruthClass: 'setosa' }), feedback('x', 'virginica', T0 + 9000)]);
    await writer.write([feedback('y', 'virginica', T0 + 9000), prediction('y', { groundTruthClass: 'setosa' })]);
    await writer.write([feedback('z', 'virginica', T0 + 9000)]);
    await writer.write([feedback('z', 'versicolor', T0 + 1000)]); // older correction: ignored
    await writer.write([prediction('z')]);
    for (const id of ['x', 'y', 'z']) {
      const r = await d.get(id);
      assert.equal(r!.ground_truth_class, 'virginica', id);
      assert.equal(r!.ground_truth_at, new Date(T0 + 9000).toISOString(), id);
    }
    // A label known at prediction time arrives with the prediction's end.
    await writer.write([prediction('w', { groundTruthClass: 'setosa', groundTruthValue: 1.5 })]);
    const w = await d.get('w');
    assert.equal(w!.ground_truth_class, 'setosa');
    assert.equal(w!.ground_truth_value, 1.5);
    assert.equal(w!.ground_truth_at, new Date(T0 + 37).toISOString());
    await d.close();
  });

  test('any interleaving and batching of the same records ends in the same rows', async () => {
    const ids = ['k1', 'k2', 'k3'];
    const recordArb = fc.oneof(
      fc.record({ id: fc.constantFrom(...ids), cls: fc.constantFrom('a', 'b'), t: fc.integer({ min: 0, max: 5 }) }).map(({ id, cls, t }): ConsumerRecord => prediction(id, { predictedClass: cls, startMs: T0 + t })),
      fc.record({ id: fc.constantFrom(...ids), cls: fc.constantFrom('a', 'b', 'c'), t: fc.integer({ min: 0, max: 5 }) }).map(({ id, cls, t }): ConsumerRecord => feedback(id, cls, T0 + t * 1000)),
      fc.record({ id: fc.constantFrom(...ids), s: fc.double({ min: 0, max: 1, noNaN: true }) }).map(({ id, s }): ConsumerRecord => lateStage(id, 'postprocess', s)),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(recordArb, { minLength: 1, maxLength: 12 }), fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 12, maxLength: 12 }), async (records, cuts) => {
        const oneByOne = await o.driver();
        const batched = await o.driver();
        const w1 = writerFor(oneByOne, o.clean).writer;
        const w2 = writerFor(batched, o.clean, 2).writer;
        for (const r of records) await w1.write([r]);
        let i = 0;
        for (const n of cuts) {
          if (i >= records.length) break;
          await w2.write(records.slice(i, i + n));
          i += n;
        }
        if (i < records.length) await w2.write(records.slice(i));
        for (const id of ids) assert.deepEqual(await batched.get(id), await oneByOne.get(id), id);
        // The label on every row is the latest one sent for it (ties: the later record).
        for (const id of ids) {
          let best: { cls: string; t: number } | undefined;
          for (const r of records) if (r.kind === 'feedback' && r.predictionId === id && (!best || r.timeMs >= best.t)) best = { cls: r.groundTruthClass!, t: r.timeMs };
          assert.equal((await oneByOne.get(id))?.ground_truth_class ?? undefined, best?.cls, id);
        }
        await oneByOne.close();
        await batched.close();
      }),
      { numRuns: 15 },
    );
  });

  test('hostile values round-trip verbatim', async () => {
    const d = await o.driver();
    const { writer, refused } = writerFor(d, o.clean);
    const hostile = [
      `'; DROP TABLE predictions; --`,
      `" OR 1=1 --`,
      'back\\slash \\u0000 and {"json": [1,2]}',
      'ünïcødé ✓ 🤖 مرحبا 中文 e\u0301',
      'x'.repeat(200_000),
      '',
    ];
    const recs = hostile.map((s, i) =>
      prediction(`h${i}`, {
        modelName: `m${s.slice(0, 500)}`,
        predictedClass: s,
        errorType: s,
        features: { [s.slice(0, 100) || 'empty']: s, nan: NaN, inf: Infinity, ninf: -Infinity, n: 1e308 },
        tags: { t: s },
        confidence: i === 0 ? NaN : i === 1 ? Infinity : 0.5,
        probabilities: [NaN, 0.5, -Infinity],
        classes: undefined,
      }),
    );
    recs.push(prediction(`nul`, { predictedClass: 'a\u0000b', features: { 'k\u0000': 'v\u0000' } }));
    recs.push(prediction(`'quoted"id\\`));
    await writer.write(recs);
    assert.deepEqual(refused, []);
    for (let i = 0; i < hostile.length; i++) {
      const s = hostile[i];
      const r = await d.get(`h${i}`);
      assert.ok(r, `row h${i}`);
      assert.equal(r.predicted_class, s);
      assert.equal(r.error_type, s);
      assert.equal(r.model_name, `m${s.slice(0, 500)}`);
      assert.deepEqual(r.features, { [s.slice(0, 100) || 'empty']: s, nan: 'NaN', inf: 'Infinity', ninf: '-Infinity', n: 1e308 });
      assert.deepEqual(r.tags, { t: s });
      assert.deepEqual(r.probabilities, ['NaN', 0.5, '-Infinity']);
      assert.deepEqual(r.confidence, i === 0 ? NaN : i === 1 ? Infinity : 0.5);
    }
    const nul = await d.get('nul');
    assert.equal(nul!.predicted_class, `a${o.nulStoredAs}b`);
    assert.deepEqual(nul!.features, { [`k${o.nulStoredAs}`]: `v${o.nulStoredAs}` });
    assert.ok(await d.get(`'quoted"id\\`));
    assert.equal(await d.count(), hostile.length + 2);
    await d.close();
  });

  test('records that can never be stored are refused, the rest of the batch is written', async () => {
    const d = await o.driver();
    const { writer, refused } = writerFor(d, o.clean);
    await writer.write([
      prediction('ok1'),
      prediction('🤖'.repeat(300)), // 1200 bytes of id
      prediction('bad-time', { startMs: NaN }),
      prediction('m', { modelName: 'x'.repeat(5000) }),
      feedback('no-label', 'x', T0, { groundTruthClass: undefined }),
      prediction(''),
      prediction('ok2'),
    ]);
    assert.deepEqual(refused, [5]);
    assert.equal(await d.count(), 2);
    assert.ok(await d.get('ok1'));
    assert.ok(await d.get('ok2'));
    await d.close();
  });

  test('migrations are versioned and idempotent; indexes for time, model and unlabelled rows', async () => {
    const d = await o.driver();
    await d.migrate();
    await d.migrate();
    const { writer } = writerFor(d, o.clean);
    await writer.write([prediction('m1')]);
    assert.equal(await d.count(), 1);
    await d.close();
  });
}
