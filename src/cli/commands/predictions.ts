// `modelwatch predictions query|summary|export-subject|delete-subject`: the prediction log, read (or
// erased for one data subject) straight from its database as the config describes it; the agent need
// not run. Filters have the admin API's names (see src/exporters/prediction_log/filter.ts).
// Exit codes: 0 done, 1 the database failed, 2 bad usage, config or filter.
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Command, Option } from 'commander';
import { builtinRegistry } from '../../components.js';
import { ConfigError, formatProblem } from '../../config/problems.js';
import { loadConfig, type ResolvedConfig } from '../../config/resolve.js';
import { LogAnalysis, type Summary } from '../../exporters/prediction_log/analysis.js';
import type { PredictionLogConfig } from '../../exporters/prediction_log/config.js';
import type { LogDriver, StoredRow } from '../../exporters/prediction_log/driver.js';
import { createDriver } from '../../exporters/prediction_log/factory.js';
import { decodeCursor, FilterError, parseFilter, parseLimit, parseNumber, parseOrder, parseTag, type FilterParams } from '../../exporters/prediction_log/filter.js';
import { toJson } from '../../exporters/prediction_log/row.js';
import { isQueryable } from '../../exporters/prediction_log/sql-runner.js';
import { SubjectStore } from '../../exporters/prediction_log/subjects.js';
import { createTagLookup } from '../../privacy/transform.js';

export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;

export type PredictionsAction = 'query' | 'summary' | 'export-subject' | 'delete-subject';

export interface PredictionsCommandOptions {
  config: string[];
  /** prediction_log/<name>; default: the first prediction_log exporter of the config. */
  exporter?: string;
  model?: string;
  modelVersion?: string;
  from?: string;
  to?: string;
  class?: string;
  minConfidence?: string;
  maxConfidence?: string;
  labelled?: string;
  correct?: string;
  errors?: string;
  errorType?: string;
  /** key=value; for the subject commands exactly one. */
  tag?: string[];
  limit?: string;
  cursor?: string;
  order?: string;
  /** query: every page, as JSON Lines. */
  all?: boolean;
  threshold?: string;
  slowest?: string;
  format?: 'json' | 'table';
  /** For tests: "now" of relative times, and where text goes. */
  now?: number;
  stdout?: (s: string) => void;
  stderr?: (s: string) => void;
}

class UsageError extends Error {}

function pickExporter(config: ResolvedConfig, id: string | undefined): { id: string; config: PredictionLogConfig } {
  const logs = [...config.components.values()].filter((c) => c.kind === 'exporter' && c.type === 'prediction_log');
  if (logs.length === 0) throw new UsageError('the config has no prediction_log exporter');
  const c = id === undefined ? logs[0] : logs.find((l) => l.id === id);
  if (!c) throw new UsageError(`no exporter "${id}" in the config; prediction logs: ${logs.map((l) => l.id).join(', ')}`);
  return { id: c.id, config: c.config as PredictionLogConfig };
}

function filterParams(o: PredictionsCommandOptions): FilterParams {
  const single: Record<string, string | undefined> = {
    model: o.model, version: o.modelVersion, from: o.from, to: o.to, class: o.class, min_confidence: o.minConfidence,
    max_confidence: o.maxConfidence, labelled: o.labelled, correct: o.correct, errors: o.errors, error_type: o.errorType,
  };
  return { get: (n) => single[n], getAll: (n) => (n === 'tag' ? (o.tag ?? []) : []) };
}

function subjectOf(o: PredictionsCommandOptions): [string, string] {
  if (!o.tag || o.tag.length !== 1) throw new UsageError('name the data subject with exactly one --tag key=value (e.g. --tag user_id=42)');
  return parseTag(o.tag[0]);
}

/** The value a subject's tag is stored as: hashed when the config's privacy section hashes that tag. */
function storedTagValue(config: ResolvedConfig, key: string, value: string): string | undefined {
  const privacy = (config as unknown as { privacy?: unknown }).privacy;
  return privacy === undefined ? value : createTagLookup(privacy as never)(key, value);
}

const TABLE_COLUMNS: [string, (r: StoredRow) => unknown][] = [
  ['time', (r) => r.time],
  ['prediction_id', (r) => r.prediction_id],
  ['model', (r) => r.model_name],
  ['version', (r) => r.model_version],
  ['class', (r) => r.predicted_class ?? r.predicted_value],
  ['confidence', (r) => r.confidence],
  ['truth', (r) => r.ground_truth_class ?? r.ground_truth_value],
  ['error', (r) => r.error_type],
  ['total_s', (r) => r.total_seconds],
];

export function formatTable(header: string[], rows: unknown[][]): string {
  const cells = [header, ...rows.map((r) => r.map((v) => (v === null || v === undefined ? '' : String(v))))];
  const widths = header.map((_, i) => Math.max(...cells.map((r) => r[i].length)));
  return cells.map((r) => r.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd()).join('\n') + '\n';
}

function summaryText(s: Summary): string {
  const pct = (x: number | null) => (x === null ? '-' : `${(x * 100).toFixed(1)}%`);
  const out: string[] = [];
  out.push(`predictions ${s.counts.total}  labelled ${s.counts.labelled}  errors ${s.counts.errors}  accuracy ${pct(s.accuracy)}`);
  const lc = s.low_confidence;
  out.push(`low confidence (< ${lc.threshold}): ${lc.count} of ${lc.with_confidence} (${pct(lc.share)})`, '');
  if (s.confusion_matrix.labels.length > 0) {
    out.push('confusion matrix (rows: actual, columns: predicted)');
    const { labels, matrix } = s.confusion_matrix;
    out.push(formatTable(['actual \\ predicted', ...labels], labels.map((l, i) => [l, ...matrix[i]])));
    out.push(formatTable(['class', 'support', 'correct', 'accuracy'], s.per_class.map((c) => [c.class, c.support, c.correct, pct(c.accuracy)])));
  }
  if (s.error_types.length > 0) out.push(formatTable(['error_type', 'count'], s.error_types.map((e) => [e.error_type, e.count])));
  if (s.slowest.length > 0) out.push('slowest', formatTable(TABLE_COLUMNS.map(([h]) => h), s.slowest.map((r) => TABLE_COLUMNS.map(([, f]) => f(r)))));
  return out.join('\n');
}

async function openLog(o: PredictionsCommandOptions): Promise<{ id: string; driver: LogDriver; analysis: LogAnalysis; subjects: SubjectStore; config: ResolvedConfig }> {
  const config = loadConfig(o.config, builtinRegistry());
  const picked = pickExporter(config, o.exporter);
  // A query must not create an empty log where none was written.
  if (picked.config.driver === 'sqlite' && !existsSync(picked.config.path)) throw new UsageError(`${picked.id}: no prediction log at ${resolve(picked.config.path)}`);
  const driver = createDriver(picked.config);
  try {
    // The same schema steps the agent runs at start (PostgreSQL: the tags index data-subject requests use).
    await driver.migrate();
  } catch (err) {
    await driver.close().catch(() => undefined);
    throw err;
  }
  if (!isQueryable(driver)) throw new UsageError(`${picked.id}: this driver cannot be queried`);
  const analysis = new LogAnalysis(driver.sql());
  const archiveDir = picked.config.archive_dir ?? join(dirname(config.storage.path), 'archive');
  return { id: picked.id, driver, analysis, config, subjects: new SubjectStore(analysis, { archive: { dir: archiveDir, table: picked.config.table } }) };
}

export async function runPredictionsCommand(action: PredictionsAction, o: PredictionsCommandOptions): Promise<number> {
  const out = o.stdout ?? ((s: string) => void process.stdout.write(s));
  const err = o.stderr ?? ((s: string) => void process.stderr.write(s));
  const now = o.now ?? Date.now();
  let log: Awaited<ReturnType<typeof openLog>> | undefined;
  try {
    // Check what the user typed before touching a database.
    const filter = action === 'query' || action === 'summary' ? parseFilter(filterParams(o), now) : undefined;
    const subject = action === 'export-subject' || action === 'delete-subject' ? subjectOf(o) : undefined;
    const limit = parseLimit(o.limit);
    const order = parseOrder(o.order);
    const cursor = o.cursor ? decodeCursor(o.cursor) : undefined;
    const threshold = o.threshold === undefined ? undefined : parseNumber('threshold', o.threshold, 0, 1);
    const slowest = o.slowest === undefined ? undefined : Math.floor(parseNumber('slowest', o.slowest, 0, 1000));
    log = await openLog(o);
    const table = o.format === 'table';

    if (action === 'query' && o.all) {
      for await (const row of log.analysis.rows(filter!)) out(`${toJson(row, keep)}\n`);
    } else if (action === 'query') {
      const page = await log.analysis.page(filter!, { limit, cursor, order });
      if (!table) out(`${JSON.stringify({ exporter: log.id, ...page }, null, 2)}\n`);
      else {
        out(formatTable(TABLE_COLUMNS.map(([h]) => h), page.rows.map((r) => TABLE_COLUMNS.map(([, f]) => f(r)))));
        if (page.next_cursor) out(`next page: --cursor ${page.next_cursor}\n`);
      }
    } else if (action === 'summary') {
      const s = await log.analysis.summary(filter!, { lowConfidenceThreshold: threshold, slowest });
      out(table ? summaryText(s) : `${JSON.stringify({ exporter: log.id, filter, ...s }, null, 2)}\n`);
    } else {
      const [key, raw] = subject!;
      const value = storedTagValue(log.config, key, raw);
      if (action === 'export-subject') {
        if (value !== undefined) for await (const row of log.subjects.export(key, value)) out(`${toJson(row, keep)}\n`);
      } else {
        const r = value === undefined ? { deleted: 0, archive: { files: 0, rows: 0 } } : await log.subjects.delete(key, value);
        out(
          table
            ? `${r.deleted} rows deleted from ${log.id}; ${r.archive.files} archive files rewritten without ${r.archive.rows} rows\n`
            : `${JSON.stringify({ exporter: log.id, key, ...r })}\n`,
        );
      }
    }
    return EXIT_OK;
  } catch (e) {
    if (e instanceof ConfigError) {
      for (const p of e.problems) err(`${formatProblem(p)}\n`);
      return EXIT_USAGE;
    }
    const usage = e instanceof UsageError || e instanceof FilterError;
    err(`modelwatch predictions ${action}: ${(e as Error).message}\n`);
    return usage ? EXIT_USAGE : EXIT_FAILED;
  } finally {
    await log?.driver.close().catch(() => undefined);
  }
}

/** Rows read back are already clean: only NaN and ±Infinity are rewritten (as strings, as in archives). */
const keep = (s: string): string => s;

function collect(v: string, prev: string[] = []): string[] {
  return [...prev, v];
}

function withCommon(cmd: Command): Command {
  return cmd
    .requiredOption('-c, --config <file...>', 'config files, merged left to right')
    .option('--exporter <id>', 'which prediction log (e.g. prediction_log/pg); default: the first');
}

function withFilters(cmd: Command): Command {
  return cmd
    .option('--model <name>', 'model name')
    .option('--model-version <v>', 'model version')
    .option('--from <time>', 'from this prediction time (ISO 8601, now, or relative: -24h, -7d)')
    .option('--to <time>', 'before this prediction time')
    .option('--class <name>', 'predicted class')
    .option('--min-confidence <x>', 'confidence at least x (0..1)')
    .option('--max-confidence <x>', 'confidence at most x (0..1)')
    .option('--labelled <bool>', 'true: with a ground truth; false: without')
    .option('--correct <bool>', 'true: ground truth class = predicted class; false: labelled and different')
    .option('--errors <bool>', 'true: errored predictions only; false: none')
    .option('--error-type <type>', 'errored with this error.type')
    .option('--tag <key=value>', 'with this tag (repeatable)', collect)
    .addOption(new Option('--format <format>', 'output format').choices(['json', 'table']).default('json'));
}

export function registerPredictionsCommand(program: Command): Command {
  const cmd = program.command('predictions').description('query, summarise, export or delete rows of the prediction log (reads the database from the config; the agent need not run)');
  const run = (action: PredictionsAction) => async (opts: PredictionsCommandOptions) => {
    process.exitCode = await runPredictionsCommand(action, opts);
  };
  withFilters(withCommon(cmd.command('query').description('one page of predictions, in time order (or every page as JSON Lines with --all)')))
    .option('--limit <n>', 'rows per page (1..10000)', '100')
    .option('--cursor <cursor>', 'the next_cursor of the previous page')
    .addOption(new Option('--order <order>', 'time order').choices(['asc', 'desc']).default('asc'))
    .option('--all', 'every matching row as JSON Lines')
    .action(run('query'));
  withFilters(withCommon(cmd.command('summary').description('counts, confusion matrix, per-class accuracy, low-confidence share, slowest predictions, error types')))
    .option('--threshold <x>', 'low confidence is below this', '0.5')
    .option('--slowest <n>', 'how many of the slowest predictions', '10')
    .action(run('summary'));
  withCommon(cmd.command('export-subject').description('every row of one data subject (database and archives) as JSON Lines'))
    .requiredOption('--tag <key=value>', 'the subject, e.g. user_id=42', collect)
    .action(run('export-subject'));
  withCommon(cmd.command('delete-subject').description('delete every row of one data subject from the database and rewrite the archive files that hold any'))
    .requiredOption('--tag <key=value>', 'the subject, e.g. user_id=42', collect)
    .addOption(new Option('--format <format>', 'output format').choices(['json', 'table']).default('table'))
    .action(run('delete-subject'));
  return cmd;
}

// Standalone entry for testing without src/cli/main.ts: `npx tsx src/cli/commands/predictions.ts predictions ...`.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const program = new Command('modelwatch').exitOverride((e) => {
    process.exit(e.exitCode === 0 ? 0 : EXIT_USAGE);
  });
  registerPredictionsCommand(program);
  await program.parseAsync(process.argv);
}
