import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HubSpotConnector } from '../../../connectors/hubspot/connector.ts';
import { startHubSpotEmulator, type HubSpotEmulator } from '../../../connectors/hubspot/emulator/index.ts';
import {
  startSalesforceEmulator,
  type SalesforceEmulator,
} from '../../../connectors/salesforce/emulator/index.ts';
import type { ReconcileBatch } from '../../../jobs/engine.ts';
import { enqueueChangeEvents } from '../../../jobs/ingest-queue.ts';
import { reconcileBatch } from '../../../jobs/reconcile/reconcile-batch.ts';
import { startWorkers, type EngineWorkers } from '../../../jobs/workers.ts';
import { parseConfig } from '../../../src/config/load.ts';
import type { ChangeEvent } from '../../../src/domain/change-event.ts';
import { silentLogger } from '../../../src/log/logger.ts';
import { Metrics } from '../../../src/metrics/prometheus.ts';
import { createContact, emulatorConfig, qualifiedContact } from '../../helpers/emulators.ts';
import { dropKeys, REDIS_URL, TENANT, uniquePrefix, waitFor } from './engine-harness.ts';
import { editContact } from './reconcile-harness.ts';

const CONTACTS = 200;
const EDITED = 40;

/**
 * Two workers (two engines, two connections: two machines) reconcile one tenant at once, on several
 * shards in parallel; the per-lead compare-and-set keeps them safe: no duplicate Salesforce Lead, no
 * edit lost.
 */
describe('two workers on one tenant', () => {
  const prefix = uniquePrefix('two-workers');
  let hubspot: HubSpotEmulator;
  let salesforce: SalesforceEmulator;
  const workers: EngineWorkers[] = [];
  let running = 0;
  let maxRunning = 0;
  let sequence = 0;

  const counted: ReconcileBatch = async (deps, tenant, refs) => {
    running += 1;
    maxRunning = Math.max(maxRunning, running);
    try {
      return await reconcileBatch(deps, tenant, refs);
    } finally {
      running -= 1;
    }
  };

  function changed(objectId: string): ChangeEvent {
    sequence += 1;
    return {
      tenant: TENANT,
      system: 'hubspot',
      objectId,
      occurredAt: new Date().toISOString(),
      kind: 'updated',
      source: 'webhook',
      dedupKey: `two-workers-${objectId}-${sequence}`,
    };
  }

  beforeAll(async () => {
    // Rate limits are not what this test is about: the portal's burst limit is off, and so is ours.
    hubspot = await startHubSpotEmulator({
      port: 0,
      seed: 9,
      contacts: 0,
      webhookApiChanges: false,
      // Each call waits a little, as a real API does, so the batches overlap even on a loaded machine.
      faults: { burstPer10s: 0, latencyMs: 50 },
    });
    salesforce = await startSalesforceEmulator({ port: 0, seed: 9 });
    const config = parseConfig(
      emulatorConfig(hubspot, salesforce, { extra: 'sync: { debounce: 200ms, pollInterval: 1h }' }),
      {},
    );
    config.tenants[0]!.hubspot.burstLimitPer10s = 100_000;
    await new HubSpotConnector(config.tenants[0]!, config).install({ dryRun: false });
    for (let i = 0; i < 2; i++) {
      workers.push(
        await startWorkers(config, {
          redisUrl: REDIS_URL,
          logger: silentLogger(),
          metrics: new Metrics({ collectDefaults: false }),
          reconcileBatch: counted,
          prefix,
          schedulePolls: false,
          concurrency: { reconcile: 2 },
        }),
      );
    }
  }, 60_000);

  afterAll(async () => {
    await Promise.all(workers.map((worker) => worker.close()));
    await dropKeys(prefix);
    await hubspot.close();
    await salesforce.close();
  });

  it('runs batches in parallel with no duplicate Lead and no lost edit', async () => {
    const ids: string[] = [];
    for (let i = 0; i < CONTACTS; i++) {
      ids.push(await createContact(hubspot, qualifiedContact(`person-${i}@two-workers.example`)));
    }
    const t0 = Date.now();
    await enqueueChangeEvents(workers[0]!.queues.ingest, ids.map(changed));
    // Edits while the first passes run: each must end up in Salesforce, whichever worker saw what.
    await waitFor(() => maxRunning >= 1, 30_000);
    const edited = ids.slice(0, EDITED);
    for (const [n, id] of edited.entries()) await editContact(hubspot, id, { jobtitle: `VP Sales ${n}` });
    await enqueueChangeEvents(workers[1]!.queues.ingest, edited.map(changed));

    const leadsByEmail = () => {
      const counts = new Map<string, number>();
      for (const row of salesforce.state.store.rows('Lead')) {
        const email = String(row.Email ?? '');
        counts.set(email, (counts.get(email) ?? 0) + 1);
      }
      return counts;
    };
    const titlesSynced = () => {
      const titles = new Map(
        salesforce.state.store.rows('Lead').map((row) => [String(row.Email), String(row.Title)]),
      );
      return edited.every((_, n) => titles.get(`person-${n}@two-workers.example`) === `VP Sales ${n}`);
    };
    await waitFor(async () => {
      const pending = await workers[0]!.pending.count(TENANT);
      const claimed = await workers[0]!.pending.claimedCount(TENANT);
      return pending + claimed === 0 && leadsByEmail().size >= CONTACTS && titlesSynced();
    }, 90_000);

    const counts = leadsByEmail();
    expect([...counts.values()].filter((count) => count > 1)).toEqual([]);
    expect(counts.size).toBe(CONTACTS);
    expect(titlesSynced()).toBe(true);
    // Several batches of the one tenant ran at once, across the two workers.
    expect(maxRunning).toBeGreaterThanOrEqual(2);
    console.info(
      `two workers on one tenant: up to ${maxRunning} batches at once, ${Date.now() - t0} ms to settle`,
    );
  }, 120_000);
});
