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
});
