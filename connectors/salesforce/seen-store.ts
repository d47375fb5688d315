import type { Redis } from 'ioredis';

/**
 * Which (record, SystemModstamp) pairs the poller already handed out, so the overlap re-scan that catches
 * late commits does not hand them out again. Members are `<Id>@<SystemModstamp>`, scored by the stamp.
 */
export interface SeenStore {
  /** Returns the keys not seen yet. */
  unseen(tenant: string, keys: string[]): Promise<string[]>;
  /** Records keys as seen and forgets those stamped before `forgetBefore` (epoch ms). */
  remember(tenant: string, entries: Array<{ key: string; at: number }>, forgetBefore: number): Promise<void>;
}

export class MemorySeenStore implements SeenStore {
  private readonly seen = new Map<string, Map<string, number>>();

  async unseen(tenant: string, keys: string[]): Promise<string[]> {
    const set = this.seen.get(tenant);
    return keys.filter((key) => !set?.has(key));
  }

  async remember(tenant: string, entries: Array<{ key: string; at: number }>, forgetBefore: number) {
    const set = this.seen.get(tenant) ?? new Map<string, number>();
    for (const entry of entries) set.set(entry.key, entry.at);
    for (const [key, at] of set) if (at < forgetBefore) set.delete(key);
    this.seen.set(tenant, set);
  }
}

/** A sorted set per tenant, `<prefix>sf:seen:<tenant>`, trimmed to the overlap window. */
export class RedisSeenStore implements SeenStore {
  private readonly redis: Redis;
  private readonly prefix: string;

  constructor(redis: Redis, prefix: string) {
    this.redis = redis;
    this.prefix = prefix;
  }

  private key(tenant: string): string {
    return `${this.prefix}sf:seen:${tenant}`;
  }

  async unseen(tenant: string, keys: string[]): Promise<string[]> {
    if (keys.length === 0) return [];
    const scores = await this.redis.zmscore(this.key(tenant), ...keys);
    return keys.filter((_key, index) => scores[index] === null || scores[index] === undefined);
  }

  async remember(tenant: string, entries: Array<{ key: string; at: number }>, forgetBefore: number) {
    const key = this.key(tenant);
    const pipeline = this.redis.pipeline();
    if (entries.length > 0) pipeline.zadd(key, ...entries.flatMap((entry) => [String(entry.at), entry.key]));
    pipeline.zremrangebyscore(key, '-inf', `(${forgetBefore}`);
    await pipeline.exec();
  }
}
