// `modelwatch print-config`: the effective config after merging, env expansion and defaults, as YAML.
// Secrets (passwords in URLs, tokens, header values) are masked.
import type { Command } from 'commander';
import { stringify } from 'yaml';
import { builtinRegistry } from '../../components.js';
import { ConfigError, formatProblem } from '../../config/problems.js';
import { loadConfig, type ResolvedConfig } from '../../config/resolve.js';

const SECRET_KEY = /(password|token|secret|authorization|api[_-]?key)/i;

export function maskSecrets(value: unknown, key = ''): unknown {
  if (typeof value === 'string') {
    if (SECRET_KEY.test(key)) return '[redacted]';
    // user:password@ in URLs
    return value.replace(/(\/\/[^/:@]+:)[^@/]+@/, '$1[redacted]@');
  }
  if (Array.isArray(value)) return value.map((v) => maskSecrets(v, key));
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, maskSecrets(v, k)]));
  return value;
}

export function effectiveConfig(config: ResolvedConfig): unknown {
  const section = (kind: string) =>
    Object.fromEntries([...config.components.values()].filter((c) => c.kind === kind).map((c) => [c.id, c.config]));
  return maskSecrets({
    receivers: section('receiver'),
    processors: section('processor'),
    exporters: section('exporter'),
    storage: config.storage,
    admin: config.admin,
    service: config.service,
  });
}

export function registerPrintConfigCommand(program: Command): void {
  program
    .command('print-config')
    .description('print the effective configuration (merged, expanded, with defaults; secrets masked)')
    .requiredOption('-c, --config <file...>', 'config files, merged left to right')
    .action((opts: { config: string[] }) => {
      try {
        process.stdout.write(stringify(effectiveConfig(loadConfig(opts.config, builtinRegistry()))));
      } catch (err) {
        if (!(err instanceof ConfigError)) throw err;
        for (const p of err.problems) console.error(formatProblem(p));
        process.exitCode = 1;
      }
    });
}
