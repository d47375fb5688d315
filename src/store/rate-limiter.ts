import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { LuaScript } from './lua-script.ts';

/** One limit: at most `limit` calls in any rolling `windowMs`. */
export interface RateLimit {
  /** Short name, part of the Redis key (e.g. `burst`, `search`). */
  name: string;
  /** Calls allowed per window. */
  limit: number;
  /** Window length in milliseconds. */
  windowMs: number;
}

/**
 * Sliding window over a sorted set per (key, limit), checked and taken atomically for several limits at
 * once: a call takes a slot in every limit or in none. Time is Redis's own (`TIME`), so workers on
 * machines with skewed clocks share one view of the window. A `block` key (set after an upstream 429)
 * makes every caller wait until it expires.
 *
 * KEYS: block key, then one sorted set per limit. ARGV: member, then (limit, windowMs) per limit.
 * Returns 0 when the slots were taken, else the milliseconds to wait before trying again.
 */
const ACQUIRE_SCRIPT = new LuaScript(`
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local blocked = redis.call('PTTL', KEYS[1])
if blocked > 0 then return blocked end
local wait = 0
for i = 2, #KEYS do
  local limit = tonumber(ARGV[(i - 2) * 2 + 2])
  local window = tonumber(ARGV[(i - 2) * 2 + 3])
  redis.call('ZREMRANGEBYSCORE', KEYS[i], '-inf', now - window)
  if redis.call('ZCARD', KEYS[i]) >= limit then
    local oldest = redis.call('ZRANGE', KEYS[i], 0, 0, 'WITHSCORES')
    local free = tonumber(oldest[2]) + window - now
    if free < 1 then free = 1 end
    if free > wait then wait = free end
  end
end
if wait > 0 then return wait end
for i = 2, #KEYS do
  local window = tonumber(ARGV[(i - 2) * 2 + 3])
  redis.call('ZADD', KEYS[i], now, ARGV[1])
  redis.call('PEXPIRE', KEYS[i], window)
end
return 0
`);

/**
 * Sets the block key to `ms` unless it already lasts longer, in one step: a PTTL-then-SET from two
 * workers at once lets a short burst block overwrite a daily one. KEYS: block key. ARGV: ms.
 */
const BLOCK_SCRIPT = new LuaScript(`
local ms = tonumber(ARGV[1])
if redis.call('PTTL', KEYS[1]) < ms then redis.call('SET', KEYS[1], '1', 'PX', ms) end
return 0
`);

export interface RedisRateLimiterOptions {
  /** Key prefix, e.g. `leadbridge:ratelimit`; tests pass their own. */
  prefix: string;
  /** Longest a single `acquire` waits in total before giving up, in milliseconds. */
  maxWaitMs?: number;
  /** Injectable sleep, for tests. */
  sleep?: (ms: number) => Promise<void>;
}

/** Thrown when `acquire` would wait longer than `maxWaitMs`; callers treat it as rate limited. */
export class RateLimitWaitExceeded extends Error {
  readonly waitMs: number;
  constructor(key: string, waitMs: number) {
    super(`rate limit ${key}: next slot in ${waitMs} ms, beyond the allowed wait`);
    this.name = 'RateLimitWaitExceeded';
    this.waitMs = waitMs;
  }
}

/** Rate limits shared by every process that uses the same Redis: per tenant and limit, not per worker. */
export class RedisRateLimiter {
  readonly #redis: Redis;
  readonly #prefix: string;
  readonly #maxWaitMs: number;
  readonly #sleep: (ms: number) => Promise<void>;

  constructor(redis: Redis, options: RedisRateLimiterOptions) {
    this.#redis = redis;
    this.#prefix = options.prefix;
    this.#maxWaitMs = options.maxWaitMs ?? 120_000;
    this.#sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  /** `<prefix>:{<key>}:<name>`: the hash tag keeps a key's block and windows in one Redis Cluster slot, as the script needs. */
  #key(key: string, name: string): string {
    return `${this.#prefix}:{${key}}:${name}`;
  }

  #keys(key: string, limits: RateLimit[]): string[] {
    return [this.#key(key, 'block'), ...limits.map((limit) => this.#key(key, limit.name))];
  }

  /** Takes a slot in every limit if all have one; otherwise returns the milliseconds until they might. */
  async tryAcquire(key: string, limits: RateLimit[]): Promise<number> {
    const args = limits.flatMap((limit) => [String(limit.limit), String(limit.windowMs)]);
    const keys = this.#keys(key, limits);
    const wait = await ACQUIRE_SCRIPT.run(this.#redis, keys, [randomUUID(), ...args]);
    return Number(wait);
  }

  /** Waits until a slot is free in every limit, then takes it. */
  async acquire(key: string, limits: RateLimit[]): Promise<void> {
    let waited = 0;
    for (;;) {
      const wait = await this.tryAcquire(key, limits);
      if (wait === 0) return;
      if (waited + wait > this.#maxWaitMs) throw new RateLimitWaitExceeded(key, wait);
      // A little jitter so workers released together do not stampede the same slot.
      const pause = wait + Math.floor(Math.random() * 25);
      await this.#sleep(pause);
      waited += pause;
    }
  }

  /** Makes every caller for `key` wait `ms` (after the upstream API said 429). Never shortens a block. */
  async block(key: string, ms: number): Promise<void> {
    await BLOCK_SCRIPT.run(this.#redis, [this.#key(key, 'block')], [Math.max(1, Math.ceil(ms))]);
  }

  /** Removes every key of `key` (tests, and `doctor` resetting a stuck block). */
  async reset(key: string, limits: RateLimit[]): Promise<void> {
    await this.#redis.del(...this.#keys(key, limits));
  }
}
