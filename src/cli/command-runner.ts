import { ConfigError } from '../config/config-error.ts';
import { loadConfig } from '../config/load.ts';
import type { LeadBridgeConfig } from '../config/schema.ts';
import { createLogger, logFormatFromEnv, type LogFormat, type Logger } from '../log/logger.ts';
import { EXIT } from './exit-codes.ts';
import { requireRedis } from './redis-preflight.ts';
import { runtimeEnv, type RuntimeEnv } from './runtime-env.ts';
import { StartupError } from './startup-error.ts';
import { onlyTenant } from './tenant-selection.ts';
import { UsageError } from './usage-error.ts';

export interface CommandContext {
  env: RuntimeEnv;
  logger: Logger;
  /**
   * Loads the config named by --config / LEADBRIDGE_CONFIG; a bad one exits with code 2. With --tenant,
   * only that tenant is kept (an unknown one exits with code 2).
   */
  loadConfig(): Promise<LeadBridgeConfig>;
  /** Exits with one line and the fix (code 2) unless Redis answers at REDIS_URL. */
  requireRedis(): Promise<void>;
}

/** Options every subcommand takes (see `withCommonOptions` in main.ts). */
export interface GlobalOptions {
  config?: string;
  tenant?: string;
  logFormat?: LogFormat;
}

export { UsageError };

export interface RunOptions {
  /** Default log level when LOG_LEVEL is unset: `info` for services, `warn` for one-shot commands. */
  defaultLogLevel?: 'info' | 'warn';
}

/**
 * Runs a command body with the shared context and turns known failures into the documented exit codes:
 * bad config or arguments, a busy port, Redis not answering -> 2 with one readable line; anything else
 * -> 1 with its message (never a stack; LOG_LEVEL=debug logs it).
 */
export async function runCommand(
  globalOptions: GlobalOptions,
  body: (context: CommandContext) => Promise<number | void>,
  options: RunOptions = {},
): Promise<void> {
  const env = runtimeEnv();
  const logger = createLogger({
    level: process.env.LOG_LEVEL || (options.defaultLogLevel ?? 'warn'),
    format: globalOptions.logFormat ?? logFormatFromEnv(),
  });
  const configPath = globalOptions.config ?? env.configPath;
  try {
    if (/[{}]/.test(env.redisPrefix)) {
      // The first {…} of a key decides its Redis Cluster slot: a tag in the prefix would put every key in one.
      throw new StartupError(
        `LEADBRIDGE_REDIS_PREFIX ${JSON.stringify(env.redisPrefix)}: no { or } (LeadBridge adds the Redis Cluster hash tags itself); for example leadbridge`,
      );
    }
    const code = await body({
      env,
      logger,
      loadConfig: async () => onlyTenant(await loadConfig(configPath), globalOptions.tenant),
      requireRedis: () => requireRedis(env.redisUrl),
    });
    if (typeof code === 'number') process.exitCode = code;
  } catch (error) {
    if (error instanceof ConfigError || error instanceof UsageError || error instanceof StartupError) {
      process.stderr.write(`${error.message}\n`);
      process.exitCode = EXIT.usage;
      return;
    }
    logger.debug({ err: error }, 'command failed');
    process.stderr.write(
      `leadbridge: ${(error as Error).message ?? String(error)} (LOG_LEVEL=debug shows more)\n`,
    );
    process.exitCode = EXIT.failure;
  }
}

/** Resolves on the first SIGINT or SIGTERM, so long-running commands can shut down in order. */
export function untilSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const onSignal = (signal: NodeJS.Signals) => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      resolve(signal);
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
}
