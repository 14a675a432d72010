import { pino } from 'pino';
import type { DestinationStream, Logger } from 'pino';
import pretty from 'pino-pretty';

export type { Logger } from 'pino';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface LoggerOptions {
  /** Defaults to `info`. */
  level?: string;
  /** Human-readable lines instead of JSON; defaults to whether stdout is a terminal. */
  pretty?: boolean;
  /** Where lines go; defaults to stdout. */
  destination?: DestinationStream | NodeJS.WritableStream;
}

// A safety net: credentials must never reach the logs even if a caller logs a whole request or config object.
const REDACTED_PATHS = ['password', 'secretAccessKey', 'sessionToken', 'authorization', '*.password', '*.secretAccessKey', '*.sessionToken', '*.authorization'];

/**
 * The controller's root logger: one JSON object per line (for CloudWatch Logs and friends), or pino-pretty on a
 * terminal. pino-pretty runs as an in-process stream, not a worker-thread transport, so it also works when the
 * controller is bundled or its node_modules are read-only.
 */
export function createLogger(options: LoggerOptions = {}): Logger {
  const level = parseLevel(options.level ?? 'info');
  const usePretty = options.pretty ?? (options.destination === undefined && process.stdout.isTTY === true);
  const settings = {
    level,
    name: 'ecs-reconciler',
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label: string) => ({ level: label }) },
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
  };
  if (usePretty) {
    const destination = options.destination ?? process.stdout;
    return pino(
      settings,
      pretty({
        destination,
        colorize: 'isTTY' in destination && destination.isTTY === true,
        translateTime: 'SYS:HH:MM:ss.l',
        ignore: 'pid,hostname,name',
        // One line per record: a terminal full of AWS calls is unreadable at a dozen lines each.
        singleLine: true,
      }),
    );
  }
  return options.destination === undefined ? pino(settings) : pino(settings, options.destination);
}

export function parseLevel(level: string): LogLevel {
  if ((LOG_LEVELS as readonly string[]).includes(level)) return level as LogLevel;
  throw new Error(`invalid log level ${JSON.stringify(level)}: expected one of ${LOG_LEVELS.join(', ')}`);
}
