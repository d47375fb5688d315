import { Redis } from 'ioredis';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { enginePrefixes } from '../../../jobs/engine-runtime.ts';
import { PendingRefs, type PendingRef } from '../../../jobs/pending-refs.ts';
import { startWorkers, type EngineWorkers } from '../../../jobs/workers.ts';
import { silentLogger } from '../../../src/log/logger.ts';
import { Metrics } from '../../../src/metrics/prometheus.ts';
import { dropKeys, REDIS_URL, TENANT, testConfig, uniquePrefix, waitFor } from './engine-harness.ts';

/** The config with the tenant's pending records split into `shards`. */
function configWithShards(shards: number) {
  const config = testConfig('10ms');
  config.tenants[0]!.reconcile.shards = shards;
  return config;
}

describe('an admin lowers tenants[].reconcile.shards and restarts the workers', () => {
  const prefix = uniquePrefix('shard-count');
  const redis = new Redis(REDIS_URL);
  let workers: EngineWorkers | undefined;
  afterEach(async () => {
    await workers?.close();
    workers = undefined;
  });
  afterAll(async () => {
    await dropKeys(prefix);
    await redis.quit();
  });

  it('reconciles the records left in the shards that no longer exist, and the claims of a dead batch there', async () => {
    // Written by the earlier configuration: 8 shards, one batch of it claimed by a worker that died.
    const before = new PendingRefs(redis, {
      prefix: enginePrefixes(prefix).store,
      sharding: () => ({ shards: 8, maxParallelBatches: 0 }),
      leaseMs: 1,
    });
    const refs: PendingRef[] = Array.from({ length: 60 }, (_, i) => ({
      system: 'hubspot',
      id: `c${i}`,
      leadKey: `lead-${i}`,
    }));
    await before.add(TENANT, refs, Date.now() - 1_000);
    const died = await before.takeBatch(TENANT, { dueByMs: Date.now(), limit: 5, shard: 7, nowMs: Date.now() - 10 });
    expect(died.refs.length).toBe(5);
    const strays = refs.filter((ref) => before.shardOf(TENANT, ref) >= 2).length;
    expect(strays).toBeGreaterThan(30);

    const reconciled = new Set<string>();
    workers = await startWorkers(configWithShards(2), {
      redisUrl: REDIS_URL,
      logger: silentLogger(),
      metrics: new Metrics({ collectDefaults: false }),
      prefix,
      schedulePolls: false,
      reconcileBatch: async (_deps, tenant, batch) => {
        for (const ref of batch) reconciled.add(ref.id);
        return {
          tenant,
          leads: batch.length,
          unchanged: batch.length,
          written: { hubspot: 0, salesforce: 0 },
          created: { hubspot: 0, salesforce: 0 },
          conflicts: 0,
          failures: [],
        };
      },
    });

    await waitFor(() => reconciled.size === refs.length, 15_000).catch(() => {});
    expect(refs.filter((ref) => !reconciled.has(ref.id)).map((ref) => ref.id)).toEqual([]);
    expect(await workers.pending.count(TENANT)).toBe(0);
    expect(await workers.pending.claimedCount(TENANT)).toBe(0);
  });

  it('leaves a claim still under lease to its running batch, which releases it with its own shard count', async () => {
    const store = enginePrefixes(`${prefix}-lease`).store;
    const older = new PendingRefs(redis, { prefix: store, sharding: () => ({ shards: 8, maxParallelBatches: 0 }) });
    const newer = new PendingRefs(redis, { prefix: store, sharding: () => ({ shards: 1, maxParallelBatches: 0 }) });
    const refs: PendingRef[] = Array.from({ length: 20 }, (_, i) => ({ system: 'salesforce', id: `l${i}` }));
    await older.add(TENANT, refs, Date.now() - 1_000);
    const running = await older.takeBatch(TENANT, { dueByMs: Date.now(), limit: 3, shard: 5 });
    expect(running.refs.length).toBe(3);

    const claimedIds = new Set(running.refs.map((ref) => ref.id));
    const strayPending = refs.filter((ref) => older.shardOf(TENANT, ref) > 0 && !claimedIds.has(ref.id));
    expect(strayPending.length).toBeGreaterThan(10);

    const gathered = await newer.gatherStrayShards(TENANT);

    const strayClaimed = running.refs.filter((ref) => older.shardOf(TENANT, ref) > 0).length;
    expect(strayClaimed).toBeGreaterThan(0);
    expect(gathered).toEqual({ moved: strayPending.length, stillClaimed: strayClaimed });
    expect(await newer.count(TENANT)).toBe(refs.length - running.refs.length);
    await older.release(TENANT, running.refs, running.id);
    expect(await older.claimedCount(TENANT)).toBe(0);
    expect(await newer.gatherStrayShards(TENANT)).toEqual({ moved: 0, stillClaimed: 0 });
    await dropKeys(`${prefix}-lease`);
  });
});
