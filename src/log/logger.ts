import { pino, type Logger as PinoLogger } from 'pino';

export type Logger = PinoLogger;

/** JSON logs to stderr (stdout is for command output), level from LOG_LEVEL. */
export function createLogger(level = process.env.LOG_LEVEL || 'info'): Logger {
  return pino({ level, base: { app: 'leadbridge' } }, pino.destination(2));
}

/** For tests and pure helpers that must not print. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
