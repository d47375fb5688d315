import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHubSpotEmulator, type HubSpotEmulator } from '../../../connectors/hubspot/emulator/index.ts';
import {
  startSalesforceEmulator,
  type SalesforceEmulator,
} from '../../../connectors/salesforce/emulator/index.ts';
import { backfill } from '../../../jobs/backfill.ts';
import type { ReconcileBatch } from '../../../jobs/engine.ts';
import { buildEngine, enginePrefixes } from '../../../jobs/engine-runtime.ts';
import { reconcileBatch } from '../../../jobs/reconcile/reconcile-batch.ts';
import { parseConfig } from '../../../src/config/load.ts';
import { silentLogger } from '../../../src/log/logger.ts';
import { Metrics } from '../../../src/metrics/prometheus.ts';
import { createRedis } from '../../../src/store/redis.ts';
import { createContact, emulatorConfig, qualifiedContact } from '../../helpers/emulators.ts';
import { startRestartableRedis, type RestartableRedis } from '../../helpers/restartable-redis.ts';

const TENANT = 'acme';

describe('backfill rides out a Redis outage', () => {
  let hubspot: HubSpotEmulator;
  let salesforce: SalesforceEmulator;
  let redisServer: RestartableRedis;

  beforeAll(async () => {
    redisServer = await startRestartableRedis();
    hubspot = await startHubSpotEmulator({ port: 0, seed: 5, contacts: 0, webhookApiChanges: false });
    salesforce = await startSalesforceEmulator({ port: 0, seed: 5 });
    for (let i = 0; i < 150; i++)
      await createContact(hubspot, { email: `o${i}@example.org`, firstname: 'O', lifecyclestage: 'lead' });
    await createContact(hubspot, qualifiedContact('qualified-outage@example.org'));
  });
  afterAll(async () => {
    await hubspot.close();
    await salesforce.close();
    await redisServer.close();
  });

  it('a restart of several seconds in the middle of a page: the run finishes, nothing fails or is created twice', async () => {
    const config = parseConfig(emulatorConfig(hubspot, salesforce), {});
    const { HubSpotConnector } = await import('../../../connectors/hubspot/connector.ts');
    await new HubSpotConnector(config.tenants[0]!, config).install({ dryRun: false });
    // As `leadbridge backfill` connects.
    const redis = createRedis(redisServer.url, silentLogger(), { maxRetriesPerRequest: 2 });
    const runtime = buildEngine(config, {
      redis,
      logger: silentLogger(),
      metrics: new Metrics({ collectDefaults: false }),
      prefixes: enginePrefixes('test-outage'),
    });
    let calls = 0;
    let restarted: Promise<void> = Promise.resolve();
    const withOutage: ReconcileBatch = async (...args) => {
      calls += 1;
      if (calls === 2) {
        await redisServer.stop();
        restarted = new Promise((resolve) => setTimeout(resolve, 4_000)).then(() => redisServer.start());
      }
      return reconcileBatch(...args);
    };
    try {
      const summary = await backfill(runtime, withOutage, { batchSize: 100, retryDelayMs: 100 });
      await restarted;
      expect(summary.failures).toEqual([]);
      expect(summary.complete).toBe(true);
      expect(summary.records.hubspot).toBe(151);
      const linked = await runtime.engine.links.findMany(
        TENANT,
        'email',
        Array.from({ length: 150 }, (_, i) => `o${i}@example.org`),
      );
      expect(linked.found.size).toBe(150);
      const leads = salesforce.state.store
        .rows('Lead')
        .filter((row) => row.Email === 'qualified-outage@example.org');
      expect(leads).toHaveLength(1);
    } finally {
      await restarted;
      await redis.quit().catch(() => redis.disconnect());
    }
  }, 90_000);
});
