// Pulls labels from a SQL table on an interval and hands them to the queue as FeedbackRecords: one page
// per query (the query's own LIMIT), the cursor saved after each page is committed, until a page comes
// back empty. Values are read as PostgreSQL's text (no Date conversion), so a timestamp cursor keeps its
// microseconds and is given back to the server exactly.
import pg from 'pg';
import type { ReceiverContext } from '../../pipeline/component.js';
import type { FeedbackRecord } from '../../pipeline/records.js';
import type { SqlFeedbackConfig } from './config.js';
import { CursorStore } from './cursor.js';

const asText = { getTypeParser: () => (value: string) => value } as unknown as pg.CustomTypesConfig;

export interface PollOutcome {
  labels: number;
  pages: number;
  /** Set when the poll stopped early: the queue refused (retry soon) or the database failed. */
  error?: string;
  retryAfterMs?: number;
}

export function clientFor(config: Pick<SqlFeedbackConfig, 'url' | 'timeout'>): pg.Client {
  return new pg.Client({
    connectionString: config.url,
    types: asText,
    connectionTimeoutMillis: config.timeout,
    statement_timeout: config.timeout,
    application_name: 'modelwatch feedback/sql',
  });
}

export class SqlFeedbackPoller {
  private readonly cursors: CursorStore;
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private stopped = true;

  constructor(private readonly config: SqlFeedbackConfig, private readonly ctx: ReceiverContext) {
    this.cursors = new CursorStore(ctx.db, ctx.id);
  }

  get cursor(): string {
    return this.cursors.load() ?? this.config.initial_cursor;
  }

  start(): void {
    this.stopped = false;
    this.schedule(0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.poll().then((o) => this.schedule(o.retryAfterMs ?? this.config.interval));
    }, delayMs);
    this.timer.unref();
  }

  /** One poll: pages until an empty one, the page limit, a refusal by the queue, or an error. */
  async poll(): Promise<PollOutcome> {
    const { columns } = this.config;
    const outcome: PollOutcome = { labels: 0, pages: 0 };
    const client = clientFor(this.config);
    client.on('error', () => undefined); // a dropped connection surfaces as the query's error
    try {
      await client.connect();
      while (outcome.pages < this.config.max_pages_per_poll && !this.stopped) {
        const res = await client.query({ text: this.config.query, values: [this.cursor] });
        outcome.pages++;
        if (res.rows.length === 0) break;
        const now = this.ctx.clock.now();
        const records: FeedbackRecord[] = [];
        let malformed = 0;
        for (const row of res.rows as Record<string, string | null>[]) {
          const id = row[columns.prediction_id];
          const label = row[columns.label];
          if (id == null || id === '' || label == null) {
            malformed++;
            continue;
          }
          const r: FeedbackRecord = { kind: 'feedback', predictionId: id, groundTruthClass: label, timeMs: now };
          const model = columns.model_name && row[columns.model_name];
          const version = columns.model_version && row[columns.model_version];
          if (model) r.modelName = model;
          if (version) r.modelVersion = version;
          records.push(r);
        }
        const last = (res.rows[res.rows.length - 1] as Record<string, string | null>)[columns.cursor];
        if (last == null) throw new Error(`the query returned no "${columns.cursor}" cursor column (or NULL) in its last row`);
        if (malformed > 0) {
          this.ctx.intake.refused(this.ctx.id, 'malformed', malformed);
          this.ctx.logger.warn({ malformed }, 'label rows without prediction id or label skipped');
        }
        if (records.length > 0) {
          const appended = await this.ctx.sink.append(records, records.length);
          if (!appended.ok) {
            this.ctx.intake.refused(this.ctx.id, appended.reason, records.length);
            outcome.error = appended.message;
            outcome.retryAfterMs = appended.retryAfterMs;
            return outcome;
          }
          this.ctx.intake.accepted(this.ctx.id, records.length);
        }
        // Only now, with the labels committed, does the cursor move.
        this.cursors.save(last, now);
        outcome.labels += records.length;
      }
    } catch (err) {
      outcome.error = (err as Error).message;
      this.ctx.logger.warn({ err: outcome.error }, 'polling labels failed; will retry at the next interval');
    } finally {
      await client.end().catch(() => undefined);
    }
    if (outcome.labels > 0) this.ctx.logger.info({ labels: outcome.labels, pages: outcome.pages }, 'labels pulled');
    return outcome;
  }
}
