import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReconcileBatchResult } from '../../../jobs/engine.ts';
import type { PendingRef } from '../../../jobs/pending-refs.ts';
import { scheduleReconcile } from '../../../jobs/reconcile-queue.ts';
import { startWorkers, type EngineWorkers } from '../../../jobs/workers.ts';
import { parseConfig } from '../../../src/config/load.ts';
import { silentLogger } from '../../../src/log/logger.ts';
import { Metrics } from '../../../src/metrics/prometheus.ts';
import { dropKeys, emptyResult, REDIS_URL, uniquePrefix, waitFor } from './engine-harness.ts';

const BIG = 'big';
const SMALL = 'small';

function config() {
  const tenant = (id: string, extra = '') => `
  - id: ${id}
    hubspot: { accessToken: test-token, baseUrl: http://127.0.0.1:9 }
    salesforce: { instanceUrl: http://127.0.0.1:9, accessToken: test-token, orgId: 00D5g000004LBdgEAG }
${extra}`;
  return parseConfig(
    `
tenants:${tenant(BIG, '    reconcile: { shards: 4, maxParallelBatches: 2 }')}${tenant(SMALL)}
sync: { debounce: 200ms, pollInterval: 1h }
`,
    {},
  );
}

/** Two worker "processes" (each its own connection and engine) on one Redis, like two machines. */
describe('shards: several batches of one tenant run in parallel, capped per tenant', () => {
  const prefix = uniquePrefix('shards');
  const running = new Map<string, number>();
  const maxRunning = new Map<string, number>();
  const seen: Array<{ tenant: string; id: string }> = [];
  const startedAt = new Map<string, number[]>();
  const finishedAt = new Map<string, number[]>();
  const workers: EngineWorkers[] = [];

  const batch = async (_deps: unknown, tenant: string, refs: PendingRef[]): Promise<ReconcileBatchResult> => {
    running.set(tenant, (running.get(tenant) ?? 0) + 1);
    maxRunning.set(tenant, Math.max(maxRunning.get(tenant) ?? 0, running.get(tenant) ?? 0));
    startedAt.set(tenant, [...(startedAt.get(tenant) ?? []), Date.now()]);
    for (const ref of refs) seen.push({ tenant, id: ref.id });
    await new Promise((resolve) => setTimeout(resolve, 60));
    running.set(tenant, (running.get(tenant) ?? 1) - 1);
    finishedAt.set(tenant, [...(finishedAt.get(tenant) ?? []), Date.now()]);
    return emptyResult(tenant, refs);
  };

  beforeAll(async () => {
    for (let i = 0; i < 2; i++) {
      workers.push(
        await startWorkers(config(), {
          redisUrl: REDIS_URL,
          logger: silentLogger(),
          metrics: new Metrics({ collectDefaults: false }),
          reconcileBatch: batch,
          prefix,
          schedulePolls: false,
          concurrency: { reconcile: 2 },
        }),
      );
    }
  });

  afterAll(async () => {
    await Promise.all(workers.map((worker) => worker.close()));
    await dropKeys(prefix);
  });

  it('runs one tenant on both workers at its cap, every record once, and a small tenant is not starved', async () => {
    const [first] = workers;
    const big: PendingRef[] = Array.from({ length: 1_200 }, (_, i) => ({ system: 'hubspot', id: `b${i}` }));
    const small: PendingRef[] = Array.from({ length: 5 }, (_, i) => ({ system: 'salesforce', id: `s${i}` }));
    await first!.pending.add(BIG, big, Date.now());
    await scheduleReconcile(first!.queues.reconcile, BIG, 0);
    await waitFor(() => (startedAt.get(BIG)?.length ?? 0) >= 2);
    await first!.pending.add(SMALL, small, Date.now());
    await scheduleReconcile(first!.queues.reconcile, SMALL, 0);

    await waitFor(() => seen.length === big.length + small.length, 30_000);
    await waitFor(
      async () => (await first!.pending.count(BIG)) + (await first!.pending.claimedCount(BIG)) === 0,
    );

    // 0 duplicates, 0 lost: every record reconciled exactly once.
    const ids = seen.map((entry) => `${entry.tenant}/${entry.id}`);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toHaveLength(big.length + small.length);
    // Two batches of the big tenant ran at once (on two workers), never more than its cap.
    expect(maxRunning.get(BIG)).toBe(2);
    // The small tenant's batch ran while the big one still had work left.
    expect(Math.min(...startedAt.get(SMALL)!)).toBeLessThan(Math.max(...startedAt.get(BIG)!));
  });
});
