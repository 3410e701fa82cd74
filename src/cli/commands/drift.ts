// `modelwatch drift`: offline data drift between a reference and a current file (CSV or JSON Lines).
// Prints the drift JSON (the contract in src/stats/drift_types.ts) or an HTML report.
// Exit codes: 0 no dataset drift, 1 dataset drift detected, 2 bad input or usage.
import { writeFile } from 'node:fs/promises';
import { pathToFileURL } from 'node:url';
import { Command, InvalidArgumentError, Option } from 'commander';
import { loadTable } from '../../dataset/load.js';
import { inferType, tableColumns } from '../../dataset/columns.js';
import { DatasetError } from '../../dataset/errors.js';
import { computeDatasetDrift } from '../../stats/dataset_drift.js';
import type { ColumnType, Correction, DriftResult, StatTestName } from '../../stats/drift_types.js';
import { STAT_TEST_NAMES } from '../../stats/stattests.js';
import { renderDriftReport } from '../../report/html.js';
import { columnHistogram, type Histogram } from '../../report/histograms.js';

export interface DriftCommandOptions {
  reference: string;
  current: string;
  stattest?: StatTestName | 'auto';
  threshold?: number;
  driftShare?: number;
  columns?: string[];
  /** Column types forced, e.g. { zip: 'cat' }. */
  types?: Record<string, ColumnType>;
  correction?: Correction;
  format?: 'json' | 'html';
  output?: string;
  title?: string;
  model?: string;
  /** Where text goes when there is no output file (tests capture it). */
  stdout?: (s: string) => void;
  stderr?: (s: string) => void;
}

export const EXIT_NO_DRIFT = 0;
export const EXIT_DRIFT = 1;
export const EXIT_ERROR = 2;

export async function runDrift(o: DriftCommandOptions): Promise<number> {
  const out = o.stdout ?? ((s: string) => process.stdout.write(s));
  const err = o.stderr ?? ((s: string) => process.stderr.write(s));
  try {
    const [ref, cur] = await Promise.all([loadTable(o.reference), loadTable(o.current)]);
    // One column where the other file has many: almost always a wrong delimiter.
    for (const [a, b] of [[ref, cur], [cur, ref]]) {
      if (a.columns.length === 1 && b.columns.length > 1) {
        throw new DatasetError(a.file, 1, undefined, `has a single column "${a.columns[0]}" while ${b.file} has ${b.columns.length}: wrong delimiter? (expected comma-separated)`);
      }
    }
    const names = o.columns ?? ref.columns;
    for (const name of names) {
      if (!ref.values.has(name)) throw new DatasetError(ref.file, 1, name, 'column not found in the header');
      if (o.columns && !cur.values.has(name)) throw new DatasetError(cur.file, 1, name, 'column not found in the header');
    }
    const types: Record<string, ColumnType> = {};
    for (const name of names) types[name] = o.types?.[name] ?? inferType(ref.values.get(name)!);
    const refCols = tableColumns(ref, types);
    const curCols = tableColumns(cur, types);
    const result: DriftResult = computeDatasetDrift(refCols, curCols, {
      stattest: o.stattest ?? 'auto',
      threshold: o.threshold,
      driftShare: o.driftShare,
      columns: o.columns,
      correction: o.correction,
    });
    let text: string;
    if (o.format === 'html') {
      const histograms: Record<string, Histogram> = {};
      for (const name of Object.keys(result.columns)) histograms[name] = columnHistogram(refCols[name], curCols[name]);
      text = renderDriftReport(result, { title: o.title ?? 'Data drift report', generatedAt: new Date(), model: o.model, histograms });
    } else text = `${JSON.stringify(result, null, 2)}\n`;
    if (o.output) await writeFile(o.output, text);
    else out(text);
    return result.dataset_drift ? EXIT_DRIFT : EXIT_NO_DRIFT;
  } catch (e) {
    err(`modelwatch drift: ${(e as Error).message}\n`);
    return EXIT_ERROR;
  }
}

function number(name: string, lo: number, hi: number) {
  return (v: string) => {
    const x = Number(v);
    if (!Number.isFinite(x) || x < lo || x > hi) throw new InvalidArgumentError(`${name} must be a number in [${lo}, ${hi}]`);
    return x;
  };
}

function parseTypes(v: string): Record<string, ColumnType> {
  const out: Record<string, ColumnType> = {};
  for (const part of v.split(',').filter(Boolean)) {
    const [name, t] = part.split('=');
    if (!name || (t !== 'num' && t !== 'cat')) throw new InvalidArgumentError(`expected name=num|cat, got "${part}"`);
    out[name.trim()] = t;
  }
  return out;
}

export function registerDriftCommand(program: Command): Command {
  return program
    .command('drift')
    .description('Compare a current data file with a reference (CSV or JSON Lines) and report data drift per column')
    .requiredOption('--reference <file>', 'reference data (.csv, or .jsonl / .ndjson)')
    .requiredOption('--current <file>', 'current data (.csv, or .jsonl / .ndjson)')
    .addOption(new Option('--stattest <name>', 'test for every column').choices(['auto', ...STAT_TEST_NAMES]).default('auto'))
    .option('--threshold <x>', "threshold for every column (default: the test's own)", number('threshold', 0, Infinity))
    .option('--drift-share <x>', 'dataset drift when this share of columns drift', number('drift share', 0, 1), 0.5)
    .option('--columns <a,b>', 'only these columns', (v: string) => v.split(',').map((s) => s.trim()).filter(Boolean))
    .option('--types <a=num,b=cat>', 'force column types', parseTypes)
    .addOption(new Option('--correction <method>', 'multiple-testing correction of p-values').choices(['none', 'bonferroni', 'benjamini-hochberg']).default('none'))
    .addOption(new Option('--format <format>', 'output format').choices(['json', 'html']).default('json'))
    .option('--output <file>', 'write here instead of standard output')
    .option('--title <text>', 'HTML report title')
    .option('--model <name>', 'model name shown in the HTML report')
    .action(async (opts) => {
      process.exitCode = await runDrift(opts as DriftCommandOptions);
    });
}

// Standalone entry for testing without src/cli/main.ts: `npx tsx src/cli/commands/drift.ts drift ...`.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const program = new Command('modelwatch').exitOverride((e) => {
    process.exit(e.exitCode === 0 ? 0 : EXIT_ERROR);
  });
  registerDriftCommand(program);
  await program.parseAsync(process.argv);
}
