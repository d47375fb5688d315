import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkRedis } from '../../../src/cli/commands/doctor-checks.ts';
import { redisProblem } from '../../../src/cli/redis-preflight.ts';
import { FailureThrottle } from '../../../src/server/admin-sessions.ts';
import { RedisRateLimiter, type RateLimit } from '../../../src/store/rate-limiter.ts';
import { deleteMatching, masterNodes, scanKeys } from '../../../src/store/redis.ts';
import {
  CLUSTER_URL,
  clusterPrefix,
  clusterSuite,
  connectCluster,
  dropClusterKeys,
  keysByNode,
} from './cluster-env.ts';

describe.skipIf(!CLUSTER_URL)(clusterSuite('Redis Cluster: multi-key primitives stay in one slot'), () => {
  const prefix = clusterPrefix('primitives');
  let redis: Redis;

  beforeAll(async () => {
    redis = connectCluster();
    await redis.ping();
  });
  afterAll(async () => {
    await dropClusterKeys(redis, prefix);
    await redis.quit();
  });

  it('connects to every master of the cluster', () => {
    expect(masterNodes(redis).length).toBeGreaterThanOrEqual(3);
  });

  it('the start-up check answers for a cluster URL, and names the problem when no node answers', async () => {
    expect(await redisProblem(CLUSTER_URL)).toBeNull();
    expect(await redisProblem('redis+cluster://127.0.0.1:9', 1_000)).toMatch(
      /slots|startup nodes|ECONNREFUSED/i,
    );
  });

  it('doctor checks maxmemory-policy on every master, not on whichever node answers', async () => {
    const policy = async () =>
      (await checkRedis(redis, CLUSTER_URL)).find((check) => check.name === 'maxmemory-policy');
    expect(await policy()).toMatchObject({ status: 'pass', detail: 'noeviction' });
    const [, second] = masterNodes(redis);
    await second!.config('SET', 'maxmemory-policy', 'allkeys-lru');
    try {
      for (let i = 0; i < 3; i++) expect((await policy())?.status).toBe('warn');
      expect((await policy())?.detail).toMatch(/allkeys-lru/);
    } finally {
      await second!.config('SET', 'maxmemory-policy', 'noeviction');
    }
  });

  it('the rate limiter takes slots in several limits at once (one Lua script over one slot)', async () => {
    const limiter = new RedisRateLimiter(redis, { prefix: `${prefix}:ratelimit` });
    const limits: RateLimit[] = [
      { name: 'burst', limit: 2, windowMs: 60_000 },
      { name: 'search', limit: 5, windowMs: 60_000 },
    ];
    const waits = [];
    for (let i = 0; i < 3; i++) waits.push(await limiter.tryAcquire('hubspot:acme', limits));
    expect(waits.slice(0, 2)).toEqual([0, 0]);
    expect(waits[2]).toBeGreaterThan(0);
    // The vendor's own count as feedback (a window and its learned maximum, one script).
    expect(await limiter.observe('hubspot:acme', limits[1]!, 3, 4)).toBeGreaterThanOrEqual(0);
    await limiter.block('hubspot:acme', 5_000);
    expect(await limiter.tryAcquire('hubspot:acme', limits)).toBeGreaterThan(4_000);
    await limiter.block('hubspot:acme', 5_000, 'search');
    await limiter.reset('hubspot:acme', limits, ['search']);
    expect(await limiter.tryAcquire('hubspot:acme', limits)).toBe(0);
  });

  it('the admin sign-in throttle counts per client and in total (MGET and a pipeline over two keys)', async () => {
    const throttle = new FailureThrottle(redis, `${prefix}:admin`);
    for (let i = 0; i < 3; i++) await throttle.fail('203.0.113.7');
    expect(await throttle.blockedFor('203.0.113.7')).toBe(0);
  });

  it('finds and deletes keys on every node, not only the one a SCAN happens to reach', async () => {
    const keys = Array.from({ length: 60 }, (_, i) => `${prefix}:spread:${i}`);
    for (const key of keys) await redis.set(key, '1');
    const nodes = new Set((await keysByNode(redis, `${prefix}:spread:`)).values());
    expect(nodes.size).toBeGreaterThanOrEqual(2);
    const found: string[] = [];
    for await (const page of scanKeys(redis, `${prefix}:spread:*`)) found.push(...page);
    expect(found.sort()).toEqual([...keys].sort());
    // A fresh connection, as a one-shot clean-up opens: it does not know the masters until it connects.
    const fresh = connectCluster();
    try {
      expect(await deleteMatching(fresh, `${prefix}:spread:*`)).toBe(60);
    } finally {
      await fresh.quit();
    }
    expect((await keysByNode(redis, `${prefix}:spread:`)).size).toBe(0);
  });
});
