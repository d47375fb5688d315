import { Redis } from 'ioredis';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HubSpotConnector } from '../../../connectors/hubspot/connector.ts';
import { startHubSpotEmulator, type HubSpotEmulator } from '../../../connectors/hubspot/emulator/index.ts';
import {
  startSalesforceEmulator,
  type SalesforceEmulator,
} from '../../../connectors/salesforce/emulator/index.ts';
import { BACKFILL_BATCH_SIZE, backfill, type BackfillSummary } from '../../../jobs/backfill.ts';
import { buildEngine, enginePrefixes } from '../../../jobs/engine-runtime.ts';
import { reconcileBatch } from '../../../jobs/reconcile/reconcile-batch.ts';
import { parseConfig } from '../../../src/config/load.ts';
import { silentLogger } from '../../../src/log/logger.ts';
import { Metrics } from '../../../src/metrics/prometheus.ts';
import { deleteKeys, emulatorConfig } from '../../helpers/emulators.ts';
import {
  backfillBound,
  callsByEndpoint,
  classifyCalls,
  snapshotHubSpot,
  snapshotSalesforce,
} from '../../helpers/call-budget.ts';

/** Sized so every cap is crossed (several HubSpot pages and batches, more than one Salesforce collection). */
const CONTACTS = Number(process.env.BACKFILL_CALLS_CONTACTS ?? 1_200);
const LEADS = Number(process.env.BACKFILL_CALLS_LEADS ?? 450);
/** Qualifies contacts with a company and a phone and hands existing ones to Salesforce (bench/backfill-run.ts). */
const DENSE_HANDOFFS = `
handoff:
  createExistingInSalesforce: true
scoring:
  mqlThreshold: 50
  rules:
    - { id: has-company, category: fit, field: company, op: exists, points: 20 }
    - { id: has-phone, category: engagement, field: phone, op: exists, points: 30 }
`;

/** The default size runs in seconds; the 10k + 2k report run gets room. */
const TIMEOUT_MS = CONTACTS > 2_000 ? 900_000 : 120_000;

describe('backfill API calls against the batch-cap minimum', () => {
  let hubspot: HubSpotEmulator;
  let salesforce: SalesforceEmulator;
  let redis: Redis;
  let base: string;

  beforeEach(async () => {
    base = `test-backfill-calls-${process.pid}-${Date.now()}`;
    hubspot = await startHubSpotEmulator({
      port: 0,
      seed: 5,
      contacts: CONTACTS,
      webhookApiChanges: false,
      faults: { burstPer10s: 0, searchPerSecond: 0 },
    });
    salesforce = await startSalesforceEmulator({ port: 0, seed: 5, seedCount: LEADS });
    redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { maxRetriesPerRequest: 1 });
  });

  afterEach(async () => {
    await deleteKeys(redis, `${base}:`);
    await redis.quit();
    await hubspot.close();
    await salesforce.close();
  });

  /**
   * Runs one backfill over the seeded emulators with `config` and checks its calls against the bound
   * computed from what the emulators held before and after. Returns the run's failures.
   */
  async function backfillWithinBound(configText: string): Promise<BackfillSummary['failures']> {
    const config = parseConfig(configText, {});
    await new HubSpotConnector(config.tenants[0]!, config).install({ dryRun: false });
    const engine = buildEngine(config, {
      redis,
      logger: silentLogger(),
      metrics: new Metrics({ collectDefaults: false }),
      prefixes: enginePrefixes(base),
    });
    const before = {
      hubspot: snapshotHubSpot(hubspot),
      salesforce: snapshotSalesforce(salesforce),
      hubspotCalls: callsByEndpoint(hubspot),
      salesforceCalls: callsByEndpoint(salesforce),
    };

    const run = await backfill(engine, reconcileBatch);
    expect(run.complete).toBe(true);

    const bound = backfillBound(before, {
      hubspot: snapshotHubSpot(hubspot),
      salesforce: snapshotSalesforce(salesforce),
    });
    const calls = {
      hubspot: classifyCalls(before.hubspotCalls, callsByEndpoint(hubspot)),
      salesforce: classifyCalls(before.salesforceCalls, callsByEndpoint(salesforce)),
    };
    console.log(
      JSON.stringify({ contacts: CONTACTS, leads: LEADS, bound, calls }, null, 1).replace(/\n\s*/g, ' '),
    );
    // The bound is what the caps allow for the records the tenants needed read and written (counted at
    // the emulators, not by LeadBridge): setup calls (identity, describe, picklist, totals) are
    // counted apart and stay a handful per run.
    expect(calls.hubspot.data).toBeLessThanOrEqual(Math.floor(1.1 * bound.hubspot.total));
    expect(calls.salesforce.data).toBeLessThanOrEqual(Math.floor(1.1 * bound.salesforce.total));
    // The email lookups before creates (every composite call but the metadata one) fill calls across
    // units: a unit does not end on a lookup call of its own (that cost one call more per unit). A
    // partial one still goes out when every unit in flight waits on the buffer and the lookup is the
    // fullest call waiting: about one unit in three (2 of 10 units at 10,000 contacts), none at 1,200.
    const units = Math.ceil(before.hubspot.contacts.size / BACKFILL_BATCH_SIZE);
    expect(
      (calls.salesforce.byEndpoint['POST /composite'] ?? 0) - bound.salesforce.fixed,
    ).toBeLessThanOrEqual(bound.salesforce.lookups + Math.floor(units / 3));
    expect(calls.hubspot.setup).toBeLessThanOrEqual(3);
    expect(calls.salesforce.setup).toBeLessThanOrEqual(6);
    return run.failures;
  }

  it(
    `a backfill of ${CONTACTS} contacts and ${LEADS} leads stays within 1.1x the calls its caps allow`,
    async () => {
      const failures = await backfillWithinBound(emulatorConfig(hubspot, salesforce));
      expect(failures.slice(0, 3)).toEqual([]);
      expect(failures).toEqual([]);
    },
    TIMEOUT_MS,
  );

  it(
    `on dense data (about half the ${CONTACTS} contacts handed to Salesforce) it stays within 1.1x as well`,
    async () => {
      // The bench's backfill data: scoring qualifies contacts with a company and a phone, and existing
      // qualified contacts are created in Salesforce, so creates fill collection calls across batches.
      const failures = await backfillWithinBound(
        emulatorConfig(hubspot, salesforce, { scoring: false, extra: DENSE_HANDOFFS }),
      );
      // Salesforce refuses the creates of contacts without a Company: parked with their cause, not retried.
      expect(failures.every((failure) => failure.code === 'REQUIRED_FIELD_MISSING')).toBe(true);
    },
    TIMEOUT_MS,
  );
});
