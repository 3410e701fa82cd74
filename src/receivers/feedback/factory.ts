// The `feedback` receiver (ids like feedback/sql): ground truth pulled on an interval from a SQL table
// with a cursor column, handed to the queue as feedback records like any receiver's.
import type { ReceiverFactory } from '../../pipeline/component.js';
import { feedbackReceiverConfig, type FeedbackReceiverConfig } from './config.js';
import { clientFor, SqlFeedbackPoller } from './sql.js';

export const feedbackSqlReceiverFactory: ReceiverFactory<FeedbackReceiverConfig> = {
  kind: 'receiver',
  type: 'feedback',
  description: 'ground truth pulled from a PostgreSQL table on an interval, by a cursor column',
  config: feedbackReceiverConfig,
  async preflight(config) {
    const client = clientFor({ url: config.url, timeout: Math.min(config.timeout, 5000) });
    client.on('error', () => undefined);
    try {
      await client.connect();
      // Checks the query parses and its columns exist, without reading rows.
      await client.query({ text: `SELECT * FROM (${config.query.replace(/;\s*$/, '')}) AS q LIMIT 0`, values: [config.initial_cursor] });
      return [];
    } catch (err) {
      return [{ path: 'url', message: `cannot run the label query: ${(err as Error).message}` }];
    } finally {
      await client.end().catch(() => undefined);
    }
  },
  create(config, ctx) {
    const poller = new SqlFeedbackPoller(config, ctx);
    return {
      async start() {
        poller.start();
      },
      async shutdown() {
        await poller.stop();
      },
    };
  },
};
