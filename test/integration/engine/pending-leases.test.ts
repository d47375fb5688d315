import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PendingRefs } from '../../../jobs/pending-refs.ts';
import { deleteKeys } from '../../helpers/emulators.ts';

const TENANT = 'acme';
const T0 = Date.parse('2026-03-01T12:00:00.000Z');

describe('pending set: records taken for a batch stay claimed until their outcome is stored', () => {
  const prefix = `test-leases-${process.pid}-${Date.now()}`;
  let redis: Redis;
  let pending: PendingRefs;
  beforeAll(() => {
    redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { maxRetriesPerRequest: 1 });
    pending = new PendingRefs(redis, { prefix, leaseMs: 1_000 });
  });
  afterAll(async () => {
    await deleteKeys(redis, `${prefix}:`);
    await redis.quit();
  });

  it("returns a dead job's records to pending once its lease ends, with how they were seen", async () => {
    await pending.add(
      TENANT,
      [
        {
          system: 'hubspot',
          id: '1',
          source: 'webhook',
          kind: 'updated',
          occurredAt: '2026-03-01T11:59:00Z',
        },
      ],
      T0,
    );
    const taken = await pending.popDue(TENANT, T0, 10, T0);
    expect(taken.map((ref) => ref.id)).toEqual(['1']);
    // The job dies here: no release, no put back.
    expect(await pending.count(TENANT)).toBe(0);
    expect(await pending.claimedCount(TENANT)).toBe(1);
    expect(await pending.nextDueAt(TENANT)).toBe(T0 + 1_000);
    expect(await pending.popDue(TENANT, T0 + 500, 10, T0 + 500)).toEqual([]);
    const again = await pending.popDue(TENANT, T0 + 1_001, 10, T0 + 1_001);
    expect(again).toEqual([
      { system: 'hubspot', id: '1', source: 'webhook', kind: 'updated', occurredAt: '2026-03-01T11:59:00Z' },
    ]);
    await pending.release(TENANT, again);
    expect(await pending.claimedCount(TENANT)).toBe(0);
    expect(await pending.nextDueAt(TENANT)).toBeNull();
  });

  it('a released record is done; one that changed again while claimed stays pending', async () => {
    await pending.add(TENANT, [{ system: 'salesforce', id: '00Q000000000001AAA' }], T0);
    await pending.add(TENANT, [{ system: 'salesforce', id: '00Q000000000002AAA' }], T0);
    const taken = await pending.popDue(TENANT, T0, 10, T0);
    expect(taken).toHaveLength(2);
    await pending.add(TENANT, [{ system: 'salesforce', id: '00Q000000000002AAA' }], T0 + 10);
    await pending.release(TENANT, taken);
    expect(await pending.claimedCount(TENANT)).toBe(0);
    const later = await pending.popDue(TENANT, T0 + 10_000, 10, T0 + 10_000);
    expect(later.map((ref) => ref.id)).toEqual(['00Q000000000002AAA']);
    await pending.putBack(TENANT, later, T0 + 20_000);
    expect(await pending.claimedCount(TENANT)).toBe(0);
    expect(await pending.count(TENANT)).toBe(1);
    await pending.remove(TENANT, later);
  });

  it('a renewed claim outlives its first lease; a privacy deletion drops the claim too', async () => {
    await pending.add(TENANT, [{ system: 'hubspot', id: '7' }], T0);
    const taken = await pending.popDue(TENANT, T0, 10, T0);
    await pending.renew(TENANT, taken, T0 + 5_000);
    expect(await pending.popDue(TENANT, T0 + 2_000, 10, T0 + 2_000)).toEqual([]);
    expect(await pending.remove(TENANT, taken)).toBe(0);
    expect(await pending.claimedCount(TENANT)).toBe(0);
    expect(await pending.popDue(TENANT, T0 + 9_000, 10, T0 + 9_000)).toEqual([]);
  });
});
