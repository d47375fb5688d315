import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PendingRefs, type PendingRef } from '../../../jobs/pending-refs.ts';
import { deleteKeys } from '../../helpers/emulators.ts';

const TENANT = 'acme';
const T0 = Date.parse('2026-03-01T12:00:00.000Z');

function refs(from: number, count: number): PendingRef[] {
  return Array.from({ length: count }, (_, i) => ({ system: 'hubspot' as const, id: String(from + i) }));
}

describe('pending set: a running batch holds its own records, not whole shards', () => {
  const prefix = `test-claims-${process.pid}-${Date.now()}`;
  let redis: Redis;
  let pending: PendingRefs;
  beforeAll(() => {
    redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { maxRetriesPerRequest: 1 });
    pending = new PendingRefs(redis, { prefix, sharding: () => ({ shards: 8, maxParallelBatches: 8 }) });
  });
  afterAll(async () => {
    await deleteKeys(redis, `${prefix}:`);
    await redis.quit();
  });

  it('a small first batch over every shard leaves a backlog arriving after it to full batches side by side', async () => {
    // The start of a mass change: the first few records go out at once, in every shard.
    await pending.add(TENANT, refs(1, 16), T0);
    const first = await pending.takeBatch(TENANT, { dueByMs: T0, limit: 100, nowMs: T0 });
    expect(first.refs).toHaveLength(16);
    expect(new Set(first.refs.map((ref) => pending.shardOf(TENANT, ref))).size).toBe(8);
    // The rest arrives while it runs: a full batch starts beside it, from the shards it has records in.
    await pending.add(TENANT, refs(1_000, 150), T0 + 10);
    const second = await pending.takeBatch(TENANT, {
      dueByMs: T0 + 10,
      limit: 100,
      nowMs: T0 + 10,
      shard: 3,
    });
    expect(second.refs).toHaveLength(100);
    // Fewer than a full batch left while others run: it waits for them (a light stream shares batches).
    const third = await pending.takeBatch(TENANT, { dueByMs: T0 + 10, limit: 100, nowMs: T0 + 10 });
    expect(third.refs).toEqual([]);
    const taken = [...first.refs, ...second.refs].map((ref) => ref.id);
    expect(new Set(taken).size).toBe(taken.length);
    await pending.release(TENANT, first.refs, first.id);
    await pending.release(TENANT, second.refs, second.id);
    const rest = await pending.popDue(TENANT, T0 + 10, 1_000, T0 + 10);
    expect(rest).toHaveLength(50);
  });

  it('a record that changed again while its batch runs waits for that batch, whoever asks', async () => {
    await pending.add(TENANT, refs(5_000, 4), T0);
    const running = await pending.takeBatch(TENANT, { dueByMs: T0, limit: 100, nowMs: T0 });
    expect(running.refs).toHaveLength(4);
    // Record 5000 changes again, then a backlog arrives: the next batch takes the backlog only.
    await pending.add(TENANT, refs(5_000, 1), T0 + 5);
    await pending.add(TENANT, refs(6_000, 120), T0 + 5);
    const next = await pending.takeBatch(TENANT, {
      dueByMs: T0 + 5,
      limit: 100,
      nowMs: T0 + 5,
      shard: pending.shardOf(TENANT, { system: 'hubspot', id: '5000' }),
    });
    expect(next.refs).toHaveLength(100);
    expect(next.refs.map((ref) => ref.id)).not.toContain('5000');
    await pending.release(TENANT, running.refs, running.id);
    await pending.release(TENANT, next.refs, next.id);
    const after = await pending.popDue(TENANT, T0 + 5, 1_000, T0 + 5);
    expect(after.map((ref) => ref.id)).toContain('5000');
    expect(after).toHaveLength(21);
  });

  it("a batch holding one of a lead's records keeps the lead: another batch takes other leads only", async () => {
    const lead = 'lead-L';
    const x: PendingRef = { system: 'hubspot', id: 'X', leadKey: lead };
    const y: PendingRef = { system: 'salesforce', id: 'Y', leadKey: lead };
    const others = Array.from({ length: 120 }, (_, i) => ({
      system: 'hubspot' as const,
      id: `o${i}`,
      leadKey: `lead-${i}`,
    }));
    await pending.add(TENANT, [x], T0);
    const a = await pending.takeBatch(TENANT, { dueByMs: T0, limit: 100, nowMs: T0 });
    expect(a.refs.map((ref) => ref.id)).toEqual(['X']);
    // Salesforce echoes batch A's write to the lead while A runs, and a backlog of other leads arrives.
    await pending.add(TENANT, [y, ...others], T0 + 5);
    const b = await pending.takeBatch(TENANT, {
      dueByMs: T0 + 5,
      limit: 100,
      nowMs: T0 + 5,
      shard: pending.shardOf(TENANT, y),
    });
    expect(b.refs).toHaveLength(100);
    expect(b.refs.map((ref) => ref.id)).not.toContain('Y');
    expect(b.refs.every((ref) => ref.leadKey !== lead)).toBe(true);
    // Once A's outcome is stored, the lead is free: Y goes out, with its lead.
    await pending.release(TENANT, a.refs, a.id);
    await pending.release(TENANT, b.refs, b.id);
    const rest = await pending.popDue(TENANT, T0 + 5, 1_000, T0 + 5);
    expect(rest.map((ref) => ref.id)).toContain('Y');
    expect(rest.find((ref) => ref.id === 'Y')?.leadKey).toBe(lead);
    expect(rest).toHaveLength(21);
    await pending.release(TENANT, rest);
  });

  it("one batch takes every pending record of a lead; a dead batch's lease returns its lead", async () => {
    const lead = 'lead-M';
    const x: PendingRef = { system: 'hubspot', id: 'MX', leadKey: lead };
    const y: PendingRef = { system: 'salesforce', id: 'MY', leadKey: lead };
    await pending.add(TENANT, [x, y], T0);
    const a = await pending.takeBatch(TENANT, { dueByMs: T0, limit: 100, nowMs: T0 });
    expect(a.refs.map((ref) => ref.id).sort()).toEqual(['MX', 'MY']);
    // MY changes again while A runs: no other batch takes it, rep lane or not.
    await pending.add(TENANT, [y], T0 + 5, 'rep');
    const b = await pending.takeBatch(TENANT, { dueByMs: T0 + 5, limit: 100, nowMs: T0 + 5 });
    expect(b.refs).toEqual([]);
    // A dies: once its lease ends, its records and its lead return, and the next batch takes them.
    const after = T0 + pending.leaseMs + 1;
    const c = await pending.takeBatch(TENANT, { dueByMs: after, limit: 100, nowMs: after });
    expect(c.refs.map((ref) => ref.id).sort()).toEqual(['MX', 'MY']);
    await pending.release(TENANT, c.refs, c.id);
    // The lead's claim ends with its records' (no count left behind to hold it for good).
    expect(await redis.hexists(`${prefix}:{${TENANT}}:claimed-leads`, `lead:${lead}`)).toBe(0);
    await pending.add(TENANT, [y], T0 + 10);
    const d = await pending.takeBatch(TENANT, { dueByMs: T0 + 10, limit: 100, nowMs: after + 1 });
    expect(d.refs.map((ref) => ref.id)).toEqual(['MY']);
    await pending.release(TENANT, d.refs, d.id);
  });

  it('records a running batch holds count neither towards a full batch nor as rep-lane work', async () => {
    const held = refs(8_000, 1).map((ref) => ({ ...ref, leadKey: 'lead-held' }));
    await pending.add(TENANT, held, T0);
    const running = await pending.takeBatch(TENANT, { dueByMs: T0, limit: 10, nowMs: T0 });
    expect(running.refs).toHaveLength(1);
    // The held record changes again in the rep lane, and nine routine records of other leads arrive:
    // ten due, but only nine free and none of them a rep's: no part-empty batch starts beside it.
    await pending.add(TENANT, held, T0 + 5, 'rep');
    await pending.add(TENANT, refs(8_100, 9), T0 + 5);
    const early = await pending.takeBatch(TENANT, { dueByMs: T0 + 5, limit: 10, nowMs: T0 + 5 });
    expect(early.refs).toEqual([]);
    // One more free record fills a batch: it starts, without the held one.
    await pending.add(TENANT, refs(8_200, 1), T0 + 6);
    const full = await pending.takeBatch(TENANT, { dueByMs: T0 + 6, limit: 10, nowMs: T0 + 6 });
    expect(full.refs).toHaveLength(10);
    expect(full.refs.map((ref) => ref.id)).not.toContain('8000');
    await pending.release(TENANT, running.refs, running.id);
    await pending.release(TENANT, full.refs, full.id);
    const rest = await pending.popDue(TENANT, T0 + 6, 1_000, T0 + 6);
    expect(rest.map((ref) => ref.id)).toEqual(['8000']);
    await pending.release(TENANT, rest);
  });

  it('a record claimed before it was linked stays with its batch when its lead goes out in another', async () => {
    // Batch A took hubspot|NX before it was linked (claimed by itself); then NX and NY are added as lead N's.
    // One shard, so both entries of NX meet (with shards, one lead's records share a shard once linked).
    const solo = 'solo';
    const one = new PendingRefs(redis, { prefix, sharding: () => ({ shards: 1, maxParallelBatches: 8 }) });
    const unlinked: PendingRef = { system: 'hubspot', id: 'NX' };
    await one.add(solo, [unlinked], T0);
    const a = await one.takeBatch(solo, { dueByMs: T0, limit: 100, nowMs: T0, shard: -1 });
    expect(a.refs.map((ref) => ref.id)).toEqual(['NX']);
    const ny: PendingRef = { system: 'salesforce', id: 'NY', leadKey: 'lead-N' };
    const nx: PendingRef = { ...unlinked, leadKey: 'lead-N' };
    // NY comes first (a rep's change), so the batch holds lead N by the time it meets NX.
    await one.add(solo, [ny], T0 + 5, 'rep');
    await one.add(solo, [nx], T0 + 5);
    const b = await one.takeBatch(solo, { dueByMs: T0 + 5, limit: 100, nowMs: T0 + 5, shard: -1 });
    expect(b.refs.map((ref) => ref.id)).toContain('NY');
    expect(b.refs.map((ref) => ref.id)).not.toContain('NX');
    await one.release(solo, a.refs, a.id);
    await one.release(solo, b.refs, b.id);
    const rest = await one.popDue(solo, T0 + 5, 1_000, T0 + 5);
    expect(rest.map((ref) => ref.id)).toContain('NX');
    await one.release(solo, rest);
  });
});
