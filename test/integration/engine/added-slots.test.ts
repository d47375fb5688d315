import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AddedSlots,
  ADDED_SLOT_MARGIN_MS,
  createReconcileQueue,
  SCHEDULE_SLOT_MS,
  scheduleReconcile,
  type ReconcileQueue,
} from '../../../jobs/reconcile-queue.ts';
import { silentLogger } from '../../../src/log/logger.ts';
import { dropKeys, REDIS_URL, TENANT, uniquePrefix } from './engine-harness.ts';

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

  it("adds again when another process's clock, up to a slot ahead, may have started the job", () => {
    const added = new AddedSlots();
    // This process added the job at 9 000 (its clock) to run at 10 000; a worker whose clock runs 200 ms
    // ahead promotes it when this clock reads 9 800. From then on a request must reach BullMQ, which
    // keeps a follow-up of a running job; answered from memory, the records added now would wait.
    added.remember('job', 10_000, 9_000);
    expect(added.pending('job', 9_000)).toBe(true);
    expect(added.pending('job', 10_000 - SCHEDULE_SLOT_MS - 1)).toBe(true);
    expect(added.pending('job', 9_800)).toBe(false);
    // A job due within a slot may start at once on a skewed clock: never remembered.
    added.remember('next-slot', 9_200, 9_000);
    expect(added.pending('next-slot', 9_000)).toBe(false);
  });
});
