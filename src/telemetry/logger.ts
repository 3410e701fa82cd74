// Structured JSON logs (pino) on stderr, so stdout stays free for command output.
import { pino, type Logger } from 'pino';

export type { Logger };

export function createLogger(level: string = process.env.MODELWATCH_LOG_LEVEL ?? 'info'): Logger {
  return pino(
    {
      level,
      base: { service: 'modelwatch' },
      timestamp: pino.stdTimeFunctions.isoTime,
      // Secrets never reach the log, whatever a component passes in.
      redact: { paths: ['*.password', '*.token', '*.url', '*.headers.authorization', 'config.*.url'], censor: '[redacted]' },
    },
    pino.destination({ fd: 2, sync: true }),
  );
}
