import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReconcileBatchResult } from '../../../jobs/engine.ts';
import type { PendingRef } from '../../../jobs/pending-refs.ts';
import { DEFAULT_RECONCILE_CONCURRENCY } from '../../../jobs/reconcile-processor.ts';
import { scheduleReconcile } from '../../../jobs/reconcile-queue.ts';
import { startWorkers, type EngineWorkers } from '../../../jobs/workers.ts';
import { silentLogger } from '../../../src/log/logger.ts';
import { Metrics } from '../../../src/metrics/prometheus.ts';
import {
  dropKeys,
  emptyResult,
  REDIS_URL,
  TENANT,
  testConfig,
  uniquePrefix,
  waitFor,
} from './engine-harness.ts';

/** How long each batch waits, as on an API answering slowly (milliseconds): the batches are I/O-bound. */
const BATCH_WAIT_MS = 400;

/**
 * With the default settings (no `reconcile` block, default per-process concurrency), one tenant's backlog
 * on two worker processes: the second process runs batches of its own beside the first one's, instead of
 * waiting on the tenant's cap.
 */
describe('default parallelism: a second worker process counts', () => {
  const prefix = uniquePrefix('worker-parallelism');
  const workers: EngineWorkers[] = [];
  const seen: string[] = [];
  const runningBy = [0, 0];
  let running = 0;
  let maxRunning = 0;
  const maxRunningBy = [0, 0];

  const batchOf =
    (worker: number) =>
    async (_deps: unknown, tenant: string, refs: PendingRef[]): Promise<ReconcileBatchResult> => {
      running += 1;
      runningBy[worker]! += 1;
      maxRunning = Math.max(maxRunning, running);
      maxRunningBy[worker] = Math.max(maxRunningBy[worker]!, runningBy[worker]!);
      for (const ref of refs) seen.push(ref.id);
      await new Promise((resolve) => setTimeout(resolve, BATCH_WAIT_MS));
      running -= 1;
      runningBy[worker]! -= 1;
      return emptyResult(tenant, refs);
    };

  beforeAll(async () => {
    for (let i = 0; i < 2; i++) {
      workers.push(
        await startWorkers(testConfig(), {
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

  it('runs twice one process’s batches of one tenant at once, every record once', async () => {
    const [first] = workers;
    const refs: PendingRef[] = Array.from({ length: 3_200 }, (_, i) => ({ system: 'hubspot', id: `c${i}` }));
    await first!.pending.add(TENANT, refs, Date.now());
    for (let shard = 0; shard < first!.pending.shards(TENANT); shard++) {
      await scheduleReconcile(first!.queues.reconcile, TENANT, 0, { shard });
    }

    await waitFor(() => seen.length === refs.length, 60_000);
    await waitFor(
      async () => (await first!.pending.count(TENANT)) + (await first!.pending.claimedCount(TENANT)) === 0,
    );

    expect(new Set(seen).size).toBe(refs.length);
    expect(seen).toHaveLength(refs.length);
    // Each process ran its own concurrency's worth, and together twice that: the tenant's cap left room.
    expect(maxRunningBy).toEqual([DEFAULT_RECONCILE_CONCURRENCY, DEFAULT_RECONCILE_CONCURRENCY]);
    expect(maxRunning).toBe(2 * DEFAULT_RECONCILE_CONCURRENCY);
  }, 90_000);
});
