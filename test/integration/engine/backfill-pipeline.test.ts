import { Redis } from 'ioredis';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HubSpotConnector } from '../../../connectors/hubspot/connector.ts';
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
import { deleteKeys, emulatorConfig } from '../../helpers/emulators.ts';

/** Ten HubSpot list pages of 100; units of one page each. */
const CONTACTS = 1_000;
const UNIT = 100;

/** HubSpot list pages served so far. */
function pagesRead(hubspot: HubSpotEmulator): number {
  let total = 0;
  for (const [endpoint, byStatus] of hubspot.calls)
    if (/^GET \/crm\/(v3\/objects|objects\/2026-09)\/contacts$/.test(endpoint))
      for (const n of byStatus.values()) total += n;
  return total;
}

async function until(check: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return true;
}

describe('backfill pipeline', () => {
  let hubspot: HubSpotEmulator;
  let salesforce: SalesforceEmulator;
  let redis: Redis;
  let base: string;

  beforeEach(async () => {
    base = `test-backfill-pipeline-${process.pid}-${Date.now()}`;
    hubspot = await startHubSpotEmulator({
      port: 0,
      seed: 8,
      contacts: CONTACTS,
      webhookApiChanges: false,
      faults: { burstPer10s: 0, searchPerSecond: 0 },
    });
    salesforce = await startSalesforceEmulator({ port: 0, seed: 8 });
    redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { maxRetriesPerRequest: 1 });
  });

  afterEach(async () => {
    await deleteKeys(redis, `${base}:`);
    await redis.quit();
    await hubspot.close();
    await salesforce.close();
  });

  async function engine() {
    const config = parseConfig(emulatorConfig(hubspot, salesforce), {});
    await new HubSpotConnector(config.tenants[0]!, config).install({ dryRun: false });
    return buildEngine(config, {
      redis,
      logger: silentLogger(),
      metrics: new Metrics({ collectDefaults: false }),
      prefixes: enginePrefixes(base),
    });
  }

  it('reads the next pages while a unit reconciles, with at most batchesInFlight units at once and one read ahead', async () => {
    const runtime = await engine();
    let running = 0;
    let mostRunning = 0;
    let mostAhead = 0;
    const started: number[] = [];
    let readDuringFirst = 0;
    const reconcile: ReconcileBatch = async (deps, tenant, refs) => {
      running += 1;
      mostRunning = Math.max(mostRunning, running);
      started.push(pagesRead(hubspot));
      const unit = started.length;
      try {
        if (unit === 1) {
          // Held until the reader is ahead: reading does not wait for reconciling.
          await until(() => pagesRead(hubspot) >= 3, 10_000);
          readDuringFirst = pagesRead(hubspot) - (started[0] ?? 0);
        }
        // Pages read beyond the units started so far: the read-ahead.
        mostAhead = Math.max(mostAhead, pagesRead(hubspot) - started.length);
        return await reconcileBatch(deps, tenant, refs);
      } finally {
        running -= 1;
      }
    };

    const summary = await backfill(runtime, reconcile, { batchSize: UNIT, batchesInFlight: 2 });

    expect(summary.failures).toEqual([]);
    expect(summary.complete).toBe(true);
    expect(summary.records.hubspot).toBe(CONTACTS);
    // Before the pipeline, the next page was read only once the unit was reconciled: 0 here.
    expect(readDuringFirst).toBeGreaterThanOrEqual(2);
    expect(mostRunning).toBe(2);
    // Two units reconciling and one page read ahead (plus the page being read): memory stays bounded.
    expect(mostAhead).toBeLessThanOrEqual(2);
    const checkpoint = await runtime.engine.cursors.getBackfill('acme', 'hubspot');
    // Done: both systems' checkpoints are cleared.
    expect(checkpoint).toBeNull();
  }, 60_000);

  it('a unit that fails stops the run with the checkpoint before it; the next run resumes there and finishes', async () => {
    const runtime = await engine();
    let units = 0;
    const failThird: ReconcileBatch = async (deps, tenant, refs) => {
      units += 1;
      if (units === 3) throw new Error('reconcile broke');
      return reconcileBatch(deps, tenant, refs);
    };
    const first = await backfill(runtime, failThird, { batchSize: UNIT, batchesInFlight: 2 });
    expect(first.complete).toBe(false);
    const failed = first.failures.filter((failure) => failure.recordId !== null);
    expect(failed).toHaveLength(UNIT);
    const checkpoint = await runtime.engine.cursors.getBackfill('acme', 'hubspot');
    // Units 1 and 2 committed in order; unit 4 (started beside unit 3) is not, whatever its outcome.
    expect(checkpoint?.processed).toBe(2 * UNIT);
    expect(checkpoint?.done).toBe(false);

    const second = await backfill(runtime, reconcileBatch, { batchSize: UNIT, batchesInFlight: 2 });
    expect(second.failures).toEqual([]);
    expect(second.complete).toBe(true);
    expect(second.resumed).toEqual([{ tenant: 'acme', system: 'hubspot', processed: 2 * UNIT }]);
    expect(second.records.hubspot).toBe(CONTACTS - 2 * UNIT);
  }, 60_000);
});
