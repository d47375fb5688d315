import { Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { createConnectors, type TenantConnectors } from '../../../connectors/index.ts';
import { startHubSpotEmulator, type HubSpotEmulator } from '../../../connectors/hubspot/emulator/index.ts';
import {
  startSalesforceEmulator,
  type SalesforceEmulator,
} from '../../../connectors/salesforce/emulator/index.ts';
import type { EngineDeps } from '../../../jobs/engine.ts';
import { notifyFromReconcile, type NotifyHook } from '../../../jobs/notify/emit-from-reconcile.ts';
import { notifyProcessor } from '../../../jobs/notify/notify-processor.ts';
import { createNotifyQueue, type NotifyQueue } from '../../../jobs/notify/notify-queue.ts';
import { QUEUE_NAMES } from '../../../jobs/queue-names.ts';
import type { LeadPlan } from '../../../jobs/reconcile/types.ts';
import { parseConfig } from '../../../src/config/load.ts';
import { silentLogger } from '../../../src/log/logger.ts';
import { InMemoryApiCallRecorder } from '../../../src/metrics/api-calls.ts';
import { Metrics } from '../../../src/metrics/prometheus.ts';
import { AuditTrail } from '../../../src/store/audit-trail.ts';
import { CursorStore } from '../../../src/store/cursors.ts';
import { LeadLedger } from '../../../src/store/lead-ledger.ts';
import { LeadLinks } from '../../../src/store/lead-links.ts';
import { NotificationOutbox } from '../../../src/store/notification-outbox.ts';
import { RoundRobinStore } from '../../../src/store/round-robin-store.ts';
import { SyncState } from '../../../src/store/sync-state.ts';
import { deleteKeys, TEST_SCORING } from '../../helpers/emulators.ts';
import { NotificationReceiver } from '../../helpers/notification-receiver.ts';

export const TENANT = 'acme';
/** A Standard Webhooks secret (base64 of 24 bytes), as a receiver would be given it. */
export const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';

export interface NotifyHarness {
  hubspot: HubSpotEmulator;
  salesforce: SalesforceEmulator;
  receiver: NotificationReceiver;
  redis: Redis;
  connectors: TenantConnectors;
  deps: EngineDeps;
  queue: NotifyQueue;
  outbox: NotificationOutbox;
  metrics: Metrics;
  /** The plans of the last reconcile pass that reached the hook (to replay a transition). */
  lastPlans: { tenant: string; plans: readonly LeadPlan[]; now: Date } | null;
  close(): Promise<void>;
}

export interface NotifyHarnessOptions {
  /** YAML of the tenant's `owners` block (flow style), given the emulator (for its user ids). */
  owners?: (salesforce: SalesforceEmulator) => string;
  /** Extra YAML inside the tenant's `notifications` block (flow-style entries, comma-led). */
  notifications?: string;
  /** Top-level `sla` block (flow style). */
  sla?: string;
}

/** Both emulators, a local receiver, real Redis under a prefix of its own, the notify worker running. */
export async function startNotifyHarness(
  name: string,
  options: NotifyHarnessOptions = {},
): Promise<NotifyHarness> {
  const prefix = `test-notify-${name}-${process.pid}-${Date.now()}`;
  const hubspot = await startHubSpotEmulator({ port: 0, seed: 11, contacts: 0, webhookApiChanges: false });
  const salesforce = await startSalesforceEmulator({ port: 0, seed: 11 });
  const receiver = await new NotificationReceiver().start();
  const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { maxRetriesPerRequest: null });
  const config = parseConfig(
    `
tenants:
  - id: ${TENANT}
    hubspot: { accessToken: emulator-token, baseUrl: ${hubspot.url} }
    salesforce:
      loginUrl: ${salesforce.url}
      clientId: emulator-client
      refreshToken: emulator-refresh
      orgId: ${salesforce.orgId}
    owners: ${options.owners?.(salesforce) ?? '{}'}
    notifications:
      { webhook: { url: "${receiver.url}/webhook", secret: ${SECRET} }, slack: { webhookUrl: "${receiver.url}/slack" },
        salesforceTask: {}, backoff: 100ms, timeout: 1s, attempts: 4 ${options.notifications ?? ''} }
${options.sla ? `sla: ${options.sla}` : ''}
${TEST_SCORING}
`,
    {},
  );
  const logger = silentLogger();
  const registry = createConnectors(config, {
    redis,
    keyPrefix: `${prefix}:conn:`,
    recorder: new InMemoryApiCallRecorder(),
    logger,
  });
  const connectors = registry.get(TENANT);
  if (!connectors) throw new Error('no connectors for the test tenant');
  await connectors.hubspot.install({ dryRun: false });
  const store = { prefix: `${prefix}:store` };
  const links = new LeadLinks(redis, store);
  const metrics = new Metrics({ collectDefaults: false });
  const deps: EngineDeps = {
    config,
    connectors: registry,
    links,
    state: new SyncState(redis, store),
    ledger: new LeadLedger(redis, store),
    cursors: new CursorStore(redis, store),
    audit: new AuditTrail(redis, links, store),
    metrics,
    logger,
    now: () => new Date(),
  };
  const queue = createNotifyQueue(redis, logger, prefix);
  const outbox = new NotificationOutbox(redis, store);
  const hook = notifyFromReconcile(queue, config, logger);
  const harness: NotifyHarness = {
    hubspot,
    salesforce,
    receiver,
    redis,
    connectors,
    deps,
    queue,
    outbox,
    metrics,
    lastPlans: null,
    async close() {
      await worker.close();
      await queue.close();
      await deleteKeys(redis, `${prefix}:`);
      await redis.quit();
      await receiver.close();
      await hubspot.close();
      await salesforce.close();
    },
  };
  const recording: NotifyHook = async (tenant, plans, now) => {
    if (plans.some((plan) => plan.result.events.length > 0)) harness.lastPlans = { tenant, plans, now };
    await hook(tenant, plans, now);
  };
  deps.notify = recording;
  const worker = new Worker(
    QUEUE_NAMES.notify,
    notifyProcessor({ engine: deps, outbox, roundRobin: new RoundRobinStore(redis, store), queue }),
    { connection: redis, prefix: queue.opts.prefix, concurrency: 8 },
  );
  worker.on('error', () => undefined);
  return harness;
}

/** Polls `check` until it returns true or `timeoutMs` passes. */
export async function waitFor(check: () => Promise<boolean> | boolean, timeoutMs = 10_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
