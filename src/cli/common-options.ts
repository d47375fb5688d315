import { InvalidArgumentError, type Command } from 'commander';
import { LOG_FORMATS, type LogFormat } from '../log/log-format.ts';

function logFormat(value: string): LogFormat {
  if (!(LOG_FORMATS as readonly string[]).includes(value))
    throw new InvalidArgumentError(`expected one of ${LOG_FORMATS.join(', ')}`);
  return value as LogFormat;
}

export const CONFIG_HELP = 'config file (env LEADBRIDGE_CONFIG, default leadbridge.config.yaml)';
export const LOG_FORMAT_HELP =
  'logs on stderr as one readable line each (pretty, the default) or JSON lines (json; env LOG_FORMAT)';

/** `--config` and `--log-format` on the program itself (so they may come before the command name). */
export function withGlobalOptions(program: Command): Command {
  return program
    .option('--config <path>', CONFIG_HELP)
    .option('--log-format <format>', LOG_FORMAT_HELP, logFormat);
}

/**
 * The options every subcommand takes, listed in its own `--help`: `--config`, `--log-format`, and, where
 * a command can work on one tenant, `--tenant <id>` (an unknown id exits 2 naming the configured ones).
 */
export function withCommonOptions(command: Command, tenantHelp?: string): Command {
  command.option('--config <path>', CONFIG_HELP).option('--log-format <format>', LOG_FORMAT_HELP, logFormat);
  if (tenantHelp) command.option('--tenant <id>', tenantHelp);
  return command;
}
