import type { Redis } from 'ioredis';
import { z } from 'zod';

/** What LeadBridge last learnt about a tenant's daily API usage, shared by every worker. */
export const BudgetState = z.object({
  /** Calls used in the rolling 24 hours, as the last `Sforce-Limit-Info` said. */
  used: z.number().int().nonnegative(),
  /** The org's daily allocation. */
  limit: z.number().int().positive(),
  /** Epoch milliseconds of that reading. */
  observedAt: z.number().int().nonnegative(),
  /** Epoch milliseconds before which no new work starts (after REQUEST_LIMIT_EXCEEDED); 0 when not paused. */
  pausedUntil: z.number().int().nonnegative(),
});
export type BudgetState = z.infer<typeof BudgetState>;

export interface BudgetStore {
  get(tenant: string): Promise<BudgetState | null>;
  observe(tenant: string, used: number, limit: number, at: number): Promise<void>;
  pause(tenant: string, until: number): Promise<void>;
}

export class MemoryBudgetStore implements BudgetStore {
  private readonly states = new Map<string, BudgetState>();

  async get(tenant: string): Promise<BudgetState | null> {
    return this.states.get(tenant) ?? null;
  }

  async observe(tenant: string, used: number, limit: number, at: number): Promise<void> {
    const previous = this.states.get(tenant);
    if (previous && previous.observedAt > at) return;
    this.states.set(tenant, { used, limit, observedAt: at, pausedUntil: previous?.pausedUntil ?? 0 });
  }

  async pause(tenant: string, until: number): Promise<void> {
    const previous = this.states.get(tenant) ?? { used: 0, limit: 1, observedAt: 0, pausedUntil: 0 };
    this.states.set(tenant, { ...previous, pausedUntil: Math.max(previous.pausedUntil, until) });
  }
}

/** One hash per tenant, `<prefix>sf:budget:<tenant>`, so every worker stops at the same share. */
export class RedisBudgetStore implements BudgetStore {
  private readonly redis: Redis;
  private readonly prefix: string;

  constructor(redis: Redis, prefix: string) {
    this.redis = redis;
    this.prefix = prefix;
  }

  private key(tenant: string): string {
    return `${this.prefix}sf:budget:${tenant}`;
  }

  async get(tenant: string): Promise<BudgetState | null> {
    const raw = await this.redis.hgetall(this.key(tenant));
    // A pause can be stored before any usage reading (a 403 without Sforce-Limit-Info); it must still count.
    const read = raw.limit !== undefined;
    const parsed = BudgetState.safeParse({
      used: read ? Number(raw.used) : 0,
      limit: read ? Number(raw.limit) : 1,
      observedAt: read ? Number(raw.observedAt) : 0,
      pausedUntil: Number(raw.pausedUntil ?? 0),
    });
    if (!read && parsed.success && parsed.data.pausedUntil === 0) return null;
    return parsed.success ? parsed.data : null;
  }

  async observe(tenant: string, used: number, limit: number, at: number): Promise<void> {
    // Readings from concurrent workers may land out of order; keep the newest (compare-and-set in Lua).
    await this.redis.eval(
      `local seen = tonumber(redis.call('HGET', KEYS[1], 'observedAt') or '0')
       if tonumber(ARGV[3]) >= seen then
         redis.call('HSET', KEYS[1], 'used', ARGV[1], 'limit', ARGV[2], 'observedAt', ARGV[3])
       end
       return 1`,
      1,
      this.key(tenant),
      String(used),
      String(limit),
      String(at),
    );
  }

  async pause(tenant: string, until: number): Promise<void> {
    await this.redis.eval(
      `local current = tonumber(redis.call('HGET', KEYS[1], 'pausedUntil') or '0')
       if tonumber(ARGV[1]) > current then redis.call('HSET', KEYS[1], 'pausedUntil', ARGV[1]) end
       return 1`,
      1,
      this.key(tenant),
      String(until),
    );
  }
}
