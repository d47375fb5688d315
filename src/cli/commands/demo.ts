import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import { HubSpotConnector } from '../../../connectors/hubspot/connector.ts';
import { buildEngine, enginePrefixes, type EngineRuntime } from '../../../jobs/engine-runtime.ts';
import { reconcileBatch } from '../../../jobs/reconcile/reconcile-batch.ts';
import { syncOnce } from '../../../jobs/sync-once.ts';
import type { EngineWorkers } from '../../../jobs/workers.ts';
import { createLogger } from '../../log/logger.ts';
import { Metrics } from '../../metrics/prometheus.ts';
import { closeGracefully, createRedis, deleteMatching } from '../../store/redis.ts';
import { demoConfig, demoConfigText } from '../demo/demo-config.ts';
import { startDemoReceiver } from '../demo/notification-receiver.ts';
import { EmulatorControl } from '../demo/emulator-control.ts';
import { freePort, portIsFree } from '../demo/free-port.ts';
import { ensureRedis, type DemoRedis } from '../demo/private-redis.ts';
import { backfillExistingRecords } from '../demo/initial-backfill.ts';
import { Progress, type QueueCounts } from '../demo/progress.ts';
import { runStory } from '../demo/story.ts';
import { DANA } from '../demo/story-people.ts';
import { demoFigures, formatSummary } from '../demo/summary.ts';
import { formatTrail } from '../demo/trail-format.ts';
import { EXIT } from '../exit-codes.ts';
import { checkAdminToken } from '../../server/admin-token-policy.ts';
import type { RuntimeEnv } from '../runtime-env.ts';
import { DEFAULT_ORG_ID, startEmulators, type RunningEmulators } from './emulate.ts';
import { startServer, type RunningServer } from './serve.ts';
import { startEngineWorkers } from './worker.ts';

export interface DemoOptions {
  /** Port of LeadBridge's server; unset: PORT or 3000 when free, else a free one; 0: a free one. */
  port?: number | undefined;
  /** Leave everything running for exploring until Ctrl+C instead of exiting after the summary. */
  keepRunning: boolean;
  /** Seed of the emulators' generated contacts and leads. */
  seed: number;
  /** HubSpot contacts seeded at start. */
  contacts?: number;
  /** Salesforce leads seeded at start. */
  leads?: number;
  /** How long each story step waits for its effect, in milliseconds (default 20 s). */
  stepTimeoutMs?: number;
}

export interface DemoIo {
  write(text: string): void;
  /** A terminal gets a live progress line; anything else gets plain lines only. */
  tty: boolean;
  columns(): number;
  /** Resolves when the person asks the demo to stop (Ctrl+C). */
  untilStopped(): Promise<unknown>;
}

const TENANT = 'demo';
const PORTAL_ID = 62515;

async function serverPort(requested: number | undefined, env: RuntimeEnv): Promise<number> {
  if (requested !== undefined) return requested === 0 ? freePort() : requested;
  return Number.isInteger(env.port) && (await portIsFree(env.port)) ? env.port : freePort();
}

async function queueCounts(workers: EngineWorkers): Promise<QueueCounts> {
  const entries = await Promise.all(
    Object.entries(workers.queues).map(async ([name, queue]) => {
      const counts = await queue.getJobCounts('waiting', 'delayed', 'prioritized', 'active');
      const waiting = (counts.waiting ?? 0) + (counts.delayed ?? 0) + (counts.prioritized ?? 0);
      return [name, { waiting, active: counts.active ?? 0 }] as const;
    }),
  );
  return Object.fromEntries(entries);
}

/** Deletes every key under the demo's prefix (the demo never touches any other key), on every cluster node. */
async function deleteKeys(redis: Redis, prefix: string): Promise<number> {
  return deleteMatching(redis, `${prefix}:*`);
}

/**
 * `leadbridge demo`: both emulators seeded with realistic leads, LeadBridge's server and workers against
 * them, an initial sync, the scripted story, each lead's trail and a closing summary. Uses `REDIS_URL`
 * (or a private redis-server) under a fresh key prefix, deleted at the end. Resolves with the exit code:
 * 0 when every story step had its effect, 1 otherwise.
 */
export async function runDemo(options: DemoOptions, baseEnv: RuntimeEnv, io: DemoIo): Promise<number> {
  const logger = createLogger(process.env.LOG_LEVEL || 'warn');
  const progress = new Progress(io.write, io.tty, io.columns);
  const cleanup: Array<() => Promise<unknown>> = [];
  const aborted = new AbortController();
  void io.untilStopped().then(() => aborted.abort(new Error('stopped by Ctrl+C')));
  const prefix = `leadbridge-demo-${randomBytes(4).toString('hex')}`;
  let exitCode: number = EXIT.ok;

  progress.line('LeadBridge demo: HubSpot and Salesforce emulators on this machine, no accounts needed.');
  const redis: DemoRedis = await ensureRedis(baseEnv.redisUrl);
  cleanup.push(() => redis.close());
  try {
    progress.line(
      redis.private
        ? `✔ no Redis answered at ${baseEnv.redisUrl}: started a private redis-server at ${redis.url}`
        : `✔ Redis at ${redis.url}, keys under ${prefix}: (deleted at the end)`,
    );
    const port = await serverPort(options.port, baseEnv);
    const env: RuntimeEnv = {
      ...baseEnv,
      redisUrl: redis.url,
      redisPrefix: prefix,
      port,
      // The demo's own admin token unless a usable one is set (a placeholder would turn the pages off).
      adminToken: checkAdminToken(baseEnv.adminToken).ok
        ? baseEnv.adminToken
        : randomBytes(16).toString('hex'),
      // The demo's tokens live under its own prefix for a minute: sealed with a throwaway key unless one is set.
      secretKey: baseEnv.secretKey ?? randomBytes(32).toString('base64'),
      // The emulators deliver to this very URL, which is what their v3 signatures cover.
      publicUrl: undefined,
    };
    const serverUrl = `http://127.0.0.1:${port}`;
    const clientSecret = randomBytes(16).toString('hex');

    const emulators: RunningEmulators = await progress.step(
      'start the HubSpot and Salesforce emulators',
      () =>
        startEmulators({
          hubspotPort: 0,
          salesforcePort: 0,
          seed: options.seed,
          contacts: options.contacts ?? 60,
          leads: options.leads ?? 20,
          deliverTo: serverUrl,
          clientSecret,
          portalId: PORTAL_ID,
          orgId: DEFAULT_ORG_ID,
        }),
      (running) =>
        `HubSpot ${running.hubspot.url} (${running.hubspot.store.size} contacts), Salesforce ${running.salesforce.url} (${running.salesforce.state.store.rows('Lead').length} leads)`,
    );
    cleanup.push(() => emulators.close());
    const control = new EmulatorControl(emulators);
    progress.attach({ counts: () => control.counts() });

    const receiver = await startDemoReceiver();
    cleanup.push(() => receiver.close());
    const { ana, ben } = emulators.salesforce.owners;
    const targets = {
      hubspotUrl: emulators.hubspot.url,
      salesforceUrl: emulators.salesforce.url,
      clientSecret,
      portalId: PORTAL_ID,
      orgId: emulators.salesforce.orgId,
      notify: { receiverUrl: receiver.url, secret: receiver.secret, pool: [ana, ben] },
    };
    const config = demoConfig(targets);
    const configDir = mkdtempSync(join(tmpdir(), 'leadbridge-demo-'));
    const configFile = join(configDir, 'leadbridge.config.yaml');
    writeFileSync(configFile, demoConfigText(targets));
    cleanup.push(async () => rmSync(configDir, { recursive: true, force: true }));

    const hubspotConnector = new HubSpotConnector(config.tenants[0]!, config);
    await progress.step(
      'install: create the leadbridge_* HubSpot contact properties',
      () => hubspotConnector.install({ dryRun: false }),
      (actions) => `${actions.length} action(s) done`,
    );

    // Server first, so the echoes of the initial sync's writes (webhooks) are received; workers after
    // the initial sync, so their first scheduled poll does not race it for the same records.
    const metrics = new Metrics();
    const server: RunningServer = await progress.step(
      'start the LeadBridge server',
      () => startServer(config, env, logger, port, metrics),
      (running) => `listening on ${running.url}`,
    );
    cleanup.push(() => server.close());

    const engineRedis = createRedis(redis.url, logger);
    cleanup.push(() => closeGracefully(logger, [() => engineRedis.quit()], () => engineRedis.disconnect()));
    const runtime: EngineRuntime = buildEngine(config, {
      redis: engineRedis,
      logger,
      metrics,
      prefixes: enginePrefixes(prefix),
    });
    const initial = await progress.step(
      'initial sync: backfill every record that was there before LeadBridge',
      () => backfillExistingRecords(runtime, TENANT),
      (result) =>
        `${result.records.hubspot} HubSpot contacts and ${result.records.salesforce} Salesforce leads read: ${result.leads} leads reconciled; HubSpot ${result.written.hubspot} written (${result.created.hubspot} created), Salesforce ${result.written.salesforce} written (${result.created.salesforce} created); ${result.failures.length} failures`,
    );
    const summary = await progress.step(
      'catch up: poll both systems for changes made meanwhile and reconcile them',
      () => syncOnce(runtime, reconcileBatch),
      (result) =>
        `${result.leads} leads reconciled; HubSpot ${result.written.hubspot} written (${result.created.hubspot} created), Salesforce ${result.written.salesforce} written (${result.created.salesforce} created); ${result.failures.length} failures`,
    );
    if (initial.failures.length > 0) exitCode = EXIT.failure;
    if (summary.failures.length > 0) exitCode = EXIT.failure;

    const workers: EngineWorkers = await progress.step(
      'start the workers (ingest, reconcile, pollers)',
      () => startEngineWorkers(config, env, logger, { metrics }),
      () => `running; pollers every ${config.sync.pollInterval} as the safety net for webhooks`,
    );
    cleanup.push(() => workers.close());
    progress.attach({ counts: () => control.counts(), queues: () => queueCounts(workers) });
    if (!io.tty) progress.line(`  ${await progress.snapshot()}`);

    progress.line();
    progress.line('The story (each change made as a person would, in HubSpot or Salesforce):');
    let cast = [DANA];
    try {
      cast = (
        await runStory({
          control,
          audit: runtime.engine.audit,
          config,
          tenant: TENANT,
          progress,
          stepTimeoutMs: options.stepTimeoutMs ?? 20_000,
          signal: aborted.signal,
        })
      ).people;
    } catch (error) {
      if (aborted.signal.aborted) throw error;
      exitCode = EXIT.failure;
      progress.line(`The story stopped: ${(error as Error).message}`);
    }
    if (!io.tty) progress.line(`  ${await progress.snapshot()}`);

    // Deliveries run on their own queue: let the last ones land (delayed jobs are SLA timers, not counted).
    for (let waited = 0; waited < 5_000; waited += 100) {
      const counts = await workers.queues.notify.getJobCounts('waiting', 'active', 'prioritized');
      if (Object.values(counts).every((count) => count === 0)) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    progress.line();
    progress.line(
      `Notifications sent (a local receiver at ${receiver.url} stands in for your endpoint and Slack):`,
    );
    for (const delivery of receiver.deliveries)
      progress.line(
        `  ${delivery.channel.padEnd(7)} ${delivery.text}${delivery.verified === undefined ? '' : delivery.verified ? '  [signature verified]' : '  [BAD SIGNATURE]'}`,
      );
    if (receiver.deliveries.length === 0) progress.line('  (none arrived)');

    progress.line();
    progress.line('What LeadBridge recorded (`leadbridge explain`):');
    for (const person of cast) {
      for (const text of formatTrail(person.name, await runtime.engine.audit.explain(TENANT, person.email)))
        progress.line(text);
    }

    progress.line();
    const figures = demoFigures(control, await control.counts(), config, new Date());
    const explain = `REDIS_URL=${redis.url} LEADBRIDGE_REDIS_PREFIX=${prefix} npx leadbridge explain ${DANA.email} --config ${configFile}`;
    for (const text of formatSummary(figures, {
      reportUrl: `${server.url}/report (sign in with admin token ${env.adminToken})`,
      explain,
      keepRunning: options.keepRunning,
    }))
      progress.line(text);

    if (options.keepRunning && !aborted.signal.aborted) {
      progress.line();
      progress.line(
        `Everything keeps running: LeadBridge ${server.url} (queues: ${server.url}/admin/queues, same sign-in),`,
      );
      progress.line(
        `HubSpot emulator ${emulators.hubspot.url}, Salesforce emulator ${emulators.salesforce.url}.`,
      );
      progress.line('Press Ctrl+C to stop and clean up.');
      await io.untilStopped();
    }
    return exitCode;
  } finally {
    progress.line(
      redis.private
        ? 'Stopping; removing the private redis-server.'
        : `Stopping; deleting the demo's keys (${prefix}:*).`,
    );
    // Reverse order: workers, engine connection, server, emulators, config folder, then Redis itself.
    const closers = cleanup.reverse();
    for (const close of closers.slice(0, -1)) {
      try {
        await close();
      } catch (error) {
        logger.warn({ err: error }, 'demo cleanup step failed');
      }
    }
    if (!redis.private) {
      const keys = createRedis(redis.url, logger, { maxRetriesPerRequest: 2 });
      try {
        await deleteKeys(keys, prefix);
      } finally {
        await closeGracefully(logger, [() => keys.quit()], () => keys.disconnect());
      }
    }
    await closers.at(-1)?.();
  }
}
