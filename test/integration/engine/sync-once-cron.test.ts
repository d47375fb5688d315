import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HubSpotConnector } from '../../../connectors/hubspot/connector.ts';
import { startHubSpotEmulator, type HubSpotEmulator } from '../../../connectors/hubspot/emulator/index.ts';
import {
  startSalesforceEmulator,
  type SalesforceEmulator,
} from '../../../connectors/salesforce/emulator/index.ts';
import { reconcileBatch } from '../../../jobs/reconcile/reconcile-batch.ts';
import { runSyncOncePass } from '../../../jobs/sync-once-run.ts';
import { parseConfig } from '../../../src/config/load.ts';
import type { LeadBridgeConfig } from '../../../src/config/schema.ts';
import { silentLogger } from '../../../src/log/logger.ts';
import { Metrics } from '../../../src/metrics/prometheus.ts';
import { LeadLedger } from '../../../src/store/lead-ledger.ts';
import { LeadLinks } from '../../../src/store/lead-links.ts';
import { createContact, qualifiedContact, TEST_SCORING } from '../../helpers/emulators.ts';
import { NotificationReceiver } from '../../helpers/notification-receiver.ts';
import { dropKeys, REDIS_URL, TENANT, uniquePrefix } from './engine-harness.ts';
import { contactProperties, salesforceRecord } from './reconcile-harness.ts';

const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';

/** `sync --once` as a cron install runs it, with no `leadbridge worker` anywhere. */
function useCronInstall(name: string, sla: string) {
  const prefix = uniquePrefix(name);
  const ctx = {} as {
    hubspot: HubSpotEmulator;
    salesforce: SalesforceEmulator;
    receiver: NotificationReceiver;
    redis: Redis;
    config: LeadBridgeConfig;
    run: () => ReturnType<typeof runSyncOncePass>;
    links: LeadLinks;
    ledger: LeadLedger;
  };
  beforeAll(async () => {
    ctx.hubspot = await startHubSpotEmulator({ port: 0, seed: 7, contacts: 0, webhookApiChanges: false });
    ctx.salesforce = await startSalesforceEmulator({ port: 0, seed: 7 });
    ctx.receiver = await new NotificationReceiver().start();
    ctx.redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 2 });
    ctx.config = parseConfig(
      `
tenants:
  - id: ${TENANT}
    hubspot: { accessToken: emulator-token, baseUrl: ${ctx.hubspot.url} }
    salesforce:
      loginUrl: ${ctx.salesforce.url}
      clientId: emulator-client
      refreshToken: emulator-refresh
      orgId: ${ctx.salesforce.orgId}
    notifications:
      { webhook: { url: "${ctx.receiver.url}/webhook", secret: ${SECRET} }, backoff: 100ms, timeout: 1s, attempts: 4 }
sla: ${sla}
sync: { pollInterval: 1h }
${TEST_SCORING}
`,
      {},
    );
    await new HubSpotConnector(ctx.config.tenants[0]!, ctx.config).install({ dryRun: false });
    const store = { prefix: `${prefix}:store` };
    ctx.links = new LeadLinks(ctx.redis, store);
    ctx.ledger = new LeadLedger(ctx.redis, store);
    ctx.run = () =>
      runSyncOncePass(ctx.config, {
        redis: ctx.redis,
        redisUrl: REDIS_URL,
        logger: silentLogger(),
        metrics: new Metrics({ collectDefaults: false }),
        prefix,
        reconcileBatch,
      });
  });
  afterAll(async () => {
    await ctx.redis.quit();
    await dropKeys(prefix);
    await ctx.receiver.close();
    await ctx.hubspot.close();
    await ctx.salesforce.close();
  });
  return ctx;
}

describe('sync --once notifies by itself (cron install, no worker)', () => {
  const ctx = useCronInstall('cron-notify', '{ followUpWithin: 1h, rejectionFeedbackWithin: 1h }');

  it('a handoff made by the pass is notified once, and the next pass does not notify again', async () => {
    await createContact(ctx.hubspot, qualifiedContact('ada@cron.example'));
    const first = await ctx.run();
    expect(first.failures).toEqual([]);
    expect(first.created.salesforce).toBe(1);
    // Delivered before the command returns: nothing runs after it exits.
    const deliveries = ctx.receiver.received('/webhook');
    expect(deliveries).toHaveLength(1);
    expect(JSON.parse(deliveries[0]!.body)).toMatchObject({ type: 'lead_handed_off', tenant: TENANT });

    const second = await ctx.run();
    expect(second.failures).toEqual([]);
    expect(ctx.receiver.received('/webhook')).toHaveLength(1);
  });
});

describe('sync --once fires the deadlines that fell due since the last run', () => {
  const FOLLOW_UP_MS = 2_000;
  const ctx = useCronInstall(
    'cron-timers',
    `{ followUpWithin: ${FOLLOW_UP_MS}ms, rejectionFeedbackWithin: 1h }`,
  );

  it('writes the follow-up breach to both sides on the next run, with no other change', async () => {
    const contactId = await createContact(ctx.hubspot, qualifiedContact('late@cron.example'));
    const first = await ctx.run();
    expect(first.failures).toEqual([]);
    const link = await ctx.links.find(TENANT, 'hubspot', contactId);
    const leadId = link?.salesforceLead as string;
    expect(leadId).toBeTruthy();
    expect((await contactProperties(ctx.hubspot, contactId)).leadbridge_sla_breached).not.toBe('true');

    await new Promise((resolve) => setTimeout(resolve, FOLLOW_UP_MS + 500));
    // Nothing changed in either system between the runs: only the deadline came due.
    const second = await ctx.run();
    expect(second.failures).toEqual([]);
    expect((await contactProperties(ctx.hubspot, contactId)).leadbridge_sla_breached).toBe('true');
    expect((await salesforceRecord(ctx.salesforce, 'Lead', leadId)).LeadBridge_SLA_Breached__c).toBe(true);
    const breaches = (await ctx.ledger.read(TENANT, link!.leadKey)).entries.filter(
      (entry) => entry.type === 'breach' && entry.timer === 'follow_up',
    );
    expect(breaches).toEqual([expect.objectContaining({ cause: 'timer' })]);
    expect(second.timersRun).toBeGreaterThanOrEqual(1);

    // A third run finds nothing due and writes nothing.
    const third = await ctx.run();
    expect(third.written).toEqual({ hubspot: 0, salesforce: 0 });
    expect(third.timersRun).toBe(0);
  });
});

describe('sync --once rides out a HubSpot token that expires during its polls', () => {
  const ctx = useCronInstall('cron-expiry', '{ followUpWithin: 1h, rejectionFeedbackWithin: 1h }');
  const faults = (body: object) =>
    fetch(`${ctx.hubspot.url}/__emulator/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });

  it('retries the poll page the expired token refused; what still fails stays retryable', async () => {
    const contactId = await createContact(ctx.hubspot, qualifiedContact('token@cron.example'));
    // Every second HubSpot call finds the OAuth token expired (HTTP 401 EXPIRED_AUTHENTICATION); one call
    // of ours first, so the pass's first call (the poll's search) is the one refused.
    await faults({ expiredTokenEvery: 2 });
    const direct = await fetch(`${ctx.hubspot.url}/crm/v3/objects/contacts/${contactId}`, {
      headers: { authorization: 'Bearer emulator-token' },
    });
    expect(direct.status).toBe(200);
    try {
      const pass = await ctx.run();
      // The poll itself completed: no failure without a record (a failed page), the contact was read.
      expect(pass.failures.filter((failure) => failure.recordId === null)).toEqual([]);
      expect(pass.polls.find((poll) => poll.system === 'hubspot')).toMatchObject({ done: true, records: 1 });
      // A batch that met an expired token on every try is reported as retryable, never as permanent.
      expect(pass.failures.every((failure) => failure.retryable)).toBe(true);
    } finally {
      await faults({ expiredTokenEvery: 0 });
    }
    const next = await ctx.run();
    expect(next.failures).toEqual([]);
    expect((await ctx.links.find(TENANT, 'hubspot', contactId))?.salesforceLead).toBeTruthy();
  });
});
