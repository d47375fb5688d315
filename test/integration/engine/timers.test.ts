import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHubSpotEmulator, type HubSpotEmulator } from '../../../connectors/hubspot/emulator/index.ts';
import { HubSpotConnector } from '../../../connectors/hubspot/connector.ts';
import {
  startSalesforceEmulator,
  type SalesforceEmulator,
} from '../../../connectors/salesforce/emulator/index.ts';
import { enginePrefixes } from '../../../jobs/engine-runtime.ts';
import { reconcileBatch } from '../../../jobs/reconcile/reconcile-batch.ts';
import { scheduleReconcile } from '../../../jobs/reconcile-queue.ts';
import { startWorkers, type EngineWorkers } from '../../../jobs/workers.ts';
import { parseConfig } from '../../../src/config/load.ts';
import type { LeadBridgeConfig } from '../../../src/config/schema.ts';
import type { SystemName } from '../../../src/domain/lead.ts';
import { silentLogger } from '../../../src/log/logger.ts';
import { Metrics } from '../../../src/metrics/prometheus.ts';
import { tenantKey } from '../../../src/store/keys.ts';
import { decodeLedgerEntry } from '../../../src/store/ledger-codec.ts';
import { createContact, emulatorConfig, qualifiedContact } from '../../helpers/emulators.ts';
import { dropKeys, REDIS_URL, TENANT, uniquePrefix, waitFor } from './engine-harness.ts';
import { contactProperties, repEditsLead, salesforceRecord } from './reconcile-harness.ts';

// Default sync settings (debounce 2s): a due timer skips the debounce, its lead is reconciled at once.
const FOLLOW_UP_MS = 3_000;

describe('timers: deadlines fire on their own, once, through real delayed jobs', () => {
  const prefix = uniquePrefix('timers');
  let hubspot: HubSpotEmulator;
  let salesforce: SalesforceEmulator;
  let config: LeadBridgeConfig;
  let workers: EngineWorkers;

  const start = () =>
    startWorkers(config, {
      redisUrl: REDIS_URL,
      logger: silentLogger(),
      metrics: new Metrics({ collectDefaults: false }),
      reconcileBatch,
      prefix,
      schedulePolls: false,
    });

  beforeAll(async () => {
    hubspot = await startHubSpotEmulator({ port: 0, seed: 3, contacts: 0, webhookApiChanges: false });
    salesforce = await startSalesforceEmulator({ port: 0, seed: 3 });
    config = parseConfig(
      emulatorConfig(hubspot, salesforce, {
        extra: `sla: { followUpWithin: ${FOLLOW_UP_MS}ms, rejectionFeedbackWithin: 1h }\nsync: { pollInterval: 1h }`,
      }),
      {},
    );
    await new HubSpotConnector(config.tenants[0]!, config).install({ dryRun: false });
    workers = await start();
  });

  afterAll(async () => {
    await workers.close();
    await dropKeys(prefix);
    await hubspot.close();
    await salesforce.close();
  });

  /** What change detection would do: the record is pending, the tenant's reconcile is scheduled. */
  async function changed(system: SystemName, id: string) {
    await workers.pending.add(TENANT, [{ system, id, source: 'manual' }], Date.now());
    await scheduleReconcile(workers.queues.reconcile, TENANT, 0);
  }

  async function handedOff(email: string): Promise<{ contactId: string; leadKey: string; leadId: string }> {
    const contactId = await createContact(hubspot, qualifiedContact(email));
    await changed('hubspot', contactId);
    let leadId: string | null = null;
    let leadKey = '';
    // The link gets its Lead when the Lead is created, the ledger its handoff when the pass is stored
    // (a moment later): wait for both.
    await waitFor(async () => {
      const link = await workers.engine.links.find(TENANT, 'hubspot', contactId);
      leadId = link?.salesforceLead ?? null;
      leadKey = link?.leadKey ?? '';
      if (leadId === null) return false;
      const { entries } = await workers.engine.ledger.read(TENANT, leadKey);
      return entries.some((entry) => entry.type === 'transition' && entry.rule === 'handoff');
    });
    return { contactId, leadKey, leadId: leadId as unknown as string };
  }

  async function ledgerOf(leadKey: string) {
    return (await workers.engine.ledger.read(TENANT, leadKey)).entries;
  }

  it('writes the follow-up breach to both sides at the due time with no other change', async () => {
    const lead = await handedOff('late@timers.example');
    const handoff = (await ledgerOf(lead.leadKey)).find(
      (entry) => entry.type === 'transition' && entry.rule === 'handoff',
    );
    const dueAt = handoff?.type === 'transition' ? handoff.timers?.followUpDueAt : undefined;
    expect(dueAt).toBeDefined();
    await waitFor(
      async () => (await contactProperties(hubspot, lead.contactId)).leadbridge_sla_breached === 'true',
      15_000,
    );
    const seenMs = Date.now();
    const record = await salesforceRecord(salesforce, 'Lead', lead.leadId);
    expect(record.LeadBridge_SLA_Breached__c).toBe(true);
    const breaches = (await ledgerOf(lead.leadKey)).filter((entry) => entry.type === 'breach');
    expect(breaches).toEqual([
      expect.objectContaining({ timer: 'follow_up', sourceTime: dueAt, cause: 'timer' }),
    ]);
    const lateness = seenMs - Date.parse(dueAt as string);
    console.info(`timer lateness (due -> breach visible in HubSpot): ${lateness} ms`);
    expect(lateness).toBeLessThan(5_000);
  });

  it('never breaches a follow-up made on time', async () => {
    const lead = await handedOff('ontime@timers.example');
    await repEditsLead(salesforce, lead.leadId, { Status: 'Working - Contacted' });
    await changed('salesforce', lead.leadId);
    await waitFor(async () =>
      (await ledgerOf(lead.leadKey)).some((entry) => entry.type === 'transition' && entry.to === 'sql'),
    );
    await new Promise((resolve) => setTimeout(resolve, FOLLOW_UP_MS + 1_500));
    expect(
      (await ledgerOf(lead.leadKey)).filter(
        (entry) => entry.type === 'breach' && entry.timer === 'follow_up',
      ),
    ).toEqual([]);
    expect((await contactProperties(hubspot, lead.contactId)).leadbridge_sla_breached).not.toBe('true');
  });

  it('a restart between scheduling and firing still fires, once', async () => {
    const lead = await handedOff('restart@timers.example');
    const delayed = await workers.queues.timers.getDelayed();
    expect(delayed.some((job) => job.data.leadKey === lead.leadKey && job.data.name === 'follow_up')).toBe(
      true,
    );
    await workers.close();
    await new Promise((resolve) => setTimeout(resolve, FOLLOW_UP_MS + 500));
    workers = await start();
    await waitFor(
      async () => (await contactProperties(hubspot, lead.contactId)).leadbridge_sla_breached === 'true',
      15_000,
    );
    // Scheduling the same deadline again (another pass) adds nothing: it has fired.
    await changed('hubspot', lead.contactId);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const breaches = (await ledgerOf(lead.leadKey)).filter(
      (entry) => entry.type === 'breach' && entry.timer === 'follow_up',
    );
    expect(breaches).toHaveLength(1);
    expect((await salesforceRecord(salesforce, 'Lead', lead.leadId)).LeadBridge_SLA_Breached__c).toBe(true);
  });

  it('a worker start schedules deadlines opened where no timer queue was attached', async () => {
    const contactId = await createContact(hubspot, qualifiedContact('unscheduled@timers.example'));
    // As the demo's initial sync or an older version would: reconciled with no timer scheduler.
    await reconcileBatch({ ...workers.engine, timers: undefined }, TENANT, [
      { system: 'hubspot', id: contactId },
    ]);
    const link = await workers.engine.links.find(TENANT, 'hubspot', contactId);
    const delayed = await workers.queues.timers.getDelayed();
    expect(delayed.some((job) => job.data.leadKey === link?.leadKey)).toBe(false);
    await workers.close();
    workers = await start();
    await waitFor(
      async () => (await contactProperties(hubspot, contactId)).leadbridge_sla_breached === 'true',
      15_000,
    );
    const breaches = (await ledgerOf(link!.leadKey)).filter(
      (entry) => entry.type === 'breach' && entry.timer === 'follow_up',
    );
    expect(breaches).toHaveLength(1);
  });

  it("a worker start moves an earlier version's ledger index into the set of leads and keeps its deadlines", async () => {
    const contactId = await createContact(hubspot, qualifiedContact('upgraded@timers.example'));
    await reconcileBatch({ ...workers.engine, timers: undefined }, TENANT, [
      { system: 'hubspot', id: contactId },
    ]);
    const leadKey = (await workers.engine.links.find(TENANT, 'hubspot', contactId))!.leadKey;
    const store = enginePrefixes(prefix).store;
    const legacy = tenantKey(store, TENANT, 'ledger-index');
    const leads = tenantKey(store, TENANT, 'ledger-leads');
    // As an earlier version left it: no set, every reported entry copied into the list.
    const redis = new Redis(REDIS_URL);
    try {
      const raws = await redis.lrange(workers.engine.ledger.key(TENANT, leadKey), 0, -1);
      const reported = raws.filter((raw) =>
        ['transition', 'feedback', 'breach'].includes(decodeLedgerEntry(raw)!.type),
      );
      const members = await redis.smembers(leads);
      await redis.del(leads);
      await redis.rpush(
        legacy,
        ...members.filter((member) => member !== leadKey).map((member) => `${member}\tnot-read`),
        ...reported.map((raw) => `${leadKey}\t${raw}`),
      );
      await workers.close();
      workers = await start();
      expect(await redis.exists(legacy)).toBe(0);
      expect((await redis.smembers(leads)).sort()).toEqual(members.sort());
    } finally {
      await redis.quit();
    }
    await waitFor(
      async () => (await contactProperties(hubspot, contactId)).leadbridge_sla_breached === 'true',
      15_000,
    );
  });
});
