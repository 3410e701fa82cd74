// `modelwatch validate`: every problem at once, each with its path and line; also what would fail at
// start (ports in use, storage not writable, files missing, databases unreachable).
import type { Command } from 'commander';
import { builtinRegistry } from '../../components.js';
import { ConfigError, formatProblem, joinPath, type ConfigProblem } from '../../config/problems.js';
import { loadConfig, locate, type ResolvedConfig } from '../../config/resolve.js';
import { checkPortFree, checkWritablePath } from '../../config/preflight.js';
import { securityProblems } from '../../security/problems.js';
import { checkStorageFile } from '../../storage/database.js';

export async function preflight(config: ResolvedConfig): Promise<ConfigProblem[]> {
  const problems: Omit<ConfigProblem, 'location'>[] = [];
  // A file that is there but foreign or damaged would make `run` refuse to start: say so here too.
  const storage = checkWritablePath(config.storage.path) ?? checkStorageFile(config.storage.path);
  if (storage) problems.push({ path: 'storage::path', message: storage });
  const admin = await checkPortFree(config.admin.endpoint);
  if (admin) problems.push({ path: 'admin::endpoint', message: admin });
  problems.push(...securityProblems('admin', config.admin));
  const used = new Set<string>();
  for (const p of Object.values(config.service.pipelines)) {
    for (const id of p.receivers) used.add(`receiver:${id}`);
    for (const id of p.processors) used.add(`processor:${id}`);
    for (const id of p.exporters) used.add(`exporter:${id}`);
  }
  for (const [key, c] of config.components) {
    if (!used.has(key) || !c.factory.preflight) continue;
    for (const p of await c.factory.preflight(c.config as never)) problems.push({ path: p.path ? `${c.path}::${p.path}` : c.path, message: p.message });
  }
  return problems.map((p) => ({ ...p, location: locate(config.locations, p.path) }));
}

export async function runValidate(files: string[], out: (line: string) => void = console.error): Promise<number> {
  let config: ResolvedConfig;
  try {
    config = loadConfig(files, builtinRegistry());
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    for (const p of err.problems) out(formatProblem(p));
    out(`${err.problems.length} problem${err.problems.length === 1 ? '' : 's'} found`);
    return 1;
  }
  const problems = await preflight(config);
  for (const p of problems) out(formatProblem(p));
  if (problems.length > 0) {
    out(`${problems.length} problem${problems.length === 1 ? '' : 's'} found`);
    return 1;
  }
  out(`${files.join(', ')}: valid`);
  return 0;
}

export function registerValidateCommand(program: Command): void {
  program
    .command('validate')
    .description('check config files: schema, references, and what would fail at start (ports, paths, databases)')
    .requiredOption('-c, --config <file...>', 'config files, merged left to right')
    .action(async (opts: { config: string[] }) => {
      process.exitCode = await runValidate(opts.config);
    });
}

export { joinPath };
