import { Redis } from 'ioredis';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HubSpotConnector } from '../../../connectors/hubspot/connector.ts';
import { startHubSpotEmulator, type HubSpotEmulator } from '../../../connectors/hubspot/emulator/index.ts';
import {
  startSalesforceEmulator,
  type SalesforceEmulator,
} from '../../../connectors/salesforce/emulator/index.ts';
import { backfill } from '../../../jobs/backfill.ts';
import { buildEngine, enginePrefixes } from '../../../jobs/engine-runtime.ts';
import { reconcileBatch } from '../../../jobs/reconcile/reconcile-batch.ts';
import { parseConfig } from '../../../src/config/load.ts';
import { silentLogger } from '../../../src/log/logger.ts';
import { Metrics } from '../../../src/metrics/prometheus.ts';
import {
  createContact,
  deleteKeys,
  emulatorConfig,
  postJson,
  qualifiedContact,
} from '../../helpers/emulators.ts';

const TENANT = 'acme';

describe('first backfill with createExistingInSalesforce: people already in Salesforce', () => {
  let hubspot: HubSpotEmulator;
  let salesforce: SalesforceEmulator;
  let redis: Redis;
  let base: string;

  beforeEach(async () => {
    base = `test-backfill-existing-${process.pid}-${Date.now()}`;
    hubspot = await startHubSpotEmulator({ port: 0, seed: 31, contacts: 0, webhookApiChanges: false });
    salesforce = await startSalesforceEmulator({ port: 0, seed: 31 });
    redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { maxRetriesPerRequest: 1 });
  });

  afterEach(async () => {
    await deleteKeys(redis, `${base}:`);
    await redis.quit();
    await hubspot.close();
    await salesforce.close();
  });

  const leadsWithEmail = (address: string) =>
    salesforce.state.store
      .rows('Lead')
      .filter((row) => row.IsDeleted !== true && String(row.Email ?? '').toLowerCase() === address)
      .map((row) => String(row.Id));

  async function repCreatesLead(email: string): Promise<string> {
    const answer = (await postJson(`${salesforce.url}/__emulator/leads`, {
      fields: { LastName: 'Rep', Company: 'Initech', Email: email, Status: 'Working - Contacted' },
    })) as { id: string };
    return answer.id;
  }

  it('links the existing Leads (any case) instead of creating second ones; new people are created', async () => {
    // Already worked in HubSpot (an SQL), and already a Lead in Salesforce, entered by a rep.
    const worked = 'worked@existing.example';
    await createContact(hubspot, { ...qualifiedContact(worked), lifecyclestage: 'salesqualifiedlead' });
    const workedLead = await repCreatesLead('Worked@Existing.EXAMPLE');
    // Qualifies on first sight, and is a Lead in Salesforce already.
    const qualified = 'qualified@existing.example';
    await createContact(hubspot, qualifiedContact(qualified));
    const qualifiedLead = await repCreatesLead(qualified);
    // Qualifies, and nobody in Salesforce has the email: created.
    const fresh = 'fresh@existing.example';
    await createContact(hubspot, qualifiedContact(fresh));

    const config = parseConfig(
      emulatorConfig(hubspot, salesforce, { extra: 'handoff:\n  createExistingInSalesforce: true\n' }),
      {},
    );
    await new HubSpotConnector(config.tenants[0]!, config).install({ dryRun: false });
    const engine = buildEngine(config, {
      redis,
      logger: silentLogger(),
      metrics: new Metrics({ collectDefaults: false }),
      prefixes: enginePrefixes(base),
    });

    const run = await backfill(engine, reconcileBatch);

    expect(run.complete).toBe(true);
    expect(run.failures).toEqual([]);
    expect(leadsWithEmail(worked)).toEqual([workedLead]);
    expect(leadsWithEmail(qualified)).toEqual([qualifiedLead]);
    expect(leadsWithEmail(fresh)).toHaveLength(1);
    expect(run.created.salesforce).toBe(1);
    const links = engine.engine.links;
    expect((await links.find(TENANT, 'email', worked))?.salesforceLead).toBe(workedLead);
    expect((await links.find(TENANT, 'email', qualified))?.salesforceLead).toBe(qualifiedLead);
    // No duplicates were recorded: each person has one Lead, linked.
    for (const address of [worked, qualified]) {
      const link = await links.find(TENANT, 'email', address);
      expect(link?.history.filter((change) => change.change === 'duplicate')).toEqual([]);
    }
  });
});
