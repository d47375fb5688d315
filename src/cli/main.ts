import { Command } from 'commander';
import { DEFAULT_ORG_ID } from '../../connectors/salesforce/emulator/default-org.ts';
import { EXIT } from './exit-codes.ts';
import { ConfigError } from '../config/config-error.ts';
import { UsageError } from './usage-error.ts';
import { packageVersion } from './package-info.ts';
import { httpUrl, portNumber, wholeNumber } from './argument-parsers.ts';
import { registerDemo } from './demo/register.ts';
import { withCommonOptions, withGlobalOptions } from './common-options.ts';
import { loadDotEnv } from './env-file.ts';
import { useBatchHeapSettings } from './batch-heap.ts';
import type { RuntimeEnv } from './runtime-env.ts';
import type { Logger } from '../log/logger.ts';
import type * as CommandRunnerModule from './command-runner.ts';

// Each command's module (and with it config parsing, Redis, the SDKs, express...) loads only when that
// command runs: `--help` loads none of them, `backfill` none of the server's or the emulators'.
type CommandRunner = typeof CommandRunnerModule;
const runCommand: CommandRunner['runCommand'] = async (...args) =>
  (await import('./command-runner.ts')).runCommand(...args);
const untilSignal: CommandRunner['untilSignal'] = async () =>
  (await import('./command-runner.ts')).untilSignal();

/** The port to listen on: --port, else PORT; a PORT that is not a port is a usage error (exit 2). */
function listenPort(option: number | undefined, env: RuntimeEnv): number {
  if (option !== undefined) return option;
  if (!Number.isInteger(env.port) || env.port < 0 || env.port > 65535)
    throw new UsageError(`PORT=${env.portText}: a port is a whole number 0-65535 (or pass --port)`);
  return env.port;
}

/**
 * `serve` keeps starting when Redis is down (readiness says so, webhooks answer 503 so the senders
 * retry), but says so once, in one line, instead of a stream of connection errors.
 */
async function warnIfRedisDown(env: RuntimeEnv, logger: Logger): Promise<void> {
  const { redisDownMessage, redisProblem } = await import('./redis-preflight.ts');
  const problem = await redisProblem(env.redisUrl);
  if (problem !== null)
    logger.warn(`${redisDownMessage(env.redisUrl, problem)}; /readyz answers 503 until it does`);
}

const HOST_HELP = 'interface to listen on (env LEADBRIDGE_HOST, default 127.0.0.1; 0.0.0.0 for every one)';
const TENANT_HELP = 'only this tenant (default: every tenant)';

export function buildProgram(): Command {
  const program = new Command('leadbridge')
    .description(
      'Keeps HubSpot and Salesforce on one view of every lead: shared lifecycle, one score, the sales-marketing SLA.',
    )
    .version(packageVersion())
    .showHelpAfterError()
    .exitOverride((error) => {
      // Argument errors are usage errors: exit code 2, like bad config.
      process.exit(error.exitCode === 0 ? 0 : 2);
    });
  withGlobalOptions(program);

  withCommonOptions(
    program
      .command('serve')
      .description(
        'run the HTTP server: webhooks, /healthz, /readyz, /metrics, /login, /admin/queues, explain and report routes',
      )
      .option('--port <port>', 'port to listen on (env PORT, default 3000)', portNumber)
      .option('--host <address>', HOST_HELP),
  ).action(async (options: { port?: number; host?: string }, command: Command) => {
    await runCommand(
      command.optsWithGlobals(),
      async ({ env, logger, loadConfig }) => {
        const config = await loadConfig();
        const port = listenPort(options.port, env);
        await warnIfRedisDown(env, logger);
        const { startServer } = await import('./commands/serve.ts');
        const server = await startServer(config, env, logger, port, undefined, options.host ?? env.host);
        process.stdout.write(`leadbridge listening on ${server.url}\n`);
        const signal = await untilSignal();
        logger.info({ signal }, 'shutting down');
        await server.close();
      },
      { defaultLogLevel: 'info' },
    );
  });

  withCommonOptions(
    program
      .command('worker')
      .description(
        'run the BullMQ workers (ingest, reconcile, pollers, HubSpot journal readers) until SIGTERM/SIGINT; start as many as you like against one Redis',
      ),
  ).action(async (_options, command: Command) => {
    await runCommand(
      command.optsWithGlobals(),
      async ({ env, logger, loadConfig, requireRedis }) => {
        const config = await loadConfig();
        await requireRedis();
        const { startEngineWorkers } = await import('./commands/worker.ts');
        const workers = await startEngineWorkers(config, env, logger);
        process.stdout.write(`leadbridge workers running for ${config.tenants.length} tenant(s)\n`);
        const signal = await untilSignal();
        logger.info({ signal }, 'shutting down: waiting for running jobs');
        await workers.close();
      },
      { defaultLogLevel: 'info' },
    );
  });

  withCommonOptions(
    program
      .command('start')
      .description('run the server and the workers in one process (small installs)')
      .option('--port <port>', 'port to listen on (env PORT, default 3000)', portNumber)
      .option('--host <address>', HOST_HELP),
  ).action(async (options: { port?: number; host?: string }, command: Command) => {
    await runCommand(
      command.optsWithGlobals(),
      async ({ env, logger, loadConfig, requireRedis }) => {
        const config = await loadConfig();
        const port = listenPort(options.port, env);
        await requireRedis();
        const { startAll } = await import('./commands/start.ts');
        const running = await startAll(config, env, logger, port, options.host ?? env.host);
        process.stdout.write(`leadbridge listening on ${running.url}, workers running\n`);
        const signal = await untilSignal();
        logger.info({ signal }, 'shutting down');
        await running.close();
      },
      { defaultLogLevel: 'info' },
    );
  });

  withCommonOptions(
    program
      .command('sync')
      .description(
        'with --once: run the deadlines already due, poll every tenant until caught up, reconcile everything pending, send the notifications ready now, print a summary and exit (0: all synced, 1: some records failed)',
      )
      .option('--once', 'one poll-and-reconcile pass, then exit (continuous sync is `leadbridge worker`)')
      .option('--json', 'print the summary as JSON'),
    TENANT_HELP,
  ).action(async (options: { once?: boolean; json?: boolean }, command: Command) => {
    await runCommand(command.optsWithGlobals(), async ({ env, logger, loadConfig, requireRedis }) => {
      if (!options.once) {
        throw new UsageError('leadbridge sync needs --once (continuous sync runs under `leadbridge worker`)');
      }
      const config = await loadConfig();
      await requireRedis();
      const { runSyncOnce } = await import('./commands/sync-once.ts');
      return runSyncOnce(config, env, logger, {
        json: options.json ?? false,
        write: (text) => process.stdout.write(text),
      });
    });
  });

  withCommonOptions(
    program
      .command('backfill')
      .description(
        'first full sync of every existing record, resumable from its checkpoint; exit 0 when all synced, 1 when some failed',
      )
      .option('--restart', 'ignore the stored checkpoint and start from the first page')
      .option('--dry-run', 'print the patches it would write; write nothing')
      .option('--json', 'print the summary (and, with --dry-run, the patches) as JSON'),
    TENANT_HELP,
  ).action(
    async (
      options: { tenant?: string; restart?: boolean; dryRun?: boolean; json?: boolean },
      command: Command,
    ) => {
      // Before anything else loads: the batch's records are the memory to watch (batch-heap.ts).
      useBatchHeapSettings();
      await runCommand(command.optsWithGlobals(), async ({ env, logger, loadConfig, requireRedis }) => {
        const config = await loadConfig();
        await requireRedis();
        const { runBackfill } = await import('./commands/backfill.ts');
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

  withCommonOptions(
    program
      .command('explain')
      .description(
        "a lead's history, oldest first: every change seen, decision taken (rule, score), patch written, error; exit 1 for an unknown lead",
      )
      .argument(
        '<email-or-id>',
        'email, HubSpot contact id, Salesforce Lead/Contact id, or lead key (lb_...)',
      )
      .option('--limit <n>', 'most recent entries to show (default: all kept, up to 500)', wholeNumber)
      .option('--json', 'print the history as JSON'),
    'search this tenant only (default: every tenant)',
  ).action(
    async (query: string, options: { tenant?: string; limit?: number; json?: boolean }, command: Command) => {
      await runCommand(command.optsWithGlobals(), async ({ env, logger, loadConfig, requireRedis }) => {
        const config = await loadConfig();
        await requireRedis();
        const { runExplain } = await import('./commands/explain.ts');
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

  withCommonOptions(
    program
      .command('doctor')
      .description(
        'check config, Redis, both APIs of every tenant, webhook reachability and API budget; exit 0 only if all pass',
      )
      .option('--json', 'print the checks as JSON (also when the config is bad)'),
    TENANT_HELP,
  ).action(async (options: { json?: boolean }, command: Command) => {
    const globals = command.optsWithGlobals<{ config?: string }>();
    await runCommand(globals, async ({ env, logger, loadConfig }) => {
      const { configFailureReport, runDoctor } = await import('./commands/doctor.ts');
      const configPath = globals.config ?? env.configPath;
      const config = await loadConfig().catch((error: unknown) => {
        if (!(error instanceof ConfigError || error instanceof UsageError)) throw error;
        if (!options.json) {
          process.stdout.write(`✖ config: ${configPath}\n`);
          throw error;
        }
        process.stdout.write(`${JSON.stringify(configFailureReport(configPath, error), null, 2)}\n`);
        return null;
      });
      if (config === null) return EXIT.usage;
      return runDoctor(config, configPath, env, logger, {
        json: options.json ?? false,
        write: (text) => process.stdout.write(text),
      });
    });
  });

  withCommonOptions(
    program
      .command('install')
      .description(
        'check credentials on both tenants, create the HubSpot properties the config needs, list the Salesforce fields to add',
      )
      .option('--dry-run', 'print what it would do; write nothing')
      .option('--json', 'print the outcome as JSON'),
    TENANT_HELP,
  ).action(async (options: { dryRun?: boolean; json?: boolean }, command: Command) => {
    await runCommand(command.optsWithGlobals(), async ({ env, logger, loadConfig }) => {
      const config = await loadConfig();
      const { runInstall } = await import('./commands/install.ts');
      return runInstall(
        config,
        logger,
        {
          publicUrl: env.publicUrl,
          dryRun: options.dryRun ?? false,
          json: options.json ?? false,
          write: (text) => process.stdout.write(text),
        },
        env,
      );
    });
  });

  withCommonOptions(
    program
      .command('report')
      .description(
        'the closed-loop funnel report: conversion between stages, follow-up times, leads passed to sales, rejections and why, SLA breaches',
      )
      .option('--json', 'print the report as JSON')
      .option('--since <duration>', 'only leads handed off (or rejected) in the last <duration>, e.g. 30d')
      .option(
        '--by <cohort>',
        'with --since: "handoff" counts what happened to leads handed off in the period, "event" counts what happened in it',
        'handoff',
      ),
    TENANT_HELP,
  ).action(
    async (options: { json?: boolean; tenant?: string; since?: string; by?: string }, command: Command) => {
      await runCommand(command.optsWithGlobals(), async ({ env, logger, loadConfig, requireRedis }) => {
        const config = await loadConfig();
        // Arguments are checked before connecting, so a typo exits 2 at once even when Redis is down.
        const { periodSince, runReport } = await import('./commands/report.ts');
        periodSince(options.since, new Date());
        await requireRedis();
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

  withCommonOptions(
    program
      .command('status')
      .description(
        'sync health per tenant and system: last successful poll, backlog, webhook echoes of our own writes dropped, API budget, failing records by cause with the fix, overdue leads by owner, duplicates and parked writes; exit 1 when records are failing',
      )
      .option('--json', 'print the status as JSON'),
    TENANT_HELP,
  ).action(async (options: { json?: boolean }, command: Command) => {
    await runCommand(command.optsWithGlobals(), async ({ env, logger, loadConfig, requireRedis }) => {
      const config = await loadConfig();
      await requireRedis();
      const { runStatus } = await import('./commands/status.ts');
      return runStatus(config, env, logger, {
        json: options.json ?? false,
        write: (text) => process.stdout.write(text),
      });
    });
  });

  withCommonOptions(
    program
      .command('retry')
      .description(
        're-queue the records that failed to sync (after fixing the cause) for the workers or `sync --once`',
      )
      .option('--code <code>', 'only records that failed with this code, e.g. REQUIRED_FIELD_MISSING')
      .option('--json', 'print what was re-queued as JSON'),
    TENANT_HELP,
  ).action(async (options: { json?: boolean; code?: string }, command: Command) => {
    await runCommand(command.optsWithGlobals(), async ({ env, logger, loadConfig, requireRedis }) => {
      const config = await loadConfig();
      await requireRedis();
      const { runRetry } = await import('./commands/retry.ts');
      return runRetry(config, env, logger, {
        code: options.code,
        json: options.json ?? false,
        write: (text) => process.stdout.write(text),
      });
    });
  });

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
    .option('--bare', "start the Salesforce org without LeadBridge's custom fields (as before install)")
    .option(
      '--salesforce-client-id <id>',
      'consumer key the Salesforce token endpoint accepts (enforced with --token or when given; default emulator-client)',
    )
    .option(
      '--salesforce-client-secret <secret>',
      'consumer secret the Salesforce token endpoint requires (enforced when given)',
    )
    .option(
      '--salesforce-refresh-token <token>',
      'refresh token the Salesforce token endpoint accepts (enforced with --token or when given; default emulator-refresh-token)',
    )
    .action(async (options, command: Command) => {
      await runCommand(command.optsWithGlobals(), async ({ logger }) => {
        const { describeEmulators, startEmulators } = await import('./commands/emulate.ts');
        const emulators = await startEmulators(options);
        process.stdout.write(`${describeEmulators(emulators, options)}\n`);
        const signal = await untilSignal();
        logger.info({ signal }, 'stopping emulators');
        await emulators.close();
      });
    });

  return program;
}

loadDotEnv();
await buildProgram().parseAsync(process.argv);
