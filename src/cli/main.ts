import { Command, InvalidArgumentError } from 'commander';
import { startServer } from './commands/serve.ts';
import { runCommand, untilSignal } from './command-runner.ts';
import { packageVersion } from './package-info.ts';

function portNumber(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new InvalidArgumentError('a port is 0-65535');
  return port;
}

export function buildProgram(): Command {
  const program = new Command('leadbridge')
    .description(
      'Keeps HubSpot and Salesforce on one view of every lead: shared lifecycle, one score, the sales-marketing SLA.',
    )
    .version(packageVersion())
    .option('--config <path>', 'config file (env LEADBRIDGE_CONFIG, default leadbridge.config.yaml)')
    .showHelpAfterError()
    .exitOverride((error) => {
      // Argument errors are usage errors: exit code 2, like bad config.
      process.exit(error.exitCode === 0 ? 0 : 2);
    });

  program
    .command('serve')
    .description('run the HTTP server: webhooks, /healthz, /readyz, /metrics')
    .option('--port <port>', 'port to listen on (env PORT, default 3000)', portNumber)
    .action(async (options: { port?: number }, command: Command) => {
      await runCommand(command.optsWithGlobals(), async ({ env, logger, loadConfig }) => {
        const config = await loadConfig();
        const server = await startServer(config, env, logger, options.port ?? env.port);
        process.stdout.write(`leadbridge listening on ${server.url}\n`);
        const signal = await untilSignal();
        logger.info({ signal }, 'shutting down');
        await server.close();
      });
    });

  return program;
}

await buildProgram().parseAsync(process.argv);
