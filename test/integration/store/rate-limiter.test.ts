import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RateLimitWaitExceeded, RedisRateLimiter, type RateLimit } from '../../../src/store/rate-limiter.ts';

const PREFIX = `test-ratelimit-${process.pid}-${Date.now()}`;
let redis: Redis;

beforeAll(() => {
  redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { maxRetriesPerRequest: 1 });
});
afterAll(async () => {
  const keys = await redis.keys(`${PREFIX}:*`);
  if (keys.length > 0) await redis.del(...keys);
  await redis.quit();
});

describe('RedisRateLimiter', () => {
  it('allows `limit` calls per window and says how long until the next slot', async () => {
    const limiter = new RedisRateLimiter(redis, { prefix: PREFIX });
    const limit: RateLimit = { name: 'burst', limit: 3, windowMs: 1_000 };
    const waits = [];
    for (let i = 0; i < 4; i++) waits.push(await limiter.tryAcquire('t1', [limit]));
    expect(waits.slice(0, 3)).toEqual([0, 0, 0]);
    expect(waits[3]).toBeGreaterThan(800);
    expect(waits[3]).toBeLessThanOrEqual(1_000);
  });

  it('shares one budget between limiters on separate connections (workers), per key', async () => {
    const other = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
    try {
      const a = new RedisRateLimiter(redis, { prefix: PREFIX });
      const b = new RedisRateLimiter(other, { prefix: PREFIX });
      const limit: RateLimit = { name: 'burst', limit: 10, windowMs: 60_000 };
      const results = await Promise.all(
        Array.from({ length: 30 }, (_, i) => (i % 2 ? a : b).tryAcquire('shared', [limit])),
      );
      expect(results.filter((wait) => wait === 0)).toHaveLength(10);
      expect(await a.tryAcquire('another-tenant', [limit])).toBe(0);
    } finally {
      await other.quit();
    }
  });

  it('takes a slot in every limit or in none', async () => {
    const limiter = new RedisRateLimiter(redis, { prefix: PREFIX });
    const burst: RateLimit = { name: 'burst', limit: 100, windowMs: 10_000 };
    const search: RateLimit = { name: 'search', limit: 2, windowMs: 1_000 };
    expect(await limiter.tryAcquire('t2', [burst, search])).toBe(0);
    expect(await limiter.tryAcquire('t2', [burst, search])).toBe(0);
    expect(await limiter.tryAcquire('t2', [burst, search])).toBeGreaterThan(0);
    expect(await redis.zcard(`${PREFIX}:{t2}:burst`)).toBe(2);
  });

  it('acquire waits for the window to free a slot, in real time', async () => {
    const limiter = new RedisRateLimiter(redis, { prefix: PREFIX });
    const limit: RateLimit = { name: 'search', limit: 5, windowMs: 500 };
    const started = Date.now();
    for (let i = 0; i < 12; i++) await limiter.acquire('t3', [limit]);
    // 12 calls at 5 per 500 ms need at least two full windows.
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
  });

  it('holds every caller after a block (an upstream 429) and gives up past maxWaitMs', async () => {
    const limiter = new RedisRateLimiter(redis, { prefix: PREFIX, maxWaitMs: 100 });
    const limit: RateLimit = { name: 'burst', limit: 100, windowMs: 10_000 };
    await limiter.block('t4', 5_000);
    const wait = await limiter.tryAcquire('t4', [limit]);
    expect(wait).toBeGreaterThan(4_000);
    await expect(limiter.acquire('t4', [limit])).rejects.toBeInstanceOf(RateLimitWaitExceeded);
    await limiter.block('t4', 10);
    expect(await redis.pttl(`${PREFIX}:{t4}:block`)).toBeGreaterThan(4_000);
    await limiter.reset('t4', [limit]);
    expect(await limiter.tryAcquire('t4', [limit])).toBe(0);
  });

  it('never shortens a block when two workers block at once (a daily 429 beside a burst one)', async () => {
    const other = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
    try {
      const a = new RedisRateLimiter(redis, { prefix: PREFIX });
      const b = new RedisRateLimiter(other, { prefix: PREFIX });
      const shortened: number[] = [];
      for (let round = 0; round < 200; round++) {
        const key = `race-${round}`;
        await Promise.all([a.block(key, 3_600_000), b.block(key, 1_000)]);
        const left = await redis.pttl(`${PREFIX}:{${key}}:block`);
        if (left < 3_000_000) shortened.push(left);
      }
      expect(shortened).toEqual([]);
    } finally {
      await other.quit();
    }
  });

  it('lets every key expire on its own: windows and blocks leave nothing behind in Redis', async () => {
    const limiter = new RedisRateLimiter(redis, { prefix: PREFIX });
    const burst: RateLimit = { name: 'burst', limit: 2, windowMs: 10_000 };
    const search: RateLimit = { name: 'search', limit: 1, windowMs: 1_000 };
    await limiter.tryAcquire('t5', [burst, search]);
    await limiter.tryAcquire('t5', [burst, search]);
    await limiter.block('t5', 2_000);
    for (const [name, max] of [
      ['burst', 10_000],
      ['search', 1_000],
      ['block', 2_000],
    ] as const) {
      const ttl = await redis.pttl(`${PREFIX}:{t5}:${name}`);
      expect(ttl, name).toBeGreaterThan(0);
      expect(ttl, name).toBeLessThanOrEqual(max);
    }
  });
  it('keeps a margin below the limit: admits floor(limit × (1 − margin)) calls per window', async () => {
    const limiter = new RedisRateLimiter(redis, { prefix: PREFIX });
    const limit: RateLimit = { name: 'burst', limit: 20, windowMs: 10_000, margin: 0.1 };
    const waits = [];
    for (let i = 0; i < 20; i++) waits.push(await limiter.tryAcquire('margin', [limit]));
    expect(waits.filter((wait) => wait === 0)).toHaveLength(18);
    expect(waits.slice(18).every((wait) => wait > 9_000)).toBe(true);
  });

  it("tops the window up to the vendor's own count, never down, and keeps a lower vendor maximum", async () => {
    const limiter = new RedisRateLimiter(redis, { prefix: PREFIX });
    const limit: RateLimit = { name: 'burst', limit: 10, windowMs: 10_000 };
    expect(await limiter.tryAcquire('feedback', [limit])).toBe(0);
    // The vendor counted 7 calls in its window (other clients of the account, or calls our window let go).
    expect(await limiter.observe('feedback', limit, 7, 10)).toBe(6);
    expect(await redis.zcard(`${PREFIX}:{feedback}:burst`)).toBe(7);
    expect(await limiter.observe('feedback', limit, 2, 10)).toBe(0);
    expect(await redis.zcard(`${PREFIX}:{feedback}:burst`)).toBe(7);
    const waits = [];
    for (let i = 0; i < 4; i++) waits.push(await limiter.tryAcquire('feedback', [limit]));
    expect(waits).toEqual([0, 0, 0, expect.any(Number)]);
    expect(waits[3]).toBeGreaterThan(9_000);

    // A portal on a lower tier than configured: its Max (4) replaces ours (10) for a while.
    const tier: RateLimit = { name: 'burst', limit: 10, windowMs: 10_000 };
    await limiter.observe('tier', tier, 1, 4);
    const admitted = [];
    for (let i = 0; i < 6; i++) admitted.push(await limiter.tryAcquire('tier', [tier]));
    expect(admitted.filter((wait) => wait === 0)).toHaveLength(3);
    // Upgraded: HubSpot now reports 10 again, and the configured limit is back in force at once.
    await limiter.observe('tier', tier, 3, 10);
    expect(await limiter.tryAcquire('tier', [tier])).toBe(0);

    // A portal on a higher tier than configured (Professional, 190, where the default says 100): its
    // Max replaces ours too, so the calls go at the pace the portal allows.
    const higher: RateLimit = { name: 'burst', limit: 10, windowMs: 10_000 };
    await limiter.observe('higher', higher, 0, 20);
    const allowed = [];
    for (let i = 0; i < 21; i++) allowed.push(await limiter.tryAcquire('higher', [higher]));
    expect(allowed.filter((wait) => wait === 0)).toHaveLength(20);
  });

  it('a block on one limit or budget holds only the calls that draw on it', async () => {
    const limiter = new RedisRateLimiter(redis, { prefix: PREFIX });
    const burst: RateLimit = { name: 'burst', limit: 100, windowMs: 10_000 };
    const search: RateLimit = { name: 'search', limit: 5, windowMs: 1_000 };
    await limiter.block('budgets', 5_000, 'search');
    expect(await limiter.tryAcquire('budgets', [burst], ['daily'])).toBe(0);
    expect(await limiter.tryAcquire('budgets', [burst, search], ['daily'])).toBeGreaterThan(4_000);
    await limiter.block('budgets', 60_000, 'daily');
    expect(await limiter.tryAcquire('budgets', [burst], ['daily'])).toBeGreaterThan(50_000);
    expect(await limiter.tryAcquire('budgets', [burst])).toBe(0);
    expect(await limiter.tryAcquire('other-tenant', [burst, search], ['daily'])).toBe(0);
    await limiter.reset('budgets', [burst, search], ['daily']);
    expect(await limiter.tryAcquire('budgets', [burst, search], ['daily'])).toBe(0);
  });
});
