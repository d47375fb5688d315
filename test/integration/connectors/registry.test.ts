import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createConnectors, type TenantConnectors } from '../../../connectors/index.ts';
import { startHubSpotEmulator, type HubSpotEmulator } from '../../../connectors/hubspot/emulator/index.ts';
import {
  startSalesforceEmulator,
  type SalesforceEmulator,
} from '../../../connectors/salesforce/emulator/index.ts';
import type { SystemRecord } from '../../../connectors/types.ts';
import { parseConfig } from '../../../src/config/load.ts';
import { silentLogger } from '../../../src/log/logger.ts';
import { InMemoryApiCallRecorder } from '../../../src/metrics/api-calls.ts';

const prefix = `lbtest-registry-${process.pid}:`;

describe('connector registry against both emulators', () => {
  let hubspot: HubSpotEmulator;
  let salesforce: SalesforceEmulator;
  let redis: Redis;
  let connectors: TenantConnectors;
  const recorder = new InMemoryApiCallRecorder();

  beforeAll(async () => {
    hubspot = await startHubSpotEmulator({ port: 0, seed: 7, contacts: 12 });
    salesforce = await startSalesforceEmulator({ port: 0, seed: 7 });
    redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
    const config = parseConfig(
      `
tenants:
  - id: acme
    hubspot: { accessToken: emulator-token, baseUrl: ${hubspot.url} }
    salesforce:
      loginUrl: ${salesforce.url}
      clientId: emulator-client
      refreshToken: emulator-refresh
      orgId: ${salesforce.orgId}
`,
      {},
    );
    const registry = createConnectors(config, { redis, keyPrefix: prefix, recorder, logger: silentLogger() });
    expect([...registry.keys()]).toEqual(['acme']);
    connectors = registry.get('acme')!;
  });

  afterAll(async () => {
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();
    await hubspot.close();
    await salesforce.close();
  });

  it('backfills HubSpot contacts and carries them into Salesforce leads and back with the same canonical values, in batched calls', async () => {
    const polled: SystemRecord[] = [];
    let after: string | null = null;
    for (let page = 0; page < 10; page += 1) {
      const result = await connectors.hubspot.backfill(after);
      polled.push(...result.records);
      after = result.after;
      if (after === null) break;
    }
    const contacts = new Map(polled.map((record) => [record.id, record]));
    expect(contacts.size).toBe(12);
    // One list page covers all 12 contacts: a backfill costs one call per 100 contacts, not one per contact.
    expect(recorder.count({ system: 'hubspot' })).toBe(1);

    const sendable = [...contacts.values()].filter((record) => record.lead.lastName && record.lead.company);
    expect(sendable.length).toBeGreaterThan(0);
    recorder.reset();
    const outcomes = await connectors.salesforce.write(
      sendable.map((record) => ({
        fields: {
          email: record.lead.email ?? null,
          firstName: record.lead.firstName ?? null,
          lastName: record.lead.lastName ?? null,
          company: record.lead.company ?? null,
          title: record.lead.title ?? null,
        },
      })),
    );
    expect(outcomes.every((outcome) => outcome.ok)).toBe(true);
    // sObject Collections writes (the org's metadata comes in a `POST /composite` of its own).
    const salesforceWrites = recorder.calls.filter(
      (call) => call.system === 'salesforce' && /\/composite\/sobjects/.test(call.endpoint),
    );
    expect(salesforceWrites).toHaveLength(1);

    const leadIds = outcomes.flatMap((outcome) => (outcome.ok ? [outcome.id] : []));
    const leads = await connectors.salesforce.read(leadIds);
    expect(leads).toHaveLength(sendable.length);
    const byEmail = new Map(leads.map((lead) => [String(lead.lead.email).toLowerCase(), lead.lead]));
    for (const record of sendable) {
      const lead = byEmail.get(String(record.lead.email).toLowerCase());
      expect(lead, `lead for ${record.lead.email}`).toBeDefined();
      expect(lead?.lastName).toBe(record.lead.lastName);
      expect(lead?.company).toBe(record.lead.company);
    }
  });
});
