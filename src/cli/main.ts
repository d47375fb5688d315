import { Command } from 'commander';
import { DEFAULT_ORG_ID, describeEmulators, startEmulators } from './commands/emulate.ts';
import { startServer } from './commands/serve.ts';
import { startAll } from './commands/start.ts';
import { runSyncOnce } from './commands/sync-once.ts';
import { runBackfill } from './commands/backfill.ts';
import { runReport } from './commands/report.ts';
import { runDoctor } from './commands/doctor.ts';
import { runExplain } from './commands/explain.ts';
import { runInstall } from './commands/install.ts';
import { ConfigError } from '../config/config-error.ts';
import { startEngineWorkers } from './commands/worker.ts';
import { runCommand, UsageError, untilSignal } from './command-runner.ts';
import { packageVersion } from './package-info.ts';
import { httpUrl, portNumber, wholeNumber } from './argument-parsers.ts';
import { registerDemo } from './demo/register.ts';

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
    .description(
      'run the HTTP server: webhooks, /healthz, /readyz, /metrics, /admin/queues, explain and report routes',
    )
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

  program
    .command('worker')
    .description(
      'run the BullMQ workers (ingest, reconcile, pollers) until SIGTERM/SIGINT; start as many as you like against one Redis',
    )
    .action(async (_options, command: Command) => {
      await runCommand(command.optsWithGlobals(), async ({ env, logger, loadConfig }) => {
        const config = await loadConfig();
        const workers = await startEngineWorkers(config, env, logger);
        process.stdout.write(`leadbridge workers running for ${config.tenants.length} tenant(s)\n`);
        const signal = await untilSignal();
        logger.info({ signal }, 'shutting down: waiting for running jobs');
        await workers.close();
      });
    });

  program
    .command('start')
    .description('run the server and the workers in one process (small installs)')
    .option('--port <port>', 'port to listen on (env PORT, default 3000)', portNumber)
    .action(async (options: { port?: number }, command: Command) => {
      await runCommand(command.optsWithGlobals(), async ({ env, logger, loadConfig }) => {
        const config = await loadConfig();
        const running = await startAll(config, env, logger, options.port ?? env.port);
        process.stdout.write(`leadbridge listening on ${running.url}, workers running\n`);
        const signal = await untilSignal();
        logger.info({ signal }, 'shutting down');
        await running.close();
      });
    });

  program
    .command('sync')
    .description(
      'with --once: poll every tenant until caught up, reconcile everything pending, print a summary and exit (0: all synced, 1: some records failed)',
    )
    .option('--once', 'one poll-and-reconcile pass, then exit (continuous sync is `leadbridge worker`)')
    .option('--json', 'print the summary as JSON')
    .action(async (options: { once?: boolean; json?: boolean }, command: Command) => {
      await runCommand(command.optsWithGlobals(), async ({ env, logger, loadConfig }) => {
        if (!options.once) {
          throw new UsageError(
            'leadbridge sync needs --once (continuous sync runs under `leadbridge worker`)',
          );
        }
        const config = await loadConfig();
        return runSyncOnce(config, env, logger, {
          json: options.json ?? false,
          write: (text) => process.stdout.write(text),
        });
      });
    });

  program
    .command('backfill')
    .description(
      'first full sync of every existing record, resumable from its checkpoint; exit 0 when all synced, 1 when some failed',
    )
    .option('--tenant <id>', 'only this tenant (default: every tenant)')
    .option('--restart', 'ignore the stored checkpoint and start from the first page')
    .option('--dry-run', 'print the patches it would write; write nothing')
    .option('--json', 'print the summary (and, with --dry-run, the patches) as JSON')
    .action(
      async (
        options: { tenant?: string; restart?: boolean; dryRun?: boolean; json?: boolean },
        command: Command,
      ) => {
        await runCommand(command.optsWithGlobals(), async ({ env, logger, loadConfig }) => {
          const config = await loadConfig();
          return runBackfill(
            config,
            env,
            logger,
            { tenant: options.tenant, restart: options.restart ?? false, dryRun: options.dryRun ?? false },
            {
              json: options.json ?? false,
              tty: process.stdout.isTTY === true,
              write: (text) => process.stdout.write(text),
            },
          );
        });
      },
    );

  program
    .command('explain')
    .description(
      "a lead's history, oldest first: every change seen, decision taken (rule, score), patch written, error; exit 1 for an unknown lead",
    )
    .argument('<email-or-id>', 'email, HubSpot contact id, Salesforce Lead/Contact id, or lead key (lb_...)')
    .option('--tenant <id>', 'search this tenant only (default: every tenant)')
    .option('--limit <n>', 'most recent entries to show (default: all kept, up to 500)', wholeNumber)
    .option('--json', 'print the history as JSON')
    .action(
      async (
        query: string,
        options: { tenant?: string; limit?: number; json?: boolean },
        command: Command,
      ) => {
        await runCommand(command.optsWithGlobals(), async ({ env, logger, loadConfig }) => {
          const config = await loadConfig();
          return runExplain(config, env, logger, query, {
            tenant: options.tenant,
            limit: options.limit || undefined,
            json: options.json ?? false,
            write: (text) => process.stdout.write(text),
            writeError: (text) => process.stderr.write(text),
          });
        });
      },
    );

  program
    .command('doctor')
    .description(
      'check config, Redis, both APIs of every tenant, webhook reachability and API budget; exit 0 only if all pass',
    )
    .option('--json', 'print the checks as JSON')
    .action(async (options: { json?: boolean }, command: Command) => {
      const globals = command.optsWithGlobals<{ config?: string }>();
      await runCommand(globals, async ({ env, logger, loadConfig }) => {
        const configPath = globals.config ?? env.configPath;
        const config = await loadConfig().catch((error: unknown) => {
          if (error instanceof ConfigError && !options.json)
            process.stdout.write(`✖ config: ${configPath}\n`);
          throw error;
        });
        return runDoctor(config, configPath, env, logger, {
          json: options.json ?? false,
          write: (text) => process.stdout.write(text),
        });
      });
    });

  program
    .command('install')
    .description(
      'check credentials on both tenants, create the HubSpot properties the config needs, list the Salesforce fields to add',
    )
    .option('--dry-run', 'print what it would do; write nothing')
    .option('--json', 'print the outcome as JSON')
    .action(async (options: { dryRun?: boolean; json?: boolean }, command: Command) => {
      await runCommand(command.optsWithGlobals(), async ({ logger, loadConfig }) => {
        const config = await loadConfig();
        return runInstall(config, logger, {
          dryRun: options.dryRun ?? false,
          json: options.json ?? false,
          write: (text) => process.stdout.write(text),
        });
      });
    });

  program
    .command('report')
    .description(
      'the closed-loop funnel report: conversion between stages, follow-up times, leads passed to sales, rejections and why, SLA breaches',
    )
    .option('--json', 'print the report as JSON')
    .option('--tenant <id>', 'only this tenant')
    .option('--since <duration>', 'only leads handed off (or rejected) in the last <duration>, e.g. 30d')
    .option(
      '--by <cohort>',
      'with --since: "handoff" counts what happened to leads handed off in the period, "event" counts what happened in it',
      'handoff',
    )
    .action(
      async (options: { json?: boolean; tenant?: string; since?: string; by?: string }, command: Command) => {
        await runCommand(command.optsWithGlobals(), async ({ env, logger, loadConfig }) => {
          const config = await loadConfig();
          return runReport(config, env, logger, {
            json: options.json ?? false,
            tenant: options.tenant,
            since: options.since,
            cohort: options.by,
            write: (text) => process.stdout.write(text),
          });
        });
      },
    );

  registerDemo(program);

  program
    .command('emulate')
    .description('run the HubSpot and Salesforce emulators on their own, for trying LeadBridge by hand')
    .option('--hubspot-port <port>', 'HubSpot emulator port (0: a free one)', portNumber, 4010)
    .option('--salesforce-port <port>', 'Salesforce emulator port (0: a free one)', portNumber, 4020)
    .option('--seed <n>', 'seed of the generated data; the same seed gives the same records', wholeNumber, 1)
    .option('--contacts <n>', 'HubSpot contacts to create at start', wholeNumber, 50)
    .option('--leads <n>', 'Salesforce leads to create at start', wholeNumber, 20)
    .option('--token <token>', 'bearer token the emulators require (default: any non-empty token)')
    .option(
      '--deliver-to <url>',
      'LeadBridge base URL to send HubSpot webhooks and Salesforce outbound messages to',
      httpUrl,
    )
    .option(
      '--client-secret <secret>',
      'secret that signs the HubSpot webhooks (env HUBSPOT_CLIENT_SECRET)',
      process.env.HUBSPOT_CLIENT_SECRET || 'emulator-client-secret',
    )
    .option('--portal-id <id>', 'HubSpot account id in the webhooks', wholeNumber, 62515)
    .option(
      '--org-id <id>',
      'Salesforce org id in the outbound messages (env SALESFORCE_ORG_ID)',
      process.env.SALESFORCE_ORG_ID || DEFAULT_ORG_ID,
    )
    .action(async (options, command: Command) => {
      await runCommand(command.optsWithGlobals(), async ({ logger }) => {
        const emulators = await startEmulators(options);
        process.stdout.write(`${describeEmulators(emulators, options)}\n`);
        const signal = await untilSignal();
        logger.info({ signal }, 'stopping emulators');
        await emulators.close();
      });
    });

  return program;
}

await buildProgram().parseAsync(process.argv);
