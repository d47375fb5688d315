import { ConfigError } from '../config/config-error.ts';
import { loadConfig } from '../config/load.ts';
import type { LeadBridgeConfig } from '../config/schema.ts';
import { createLogger, type Logger } from '../log/logger.ts';
import { EXIT } from './exit-codes.ts';
import { runtimeEnv, type RuntimeEnv } from './runtime-env.ts';

export interface CommandContext {
  env: RuntimeEnv;
  logger: Logger;
  /** Loads the config named by --config / LEADBRIDGE_CONFIG; a bad one exits with code 2. */
  loadConfig(): Promise<LeadBridgeConfig>;
}

/** A usage problem found in the arguments: printed as is, exit code 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/**
 * Runs a command body with the shared context and turns known failures into the documented exit codes:
 * bad config or arguments -> 2 with a readable message, anything else -> 1.
 */
export async function runCommand(
  globalOptions: { config?: string },
  body: (context: CommandContext) => Promise<number | void>,
): Promise<void> {
  const env = runtimeEnv();
  const logger = createLogger();
  const configPath = globalOptions.config ?? env.configPath;
  try {
    const code = await body({ env, logger, loadConfig: () => loadConfig(configPath) });
    if (typeof code === 'number') process.exitCode = code;
  } catch (error) {
    if (error instanceof ConfigError || error instanceof UsageError) {
      process.stderr.write(`${error.message}\n`);
      process.exitCode = EXIT.usage;
      return;
    }
    process.stderr.write(`leadbridge: ${(error as Error).stack ?? String(error)}\n`);
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
