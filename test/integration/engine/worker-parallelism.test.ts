import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReconcileBatchResult } from '../../../jobs/engine.ts';
import type { PendingRef } from '../../../jobs/pending-refs.ts';
import { DEFAULT_TENANT_BATCHES_PER_PROCESS } from '../../../jobs/reconcile-processor.ts';
import { scheduleReconcile } from '../../../jobs/reconcile-queue.ts';
import { startWorkers, type EngineWorkers } from '../../../jobs/workers.ts';
import { parseConfig } from '../../../src/config/load.ts';
import { silentLogger } from '../../../src/log/logger.ts';
import { Metrics } from '../../../src/metrics/prometheus.ts';
import { dropKeys, emptyResult, REDIS_URL, uniquePrefix, waitFor } from './engine-harness.ts';

const BIG = 'big';
const SMALL = 'small';

/** How long each batch waits, as on an API answering slowly (milliseconds): the batches are I/O-bound. */
const BATCH_WAIT_MS = 1_200;

/** Two tenants with the default settings (no `reconcile` block). */
function config() {
  const tenant = (id: string) => `
  - id: ${id}
    hubspot: { accessToken: test-token, baseUrl: http://127.0.0.1:9 }
    salesforce: { instanceUrl: http://127.0.0.1:9, accessToken: test-token, orgId: 00D5g000004LBdgEAG }`;
  return parseConfig(
    `tenants:${tenant(BIG)}${tenant(SMALL)}\nsync: { debounce: 200ms, pollInterval: 1h }\n`,
    {},
  );
}

/**
 * With the default settings (default per-process concurrency too), one tenant's backlog on two worker
 * processes: the second process runs batches of its own beside the first one's instead of waiting on the
 * tenant's cap, and neither process gives the busy tenant every slot.
 */
describe('default parallelism: a second worker process counts, and a busy tenant leaves room', () => {
  const prefix = uniquePrefix('worker-parallelism');
  const workers: EngineWorkers[] = [];
  const seen = new Map<string, string[]>();
  const running = new Map<string, number>();
  const maxRunning = new Map<string, number>();
  const runningBy = [0, 0];
  const maxRunningBy = [0, 0];
  const started = new Map<string, number[]>();
  const finished = new Map<string, number[]>();

  const batchOf =
    (worker: number) =>
    async (_deps: unknown, tenant: string, refs: PendingRef[]): Promise<ReconcileBatchResult> => {
      running.set(tenant, (running.get(tenant) ?? 0) + 1);
      maxRunning.set(tenant, Math.max(maxRunning.get(tenant) ?? 0, running.get(tenant)!));
      if (tenant === BIG) {
        runningBy[worker]! += 1;
        maxRunningBy[worker] = Math.max(maxRunningBy[worker]!, runningBy[worker]!);
      }
      started.set(tenant, [...(started.get(tenant) ?? []), Date.now()]);
      seen.set(tenant, [...(seen.get(tenant) ?? []), ...refs.map((ref) => ref.id)]);
      await new Promise((resolve) => setTimeout(resolve, BATCH_WAIT_MS));
      running.set(tenant, running.get(tenant)! - 1);
      if (tenant === BIG) runningBy[worker]! -= 1;
      finished.set(tenant, [...(finished.get(tenant) ?? []), Date.now()]);
      return emptyResult(tenant, refs);
    };

  beforeAll(async () => {
    for (let i = 0; i < 2; i++) {
      workers.push(
        await startWorkers(config(), {
          redisUrl: REDIS_URL,
          logger: silentLogger(),
          metrics: new Metrics({ collectDefaults: false }),
          reconcileBatch: batchOf(i),
          prefix,
          schedulePolls: false,
        }),
      );
    }
  });

  afterAll(async () => {
    await Promise.all(workers.map((worker) => worker.close()));
    await dropKeys(prefix);
  });

  /** `count` records, the same number in every shard (whole batches each: no batch spans two shards). */
  async function backlog(tenant: string, count: number, idPrefix: string): Promise<PendingRef[]> {
    const [first] = workers;
    const shards = first!.pending.shards(tenant);
    const perShard = count / shards;
    const filled = new Array<number>(shards).fill(0);
    const refs: PendingRef[] = [];
    for (let i = 0; refs.length < count; i++) {
      const ref: PendingRef = { system: 'hubspot', id: `${idPrefix}${i}` };
      const shard = first!.pending.shardOf(tenant, ref);
      if (filled[shard]! < perShard) {
        filled[shard]! += 1;
        refs.push(ref);
      }
    }
    await first!.pending.add(tenant, refs, Date.now());
    for (let shard = 0; shard < first!.pending.shards(tenant); shard++) {
      await scheduleReconcile(first!.queues.reconcile, tenant, 0, { shard });
    }
    return refs;
  }

  async function drained(tenant: string, count: number): Promise<void> {
    const [first] = workers;
    await waitFor(() => (seen.get(tenant)?.length ?? 0) === count, 60_000);
    await waitFor(
      async () => (await first!.pending.count(tenant)) + (await first!.pending.claimedCount(tenant)) === 0,
    );
  }

  it('runs twice one process’s batches of one tenant at once, every record once', async () => {
    const refs = await backlog(BIG, 3_200, 'c');
    await drained(BIG, refs.length);

    const ids = seen.get(BIG)!;
    expect(new Set(ids).size).toBe(refs.length);
    expect(ids).toHaveLength(refs.length);
    // Each process ran at most its share of the tenant, and together more than the old cap of 6 (8 when the
    // jobs line up; a loaded machine can start one a moment after another ended): the cap left room.
    expect(Math.max(...maxRunningBy)).toBeLessThanOrEqual(DEFAULT_TENANT_BATCHES_PER_PROCESS);
    expect(Math.min(...maxRunningBy)).toBeGreaterThanOrEqual(DEFAULT_TENANT_BATCHES_PER_PROCESS - 1);
    expect(maxRunning.get(BIG)).toBeGreaterThan(6);
    expect(maxRunning.get(BIG)).toBeLessThanOrEqual(2 * DEFAULT_TENANT_BATCHES_PER_PROCESS);
  }, 90_000);

  it('starts another tenant’s batch at once while the busy one runs its share on both processes', async () => {
    finished.set(BIG, []);
    const refs = await backlog(BIG, 3_200, 'd');
    await waitFor(() => (running.get(BIG) ?? 0) > 6, 30_000);
    const askedAt = Date.now();
    await workers[0]!.pending.add(SMALL, [{ system: 'hubspot', id: 'small-1' }], askedAt);
    await scheduleReconcile(workers[0]!.queues.reconcile, SMALL, 0);
    await waitFor(() => (started.get(SMALL)?.length ?? 0) === 1, 30_000);

    // It did not wait for a slot of the busy tenant to end: it started before any of them finished.
    const firstBigEnd = Math.min(...(finished.get(BIG) ?? []).filter((at) => at >= askedAt));
    expect(started.get(SMALL)![0]!).toBeLessThan(firstBigEnd);
    await drained(BIG, 3_200 * 2);
    expect(new Set(seen.get(BIG)).size).toBe(refs.length * 2);
  }, 90_000);
});
