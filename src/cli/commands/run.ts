// `modelwatch run`: start the agent; SIGTERM/SIGINT drain and exit cleanly.
import type { Command } from 'commander';
import { builtinRegistry } from '../../components.js';
import { ConfigError, formatProblem } from '../../config/problems.js';
import { loadConfig } from '../../config/resolve.js';
import { Service } from '../../pipeline/service.js';
import { createLogger } from '../../telemetry/logger.js';
import { VERSION } from '../version.js';

export async function runAgent(files: string[]): Promise<number> {
  let config;
  try {
    config = loadConfig(files, builtinRegistry());
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    for (const p of err.problems) console.error(formatProblem(p));
    return 1;
  }
  const logger = createLogger(process.env.MODELWATCH_LOG_LEVEL ?? config.service.telemetry.logs.level);
  const service = new Service({ config, logger, version: VERSION });
  try {
    await service.start();
  } catch (err) {
    logger.fatal({ err: (err as Error).message }, 'modelwatch failed to start');
    await service.shutdown().catch(() => undefined);
    return 1;
  }
  await new Promise<void>((resolve) => {
    let stopping = false;
    const stop = (signal: string) => {
      if (stopping) return;
      stopping = true;
      logger.info({ signal }, 'shutting down');
      service.shutdown().then(resolve, (err) => {
        logger.error({ err }, 'shutdown failed');
        resolve();
      });
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
  });
  return 0;
}

export function registerRunCommand(program: Command): void {
  program
    .command('run')
    .description('run the agent')
    .option('-c, --config <file...>', 'config files, merged left to right', ['config/modelwatch.yaml'])
    .action(async (opts: { config: string[] }) => {
      process.exitCode = await runAgent(opts.config);
    });
}
