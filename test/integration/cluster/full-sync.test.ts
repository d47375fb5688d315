import type { Redis } from 'ioredis';
import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHubSpotEmulator, type HubSpotEmulator } from '../../../connectors/hubspot/emulator/index.ts';
import {
  startSalesforceEmulator,
  type SalesforceEmulator,
} from '../../../connectors/salesforce/emulator/index.ts';
import { backfill } from '../../../jobs/backfill.ts';
import { attachTimerQueue, buildEngine, enginePrefixes } from '../../../jobs/engine-runtime.ts';
import { QUEUE_NAMES, queuePrefix, type QueueRole } from '../../../jobs/queue-names.ts';
import { reconcileBatch } from '../../../jobs/reconcile/reconcile-batch.ts';
import { startWorkers, type EngineWorkers } from '../../../jobs/workers.ts';
import { parseConfig } from '../../../src/config/load.ts';
import type { LeadBridgeConfig } from '../../../src/config/schema.ts';
import { silentLogger } from '../../../src/log/logger.ts';
import { Metrics } from '../../../src/metrics/prometheus.ts';
import { hashTag } from '../../../src/store/keys.ts';
import { createContact, qualifiedContact, TEST_SCORING } from '../../helpers/emulators.ts';
import { NotificationReceiver } from '../../helpers/notification-receiver.ts';
import {
  contactProperties,
  editContact,
  plainContact,
  repEditsLead,
  salesforceRecord,
} from '../engine/reconcile-harness.ts';
import {
  CLUSTER_URL,
  clusterPrefix,
  clusterSuite,
  connectCluster,
  dropClusterKeys,
  keysByNode,
  slotOf,
} from './cluster-env.ts';

const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
/** HubSpot contacts per tenant below the MQL threshold, plus QUALIFIED ones that are handed off at once. */
const PLAIN = 40;
const QUALIFIED = 3;
/** Long enough for a rep's edit made right after the backfill to be polled first on a loaded machine. */
const FOLLOW_UP_MS = 6_000;

interface TenantSystems {
  id: string;
  hubspot: HubSpotEmulator;
  salesforce: SalesforceEmulator;
  qualified: string[];
  plain: string[];
  /** A lead a rep entered in Salesforce with the email of plain contact 0. */
  repLead: string;
}

async function createLead(salesforce: SalesforceEmulator, email: string): Promise<string> {
  const response = await fetch(`${salesforce.url}/__emulator/leads`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      fields: { LastName: 'Rep', Company: 'Initech', Email: email, Status: 'Open - Not Contacted' },
    }),
  });
  if (!response.ok) throw new Error(`create lead: ${response.status} ${await response.text()}`);
  return ((await response.json()) as { id: string }).id;
}

async function waitFor(check: () => Promise<boolean> | boolean, timeoutMs = 15_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** The master that serves `slot` (CLUSTER SLOTS), as host:port. */
async function nodeOfSlot(redis: Redis, slot: number): Promise<string> {
  const ranges = (await redis.call('CLUSTER', 'SLOTS')) as Array<[number, number, [string, number]]>;
  const range = ranges.find(([from, to]) => slot >= from && slot <= to);
  if (!range) throw new Error(`no node serves slot ${slot}`);
  return `${range[2][0]}:${range[2][1]}`;
}

describe.skipIf(!CLUSTER_URL)(clusterSuite('Redis Cluster: a full sync of two tenants'), () => {
  const prefix = clusterPrefix('sync');
  const prefixes = enginePrefixes(prefix);
  const tenants: TenantSystems[] = [];
  let receiver: NotificationReceiver;
  let config: LeadBridgeConfig;
  let redis: Redis;
  let workers: EngineWorkers | undefined;

  beforeAll(async () => {
    redis = connectCluster();
    // Two tenants whose hash tags the cluster serves from different masters.
    const first = 'acme';
    const firstNode = await nodeOfSlot(redis, await slotOf(redis, hashTag(first)));
    let second = '';
    for (let i = 0; !second; i++) {
      const id = `globex-${i}`;
      if ((await nodeOfSlot(redis, await slotOf(redis, hashTag(id)))) !== firstNode) second = id;
    }
    receiver = await new NotificationReceiver().start();
    for (const [index, id] of [first, second].entries()) {
      const hubspot = await startHubSpotEmulator({
        port: 0,
        seed: 31 + index,
        contacts: 0,
        webhookApiChanges: false,
      });
      const salesforce = await startSalesforceEmulator({ port: 0, seed: 31 + index });
      const plain: string[] = [];
      for (let i = 0; i < PLAIN; i++)
        plain.push(await createContact(hubspot, plainContact(`p${i}@${id}.example`)));
      const qualified: string[] = [];
      for (let i = 0; i < QUALIFIED; i++)
        qualified.push(await createContact(hubspot, qualifiedContact(`q${i}@${id}.example`)));
      const repLead = await createLead(salesforce, `p0@${id}.example`);
      tenants.push({ id, hubspot, salesforce, qualified, plain, repLead });
    }
    const tenantYaml = tenants
      .map(
        (tenant) => `
  - id: ${tenant.id}
    hubspot: { accessToken: emulator-token, baseUrl: ${tenant.hubspot.url} }
    salesforce:
      loginUrl: ${tenant.salesforce.url}
      clientId: emulator-client
      refreshToken: emulator-refresh
      orgId: ${tenant.salesforce.orgId}
    notifications:
      { webhook: { url: "${receiver.url}/${tenant.id}", secret: ${SECRET} }, backoff: 100ms, timeout: 1s, attempts: 4 }`,
      )
      .join('');
    config = parseConfig(
      `
tenants:${tenantYaml}
sla: { followUpWithin: ${FOLLOW_UP_MS}ms, rejectionFeedbackWithin: 1h }
sync: { pollInterval: 1s, pollOverlap: 2s, debounce: 100ms }
${TEST_SCORING}
`,
      {},
    );
    const { HubSpotConnector } = await import('../../../connectors/hubspot/connector.ts');
    for (const tenant of config.tenants)
      await new HubSpotConnector(tenant, config).install({ dryRun: false });
  });

  afterAll(async () => {
    await workers?.close();
    await dropClusterKeys(redis, prefix);
    await redis.quit();
    await receiver?.close();
    for (const tenant of tenants) {
      await tenant.hubspot.close();
      await tenant.salesforce.close();
    }
  });

  it('backfills both tenants through the cluster: every person linked once, qualified leads handed off', async () => {
    const runtime = buildEngine(config, {
      redis,
      logger: silentLogger(),
      metrics: new Metrics({ collectDefaults: false }),
      prefixes,
    });
    const timers = attachTimerQueue(runtime.engine, redis, silentLogger(), prefixes.queue);
    try {
      const summary = await backfill(runtime, reconcileBatch, { batchSize: 100 });
      expect(summary.failures).toEqual([]);
      expect(summary.complete).toBe(true);
      for (const tenant of tenants) {
        for (const id of tenant.qualified) {
          const link = await runtime.engine.links.find(tenant.id, 'hubspot', id);
          expect(link?.salesforceLead).toBeTruthy();
        }
        // The rep's Salesforce lead and HubSpot's p0 are one person: one link, both sides.
        const p0 = await runtime.engine.links.find(tenant.id, 'hubspot', tenant.plain[0]!);
        expect(p0?.salesforceLead).toBe(tenant.repLead);
        // Below the threshold, not handed off: no Salesforce lead for the others.
        const p1 = await runtime.engine.links.find(tenant.id, 'hubspot', tenant.plain[1]!);
        expect(p1?.salesforceLead ?? null).toBeNull();
      }
      // A rep works one handed-off lead per tenant at once, inside its follow-up time (the workers,
      // started next, find the edit by polling before the deadline fires).
      for (const tenant of tenants) {
        const worked = await runtime.engine.links.find(tenant.id, 'hubspot', tenant.qualified[0]!);
        await repEditsLead(tenant.salesforce, worked!.salesforceLead!, { Status: 'Working - Contacted' });
      }
      // The handoffs opened follow-up deadlines: delayed jobs in the cluster, for the workers to fire.
      const followUps = (await timers.getDelayed()).filter((job) => job.data.name === 'follow_up');
      expect(followUps).toHaveLength(QUALIFIED * tenants.length);
    } finally {
      await timers.close();
    }
  });

  it('workers on the cluster: edits in either system reach the other, deadlines fire, notifications go out', async () => {
    workers = await startWorkers(config, {
      redisUrl: CLUSTER_URL,
      logger: silentLogger(),
      metrics: new Metrics({ collectDefaults: false }),
      reconcileBatch,
      prefix,
    });
    const engine = workers.engine;
    for (const tenant of tenants) {
      // A marketer fills in a plain contact's title and phone in HubSpot: it qualifies and is handed off.
      await editContact(tenant.hubspot, tenant.plain[1]!, {
        jobtitle: 'VP Sales',
        phone: '+44 20 7946 0001',
      });
    }
    for (const tenant of tenants) {
      await waitFor(
        async () =>
          (await contactProperties(tenant.hubspot, tenant.qualified[0]!)).leadbridge_stage === 'sql',
      );
      await waitFor(async () =>
        Boolean((await engine.links.find(tenant.id, 'hubspot', tenant.plain[1]!))?.salesforceLead),
      );
      const created = await engine.links.find(tenant.id, 'hubspot', tenant.plain[1]!);
      expect((await salesforceRecord(tenant.salesforce, 'Lead', created!.salesforceLead!)).Email).toBe(
        `p1@${tenant.id}.example`,
      );
      // Nobody followed up the other backfilled handoffs: their deadline fired and is on both sides.
      const late = await engine.links.find(tenant.id, 'hubspot', tenant.qualified[1]!);
      await waitFor(
        async () =>
          (await contactProperties(tenant.hubspot, tenant.qualified[1]!)).leadbridge_sla_breached === 'true',
      );
      expect(
        (await salesforceRecord(tenant.salesforce, 'Lead', late!.salesforceLead!)).LeadBridge_SLA_Breached__c,
      ).toBe(true);
      // The worked lead was followed up in time: never breached.
      expect(
        (await contactProperties(tenant.hubspot, tenant.qualified[0]!)).leadbridge_sla_breached,
      ).not.toBe('true');
      // The handoff during the run was announced to the tenant's own receiver.
      await waitFor(() => receiver.received(`/${tenant.id}`).length > 0);
    }
  });

  it("keeps each tenant's keys in one slot, spreads queues and tenants over the masters", async () => {
    const where = await keysByNode(redis, prefix);
    expect(where.size).toBeGreaterThan(0);
    const nodesOfTenant = new Map<string, Set<string>>();
    for (const tenant of tenants) {
      const tag = hashTag(tenant.id);
      const keys = [...where.keys()].filter((key) => key.includes(tag));
      expect(keys.length).toBeGreaterThan(10);
      const slots = new Set(await Promise.all(keys.map((key) => slotOf(redis, key))));
      expect(slots.size).toBe(1);
      nodesOfTenant.set(tenant.id, new Set(keys.map((key) => where.get(key)!)));
    }
    const [a, b] = tenants.map((tenant) => [...nodesOfTenant.get(tenant.id)!][0]);
    expect(a).not.toBe(b);

    // A per-tenant queue (queuePrefix with a tenant scope) lives with its tenant's keys, on its node.
    for (const tenant of tenants) {
      const queue = new Queue(QUEUE_NAMES.reconcile, {
        connection: redis,
        prefix: queuePrefix(prefix, 'reconcile', { tenant: tenant.id }),
      });
      await queue.add('reconcile', { tenant: tenant.id });
      await queue.close();
    }
    const after = await keysByNode(redis, prefix);
    for (const tenant of tenants) {
      const queueKeys = [...after.keys()].filter((key) => key.startsWith(`${prefix}:${hashTag(tenant.id)}:`));
      expect(queueKeys.length).toBeGreaterThan(0);
      expect(new Set(queueKeys.map((key) => after.get(key)))).toEqual(nodesOfTenant.get(tenant.id));
    }

    // The shared queues: each in one slot, together on more than one master.
    const roles = Object.keys(QUEUE_NAMES) as QueueRole[];
    const queueNodes = new Set<string>();
    for (const role of roles) {
      const keys = [...after.keys()].filter((key) => key.startsWith(`${queuePrefix(prefix, role)}:`));
      if (keys.length === 0) continue;
      expect(new Set(await Promise.all(keys.map((key) => slotOf(redis, key)))).size).toBe(1);
      queueNodes.add(after.get(keys[0]!)!);
    }
    expect(queueNodes.size).toBeGreaterThanOrEqual(2);
  });
});
