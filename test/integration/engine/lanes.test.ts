import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HubSpotConnector } from '../../../connectors/hubspot/connector.ts';
import { startHubSpotEmulator, type HubSpotEmulator } from '../../../connectors/hubspot/emulator/index.ts';
import {
  startSalesforceEmulator,
  type SalesforceEmulator,
} from '../../../connectors/salesforce/emulator/index.ts';
import { backfill, type BackfillSummary } from '../../../jobs/backfill.ts';
import { buildEngine, enginePrefixes } from '../../../jobs/engine-runtime.ts';
import { enqueueChangeEvents } from '../../../jobs/ingest-queue.ts';
import { LANE_PRIORITY } from '../../../jobs/reconcile-queue.ts';
import { reconcileBatch } from '../../../jobs/reconcile/reconcile-batch.ts';
import { startWorkers, type EngineWorkers } from '../../../jobs/workers.ts';
import { parseConfig } from '../../../src/config/load.ts';
import type { LeadBridgeConfig } from '../../../src/config/schema.ts';
import { silentLogger } from '../../../src/log/logger.ts';
import { Metrics } from '../../../src/metrics/prometheus.ts';
import { createContact, deleteKeys, emulatorConfig, qualifiedContact } from '../../helpers/emulators.ts';
import { REDIS_URL, TENANT, uniquePrefix, waitFor } from './engine-harness.ts';
import { contactProperties, repEditsLead } from './reconcile-harness.ts';

/** Enough contacts that the backfill runs for several seconds against the HubSpot burst limit below. */
const CONTACTS = 2_000;

/**
 * Priority lanes end to end: a rep's rejection in Salesforce, made while a backfill of a few thousand
 * contacts (another process, sharing the HubSpot rate limit through Redis) is running, overtakes it.
 */
describe('lanes: a rep’s rejection during a large backfill', () => {
  const prefix = uniquePrefix('lanes');
  let hubspot: HubSpotEmulator;
  let salesforce: SalesforceEmulator;
  let config: LeadBridgeConfig;
  let workers: EngineWorkers;
  let redis: Redis;

  beforeAll(async () => {
    hubspot = await startHubSpotEmulator({ port: 0, seed: 5, contacts: CONTACTS, webhookApiChanges: false });
    salesforce = await startSalesforceEmulator({ port: 0, seed: 5 });
    config = parseConfig(emulatorConfig(hubspot, salesforce), {});
    // A tight burst limit makes the backfill the rate limit's main user for its whole run.
    config.tenants[0]!.hubspot.burstLimitPer10s = 60;
    await new HubSpotConnector(config.tenants[0]!, config).install({ dryRun: false });
    workers = await startWorkers(config, {
      redisUrl: REDIS_URL,
      logger: silentLogger(),
      metrics: new Metrics({ collectDefaults: false }),
      reconcileBatch,
      prefix,
      schedulePolls: false,
    });
    redis = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  }, 60_000);

  afterAll(async () => {
    await workers.close();
    await deleteKeys(redis, prefix);
    await redis.quit();
    await hubspot.close();
    await salesforce.close();
  });

  it('reaches HubSpot in the rep lane while the backfill is still running', async () => {
    // A handed-off lead, synced before the backfill starts.
    const contactId = await createContact(hubspot, qualifiedContact('rejected@lanes.example'));
    await reconcileBatch(workers.engine, TENANT, [{ system: 'hubspot', id: contactId }]);
    const leadId = (await workers.engine.links.find(TENANT, 'hubspot', contactId))?.salesforceLead;
    expect(leadId).toBeTruthy();

    // The backfill, as `leadbridge backfill` runs it: its own engine over the same Redis.
    const runtime = buildEngine(config, {
      redis,
      logger: silentLogger(),
      metrics: new Metrics({ collectDefaults: false }),
      prefixes: enginePrefixes(prefix),
    });
    let done = 0;
    let finishedAt = 0;
    const running: Promise<BackfillSummary> = backfill(runtime, reconcileBatch, {
      tenants: [TENANT],
      // Batches of a page each, so the backfill has several to go when the rep acts (the default gathers
      // up to 10,000 records per batch, which would make this backfill a single step).
      batchSize: 100,
      onProgress: (progress) => {
        if (progress.system === 'hubspot') done = progress.done;
      },
    }).finally(() => (finishedAt = Date.now()));
    await waitFor(() => done >= 300, 60_000);

    // The rep rejects the lead in Salesforce; the outbound message reaches the ingest queue.
    const rejectedAt = Date.now();
    await repEditsLead(salesforce, leadId!, {
      Status: 'Closed - Not Converted',
      Rejection_Reason__c: 'No budget',
    });
    await enqueueChangeEvents(workers.queues.ingest, [
      {
        tenant: TENANT,
        system: 'salesforce',
        objectId: leadId!,
        occurredAt: new Date(rejectedAt).toISOString(),
        kind: 'updated',
        source: 'outbound_message',
        dedupKey: `om:lanes:${leadId}`,
      },
    ]);
    await waitFor(
      async () => (await contactProperties(hubspot, contactId)).leadbridge_rejection_reason === 'No budget',
      60_000,
    );
    const seenAt = Date.now();
    const backfilledThen = done;
    const summary = await running;
    console.info(
      `rep's rejection -> HubSpot during a ${CONTACTS}-contact backfill: ${((seenAt - rejectedAt) / 1000).toFixed(2)} s ` +
        `(backfill at ${backfilledThen}/${CONTACTS} then, finished ${((finishedAt - seenAt) / 1000).toFixed(1)} s later)`,
    );

    // It overtook the backfill: visible in HubSpot while the backfill still had pages to go.
    expect(finishedAt).toBeGreaterThan(seenAt);
    expect(backfilledThen).toBeLessThan(CONTACTS);
    expect(summary.failures).toEqual([]);
    // And travelled in the rep lane: its reconcile job had the rep lane's priority.
    const jobs = await workers.queues.reconcile.getJobs(['completed'], 0, 100);
    const repJobs = jobs.filter(
      (job) => job.opts.priority === LANE_PRIORITY.rep && job.returnvalue?.refs > 0,
    );
    expect(repJobs.length).toBeGreaterThanOrEqual(1);
  }, 120_000);
});
