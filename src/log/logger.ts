import { pino, type Logger as PinoLogger } from 'pino';
import { formatLogLine } from './pretty-line.ts';

export type Logger = PinoLogger;

import type { LogFormat } from './log-format.ts';

export { LOG_FORMATS, type LogFormat } from './log-format.ts';

export interface LoggerOptions {
  /** pino level name: trace, debug, info, warn, error, fatal, silent. Default LOG_LEVEL or info. */
  level?: string;
  /** Default LOG_FORMAT, else `pretty`: JSON only when asked for. */
  format?: LogFormat;
}

/** The format asked for by `LOG_FORMAT`; anything else is the human one. */
export function logFormatFromEnv(env: Record<string, string | undefined> = process.env): LogFormat {
  return env.LOG_FORMAT === 'json' ? 'json' : 'pretty';
}

/**
 * Logs go to stderr (stdout is for command output), at LOG_LEVEL. JSON lines only when asked for
 * (`--log-format json` or `LOG_FORMAT=json`, as under a log shipper); otherwise one readable line per
 * entry, without stacks (LOG_LEVEL=debug adds them).
 */
export function createLogger(options: LoggerOptions | string = {}): Logger {
  const { level = process.env.LOG_LEVEL || 'info', format = logFormatFromEnv() } =
    typeof options === 'string' ? { level: options } : options;
  const base = { level, base: { app: 'leadbridge' } };
  if (format === 'json') return pino(base, pino.destination(2));
  const showStacks = level === 'debug' || level === 'trace';
  return pino(base, {
    write(line: string) {
      process.stderr.write(`${formatLogLine(line, showStacks)}\n`);
    },
  });
}

/** For tests and pure helpers that must not print. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
