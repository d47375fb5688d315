import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { scheduleReconcile } from '../../../jobs/reconcile-queue.ts';
import { startWorkers, type EngineWorkers } from '../../../jobs/workers.ts';
import { RateLimitedError } from '../../../src/errors/rate-limited-error.ts';
import { RetryableError } from '../../../src/errors/retryable-error.ts';
import { silentLogger } from '../../../src/log/logger.ts';
import { Metrics } from '../../../src/metrics/prometheus.ts';
import type { PendingRef } from '../../../jobs/pending-refs.ts';
import { dropKeys, REDIS_URL, TENANT, testConfig, uniquePrefix, waitFor } from './engine-harness.ts';

type Behaviour = (refs: PendingRef[], call: number) => Promise<void>;

describe('the reconcile job when a batch fails as a whole', () => {
  const prefix = uniquePrefix('batch-errors');
  const calls: Array<{ at: number; refs: PendingRef[]; pendingDuring: number }> = [];
  let behave: Behaviour = async () => {};
  let workers: EngineWorkers;

  beforeAll(async () => {
    workers = await startWorkers(testConfig('10ms'), {
      redisUrl: REDIS_URL,
      logger: silentLogger(),
      metrics: new Metrics({ collectDefaults: false }),
      prefix,
      schedulePolls: false,
      reconcileBatch: async (_deps, tenant, refs) => {
        calls.push({ at: Date.now(), refs: [...refs], pendingDuring: await workers.pending.count(TENANT) });
        await behave(refs, calls.length);
        return {
          tenant,
          leads: refs.length,
          unchanged: 0,
          written: { hubspot: refs.length, salesforce: 0 },
          created: { hubspot: 0, salesforce: 0 },
          conflicts: 0,
          failures: [],
        };
      },
    });
  });

  afterEach(async () => {
    calls.length = 0;
    behave = async () => {};
  });

  afterAll(async () => {
    await workers.close();
    await dropKeys(prefix);
  });

  const refs: PendingRef[] = [
    {
      system: 'hubspot',
      id: '101',
      source: 'webhook',
      kind: 'updated',
      occurredAt: '2026-01-01T00:00:00.000Z',
    },
    { system: 'salesforce', id: '00Q5g000001AAAAAA1', source: 'poll', kind: 'updated' },
  ];

  const byId = (list: PendingRef[]) => [...list].sort((a, b) => a.id.localeCompare(b.id));

  async function lastJob() {
    const [job] = await workers.queues.reconcile.getJobs(['completed'], 0, 0);
    return job;
  }

  it('rate limited: the records wait the API wait for this tenant only, and no attempt is burned', async () => {
    behave = async (_refs, call) => {
      if (call === 1) throw new RateLimitedError('429 from HubSpot', 1_500, 'TEN_SECONDLY_ROLLING');
    };
    await workers.pending.add(TENANT, refs, Date.now());
    await scheduleReconcile(workers.queues.reconcile, TENANT, 0);

    await waitFor(() => calls.length === 1);
    // The queue itself is not paused: other tenants' batches go on while this one waits.
    expect(await workers.queues.reconcile.getRateLimitTtl()).toBeLessThanOrEqual(0);
    await waitFor(() => calls.length === 2, 10_000);

    // The same records, with how they were seen, came back for the second try; none was left behind.
    // (Their order may differ: the retry's job takes its own shard first.)
    expect(byId(calls[1]!.refs)).toEqual(byId(calls[0]!.refs));
    expect(new Set(calls[1]!.refs.map((ref) => ref.id))).toEqual(new Set(['101', '00Q5g000001AAAAAA1']));
    expect(calls[1]!.refs.find((ref) => ref.id === '101')).toEqual(refs[0]);
    expect(calls[1]!.at - calls[0]!.at).toBeGreaterThanOrEqual(1_400);
    // The retry's job completes after it has taken the records: wait for it, not for the empty set.
    const completedJobs = () => workers.queues.reconcile.getJobs(['completed'], 0, 10);
    await waitFor(async () =>
      (await completedJobs()).some((job) => job.returnvalue?.refs === 2 && job.returnvalue?.result !== null),
    );
    const completed = await completedJobs();
    const deferred = completed.find((job) => job.returnvalue?.deferredMs === 1_500);
    expect(deferred?.attemptsMade).toBe(1);
    expect(deferred?.returnvalue).toMatchObject({ tenant: TENANT, refs: 2, result: null });
    expect(await workers.pending.count(TENANT)).toBe(0);
  });

  it('transient failure: the records go back and the job is retried with backoff, burning an attempt', async () => {
    behave = async (_refs, call) => {
      if (call === 1) throw new RetryableError('HubSpot 503');
    };
    await workers.pending.add(TENANT, refs, Date.now());
    await scheduleReconcile(workers.queues.reconcile, TENANT, 0);
    await waitFor(() => calls.length === 2, 10_000);
    expect(calls[1]!.refs).toEqual(calls[0]!.refs);
    // BullMQ's exponential backoff: 1 s base with up to 50 % jitter.
    expect(calls[1]!.at - calls[0]!.at).toBeGreaterThanOrEqual(450);
    await waitFor(async () => (await lastJob())?.attemptsMade === 2);
    expect(await workers.pending.count(TENANT)).toBe(0);
  });

  it('unexpected error: handled the same way, nothing dropped', async () => {
    behave = async (_refs, call) => {
      if (call === 1) throw new TypeError('cannot read properties of undefined');
    };
    await workers.pending.add(TENANT, refs.slice(0, 1), Date.now());
    await scheduleReconcile(workers.queues.reconcile, TENANT, 0);
    await waitFor(() => calls.length === 2, 10_000);
    expect(calls[1]!.refs).toEqual(calls[0]!.refs);
    expect(calls[1]!.pendingDuring).toBe(0);
  });

  it('more pending than one batch: the jobs schedule the shards again until the set is empty', async () => {
    const many: PendingRef[] = Array.from({ length: 230 }, (_, i) => ({
      system: 'hubspot',
      id: String(1000 + i),
    }));
    await workers.pending.add(TENANT, many, Date.now());
    await scheduleReconcile(workers.queues.reconcile, TENANT, 0);
    await waitFor(() => calls.reduce((sum, call) => sum + call.refs.length, 0) === 230, 10_000);
    // The first batch is full; later ones may run in parallel on the shards left (jobs/pending-refs.ts).
    expect(calls[0]!.refs).toHaveLength(100);
    expect(calls.length).toBeGreaterThanOrEqual(3);
    expect(Math.max(...calls.map((call) => call.refs.length))).toBeLessThanOrEqual(100);
    expect(new Set(calls.flatMap((call) => call.refs.map((ref) => ref.id))).size).toBe(230);
    await waitFor(
      async () => (await workers.pending.count(TENANT)) + (await workers.pending.claimedCount(TENANT)) === 0,
    );
  });
});
