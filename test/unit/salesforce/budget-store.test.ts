import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiBudget } from '../../../connectors/salesforce/budget.ts';
import { MemoryBudgetStore, RedisBudgetStore } from '../../../connectors/salesforce/budget-store.ts';
import { silentLogger } from '../../../src/log/logger.ts';
import { createRedis } from '../../../src/store/redis.ts';

const prefix = `lb-test-sf-budget-${process.pid}-${Date.now()}:`;
const now = 1_800_000_000_000;

describe('budget stores shared by workers', () => {
  let redis: Redis;
  beforeAll(() => {
    redis = createRedis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', silentLogger());
  });
  afterAll(async () => {
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();
  });

  for (const [name, make] of [
    ['memory', () => new MemoryBudgetStore()],
    ['redis', () => new RedisBudgetStore(redis, prefix)],
  ] as const) {
    it(`${name}: a REQUEST_LIMIT_EXCEEDED pause reaches the other workers even before any usage reading`, async () => {
      const store = make();
      const tenant = `t-${name}`;
      expect(await store.get(tenant)).toBeNull();
      const hit = new ApiBudget({ tenant, share: 0.8, store, now: () => now });
      hit.limitExceeded();
      await hit.flush();
      const other = new ApiBudget({ tenant, share: 0.8, store, now: () => now + 1_000 });
      expect(await other.decide()).toMatchObject({ kind: 'wait', reason: 'REQUEST_LIMIT_EXCEEDED' });
      // A later reading keeps the pause.
      other.observe(10, 1000);
      await other.flush();
      expect(await store.get(tenant)).toMatchObject({ used: 10, limit: 1000, pausedUntil: now + 3_600_000 });
    });
  }
});
