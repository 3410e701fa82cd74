// The `feedback` receiver: ground truth posted as JSON to an HTTP endpoint (feedback/http: `endpoint`),
// or pulled on an interval from a SQL table with a cursor column (feedback/sql: `url` + `query`); either
// way handed to the queue as feedback records like any receiver's.
import type { ReceiverFactory } from '../../pipeline/component.js';
import { feedbackReceiverConfig, type FeedbackReceiverConfig } from './config.js';
import { clientFor, SqlFeedbackPoller } from './sql.js';
import { HttpFeedbackServer } from './http.js';
import { checkPortFree } from '../../config/preflight.js';
import { securityProblems } from '../../security/problems.js';

export const feedbackSqlReceiverFactory: ReceiverFactory<FeedbackReceiverConfig> = {
  kind: 'receiver',
  type: 'feedback',
  description: 'ground truth posted as JSON over HTTP, or pulled from a PostgreSQL table on an interval',
  config: feedbackReceiverConfig,
  async preflight(config) {
    if (config.mode === 'http') {
      const problem = await checkPortFree(config.endpoint);
      return [...(problem ? [{ path: 'endpoint', message: problem }] : []), ...securityProblems('', config)];
    }
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
    if (config.mode === 'http') {
      const server = new HttpFeedbackServer(config, ctx);
      return { start: () => server.start(), shutdown: () => server.shutdown() };
    }
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
