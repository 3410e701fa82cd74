// Analysis and data-subject requests on the SQLite prediction log (real files).
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteDriver } from '../../../src/exporters/prediction_log/sqlite.js';
import { wellFormed } from '../../../src/exporters/prediction_log/row.js';
import { LogAnalysis } from '../../../src/exporters/prediction_log/analysis.js';
import { Params, whereClause } from '../../../src/exporters/prediction_log/sql-filter.js';
import { analysisSuite } from './prediction-log-analysis-suite.js';

const dir = mkdtempSync(join(tmpdir(), 'modelwatch-plog-analysis-sqlite-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;

describe('prediction log analysis on SQLite', () => {
  analysisSuite({
    driver: async () => {
      const d = new SqliteDriver(join(dir, `log${++n}.db`), 'predictions');
      await d.migrate();
      return d;
    },
    clean: wellFormed,
  });

  test('filtered pages walk the time index', async () => {
    const file = join(dir, 'plan.db');
    const d = new SqliteDriver(file, 'predictions');
    await d.migrate();
    const p = new Params('sqlite');
    const where = whereClause('sqlite', { from: '2025-01-01T00:00:00.000Z', to: '2025-01-02T00:00:00.000Z', tags: { user_id: '42' } }, p);
    const db = new Database(file, { readonly: true });
    const plan = db.prepare(`EXPLAIN QUERY PLAN SELECT * FROM predictions WHERE ${where} ORDER BY time, prediction_id LIMIT 10`).all(...p.values) as { detail: string }[];
    assert.match(plan.map((r) => r.detail).join(' | '), /predictions_time_idx/);
    db.close();
    assert.deepEqual((await new LogAnalysis(d.sql()).page({}, { limit: 5 })).rows, []);
    await d.close();
  });
});
