import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AddedSlots,
  ADDED_SLOT_MARGIN_MS,
  ADDED_SLOT_RECHECK_MS,
  createReconcileQueue,
  SCHEDULE_SLOT_MS,
  scheduleReconcile,
  SLOT_TOLERANCE_MS,
  type ReconcileQueue,
} from '../../../jobs/reconcile-queue.ts';
import { silentLogger } from '../../../src/log/logger.ts';
import { dropKeys, REDIS_URL, TENANT, uniquePrefix } from './engine-harness.ts';

/**
 * Waits until a request `delayMs` from now falls at the start of its scheduling slot, so a burst that
 * follows stays within that slot (a burst that straddled a boundary made two slots, 1 run in 12).
 */
async function startOfSlotFor(delayMs: number): Promise<void> {
  const intoSlot = () => (Date.now() + delayMs - SLOT_TOLERANCE_MS) % SCHEDULE_SLOT_MS;
  while (intoSlot() === 0 || intoSlot() > 30) await new Promise((resolve) => setTimeout(resolve, 1));
}

describe('scheduleReconcile with the delayed jobs this process added (AddedSlots)', () => {
  const prefix = uniquePrefix('added-slots');
  let redis: Redis;
  let queue: ReconcileQueue;
  /** Every add that reached Redis, counted on the real queue. */
  let adds = 0;

  beforeAll(() => {
    redis = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
    queue = createReconcileQueue(redis, silentLogger(), prefix);
    const add = queue.add.bind(queue);
    queue.add = (...args: Parameters<ReconcileQueue['add']>) => {
      adds += 1;
      return add(...args);
    };
  });

  afterAll(async () => {
    await queue.close();
    await redis.quit();
    await dropKeys(prefix);
  });

  it("adds a delayed slot's job once for a burst of requests, and still every job due at once", async () => {
    const added = new AddedSlots();
    adds = 0;
    // A burst of requests for shard 3 due in a second: one slot, one delayed job, one add (the burst
    // ends well before the job may start, a slot's margin ahead of its run time, on a loaded machine too).
    await startOfSlotFor(1_000);
    for (let i = 0; i < 40; i += 1) await scheduleReconcile(queue, TENANT, 1_000, { shard: 3 }, added);
    expect(await queue.getDelayedCount()).toBe(1);
    expect(adds).toBe(1);
    // Jobs due at once are added every time: one may have started, and the add keeps its follow-up.
    adds = 0;
    for (let i = 0; i < 5; i += 1) await scheduleReconcile(queue, TENANT, 0, { shard: 4 }, added);
    expect(adds).toBe(5);
  });

  it('adds again once the remembered job may have started', () => {
    const added = new AddedSlots();
    added.remember('job', 10_000, 9_000);
    expect(added.pending('job', 9_000)).toBe(true);
    expect(added.pending('job', 10_000 - ADDED_SLOT_MARGIN_MS - 1)).toBe(true);
    expect(added.pending('job', 10_000 - ADDED_SLOT_MARGIN_MS)).toBe(false);
    expect(added.pending('other', 9_000)).toBe(false);
    // Due within the margin: never remembered.
    added.remember('soon', 9_040, 9_000);
    expect(added.pending('soon', 9_000)).toBe(false);
  });

  it('asks once more after the run time when it skipped requests, for a worker whose clock runs ahead', async () => {
    const armed: Array<{ run: () => void; delayMs: number }> = [];
    const added = new AddedSlots({ later: (run, delayMs) => armed.push({ run, delayMs }) });
    adds = 0;
    await startOfSlotFor(1_000);
    const before = Date.now();
    for (let i = 0; i < 40; i += 1) await scheduleReconcile(queue, TENANT, 1_000, { shard: 5 }, added);
    expect(adds).toBe(1);
    // The skipped requests arm one re-add, a slot after the job's run time (by this clock).
    expect(armed).toHaveLength(1);
    expect(armed[0]!.delayMs).toBeGreaterThanOrEqual(
      1_000 - 20 + ADDED_SLOT_RECHECK_MS - (Date.now() - before),
    );
    expect(armed[0]!.delayMs).toBeLessThanOrEqual(1_000 + SCHEDULE_SLOT_MS + ADDED_SLOT_RECHECK_MS);
    // A worker whose clock runs ahead promoted the job and finished it while requests here were skipped
    // (their records came after it took its batch). The re-add starts a job at once for them.
    const [delayed] = (await queue.getDelayed()).filter((job) => job.data.shard === 5);
    await delayed!.remove();
    const ready = async () =>
      (await queue.getJobs(['waiting', 'prioritized'])).filter((job) => job.data.shard === 5);
    expect(await ready()).toHaveLength(0);
    armed[0]!.run();
    for (let i = 0; i < 100 && adds < 2; i += 1) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(adds).toBe(2);
    expect(await ready()).toHaveLength(1);
  });
});
