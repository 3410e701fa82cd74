// `modelwatch run`: start the agent; SIGTERM/SIGINT drain and exit cleanly; SIGHUP (or POST
// /api/v1/reload) re-reads the config files and, when they are valid, restarts the agent in-process on
// them: processor state and queued data carry over through the checkpoints; an invalid config is refused
// and the running one stays.
import type { Command } from 'commander';
import { builtinRegistry } from '../../components.js';
import { ConfigError, formatProblem } from '../../config/problems.js';
import { loadConfig, type ResolvedConfig } from '../../config/resolve.js';
import { Service } from '../../pipeline/service.js';
import { AGENT_NODE_FLAGS, missingNodeFlags, releaseYoungGenerationFlag, tuneHeapForRecords } from '../../pipeline/heap-tuning.js';
import { createLogger, type Logger } from '../../telemetry/logger.js';
import { VERSION } from '../version.js';

type Loaded = { ok: true; config: ResolvedConfig } | { ok: false; problems: string[] };

function load(files: string[]): Loaded {
  try {
    return { ok: true, config: loadConfig(files, builtinRegistry()) };
  } catch (err) {
    if (!(err instanceof ConfigError)) return { ok: false, problems: [(err as Error).message] };
    return { ok: false, problems: err.problems.map(formatProblem) };
  }
}

class Agent {
  private service?: Service;
  private config?: ResolvedConfig;
  private busy: Promise<unknown> = Promise.resolve();

  constructor(private readonly files: string[], private readonly logger: Logger) {}

  async start(config: ResolvedConfig): Promise<void> {
    const service = new Service({ config, logger: this.logger, version: VERSION, reload: () => this.requestReload() });
    try {
      await service.start();
    } catch (err) {
      await service.shutdown().catch(() => undefined);
      throw err;
    }
    this.service = service;
    this.config = config;
  }

  /** Validates now (so the caller hears about problems), restarts after the caller has answered. */
  async requestReload(): Promise<{ ok: true } | { ok: false; problems: string[] }> {
    const next = load(this.files);
    if (!next.ok) {
      this.logger.error({ problems: next.problems }, 'reload refused: the new configuration is invalid; the running one stays');
      return next;
    }
    this.busy = this.busy.then(() => new Promise((r) => setTimeout(r, 50))).then(() => this.restart(next.config));
    return { ok: true };
  }

  private async restart(config: ResolvedConfig): Promise<void> {
    this.logger.info('reloading configuration');
    const previous = this.config!;
    await this.service?.shutdown();
    try {
      await this.start(config);
      this.logger.info('configuration reloaded');
    } catch (err) {
      this.logger.error({ err: (err as Error).message }, 'the new configuration failed to start; going back to the previous one');
      await this.start(previous);
    }
  }

  async stop(): Promise<void> {
    await this.busy;
    await this.service?.shutdown();
  }
}

export async function runAgent(files: string[]): Promise<number> {
  const first = load(files);
  if (!first.ok) {
    for (const p of first.problems) console.error(p);
    return 1;
  }
  const logger = createLogger(process.env.MODELWATCH_LOG_LEVEL ?? first.config.service.telemetry.logs.level);
  const missing = missingNodeFlags();
  if (missing.length > 0) {
    logger.info({ missing, expected: AGENT_NODE_FLAGS }, 'node was started without the heap flags the modelwatch command passes: longer garbage-collection pauses and more memory under load (see README)');
  }
  const agent = new Agent(files, logger);
  try {
    await agent.start(first.config);
  } catch (err) {
    logger.fatal({ err: (err as Error).message }, 'modelwatch failed to start');
    return 1;
  }
  process.on('SIGHUP', () => {
    logger.info('SIGHUP: reloading configuration');
    void agent.requestReload();
  });
  await new Promise<void>((resolve) => {
    let stopping = false;
    const stop = (signal: string) => {
      if (stopping) return;
      stopping = true;
      logger.info({ signal }, 'shutting down');
      agent.stop().then(resolve, (err) => {
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
    .description('run the agent (SIGHUP reloads the configuration)')
    .option('-c, --config <file...>', 'config files, merged left to right', ['config/modelwatch.yaml'])
    .action(async (opts: { config: string[] }) => {
      tuneHeapForRecords();
      releaseYoungGenerationFlag();
      process.exitCode = await runAgent(opts.config);
    });
}
