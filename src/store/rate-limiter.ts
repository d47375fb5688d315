import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { LuaScript } from './lua-script.ts';

/** One limit: at most `limit` calls in any rolling `windowMs`. */
export interface RateLimit {
  /** Short name, part of the Redis key (e.g. `burst`, `search`). */
  name: string;
  /** Calls allowed per window (the vendor's figure, before the margin). */
  limit: number;
  /** Window length in milliseconds. */
  windowMs: number;
  /**
   * Share of the limit (0..1) left unused, default 0: calls are admitted up to `floor(limit × (1 − margin))`
   * (at least 1). A limiter set exactly at the vendor's limit draws 429s at the window edge, where our
   * clock and the vendor's disagree by a request's latency.
   */
  margin?: number;
}

/**
 * Sliding window over a sorted set per (key, limit), checked and taken atomically for several limits at
 * once: a call takes a slot in every limit or in none. Time is Redis's own (`TIME`), so workers on
 * machines with skewed clocks share one view of the window. Block keys (set after an upstream 429) hold
 * callers until they expire: one for the whole key, one per limit, and one per extra budget a call needs
 * (e.g. a daily one), so a 429 on one budget holds only the calls that draw on it. A limit the vendor
 * reported (`observe`) replaces ours, lower or higher, until that report expires.
 *
 * KEYS: key block; then per limit its sorted set, its block and its learned maximum; then one block per
 * extra budget. ARGV: member, the number of limits, then (limit, windowMs, margin) per limit.
 * Returns 0 when the slots were taken, else the milliseconds to wait before trying again.
 */
const ACQUIRE_SCRIPT = new LuaScript(`
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local wait = redis.call('PTTL', KEYS[1])
if wait < 0 then wait = 0 end
local n = tonumber(ARGV[2])
for i = 0, n - 1 do
  local zset = KEYS[2 + i * 3]
  local blocked = redis.call('PTTL', KEYS[3 + i * 3])
  if blocked > wait then wait = blocked end
  local limit = tonumber(ARGV[3 + i * 3])
  local window = tonumber(ARGV[4 + i * 3])
  local margin = tonumber(ARGV[5 + i * 3])
  local learned = tonumber(redis.call('GET', KEYS[4 + i * 3]) or '0')
  if learned and learned > 0 then limit = learned end
  local allowed = math.floor(limit * (1 - margin))
  if allowed < 1 then allowed = 1 end
  redis.call('ZREMRANGEBYSCORE', zset, '-inf', now - window)
  local count = redis.call('ZCARD', zset)
  if count >= allowed then
    -- A slot frees when the entry that keeps the count at the allowed level ages out.
    local entry = redis.call('ZRANGE', zset, count - allowed, count - allowed, 'WITHSCORES')
    local free = tonumber(entry[2]) + window - now
    if free < 1 then free = 1 end
    if free > wait then wait = free end
  end
end
for j = 2 + n * 3, #KEYS do
  local blocked = redis.call('PTTL', KEYS[j])
  if blocked > wait then wait = blocked end
end
if wait > 0 then return wait end
for i = 0, n - 1 do
  local window = tonumber(ARGV[4 + i * 3])
  redis.call('ZADD', KEYS[2 + i * 3], now, ARGV[1])
  redis.call('PEXPIRE', KEYS[2 + i * 3], window)
end
return 0
`);

/**
 * Feedback from the vendor's own count (e.g. `X-HubSpot-RateLimit-Max` and `-Remaining`): when the vendor
 * has counted more calls in its window than our sorted set holds (calls our window already let go, or
 * another client of the same account), stand-ins for the difference are added, timed now, so our window
 * is never emptier than the vendor's. The vendor's maximum replaces ours for LEARNED_MAX_TTL_MS from its
 * last report, lower (a portal on a lower tier than configured) or higher (a higher tier, or a limit
 * increase pack: the calls go at the pace the account allows). KEYS: sorted set, learned maximum.
 * ARGV: used, max (0: none reported), windowMs, member prefix, ttl.
 * Returns the number of stand-ins added.
 */
const OBSERVE_SCRIPT = new LuaScript(`
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local used = tonumber(ARGV[1])
local max = tonumber(ARGV[2])
local window = tonumber(ARGV[3])
if max > 0 then redis.call('SET', KEYS[2], max, 'PX', tonumber(ARGV[5])) else redis.call('DEL', KEYS[2]) end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
local count = redis.call('ZCARD', KEYS[1])
if used <= count then return 0 end
for i = 1, used - count do redis.call('ZADD', KEYS[1], now, ARGV[4] .. ':' .. i) end
redis.call('PEXPIRE', KEYS[1], window)
return used - count
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

/** How long a vendor-reported maximum replaces the configured one after its last report, in milliseconds. */
export const LEARNED_MAX_TTL_MS = 3_600_000;

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

  /** `<prefix>:{<key>}:<name>`: the hash tag keeps a key's blocks and windows in one Redis Cluster slot, as the scripts need. */
  #key(key: string, name: string): string {
    return `${this.#prefix}:{${key}}:${name}`;
  }

  #blockKey(key: string, budget?: string): string {
    return this.#key(key, budget === undefined ? 'block' : `${budget}:block`);
  }

  #keys(key: string, limits: RateLimit[], budgets: string[] = []): string[] {
    return [
      this.#blockKey(key),
      ...limits.flatMap((limit) => [
        this.#key(key, limit.name),
        this.#blockKey(key, limit.name),
        this.#key(key, `${limit.name}:max`),
      ]),
      ...budgets.map((budget) => this.#blockKey(key, budget)),
    ];
  }

  /**
   * Takes a slot in every limit if all have one and no block holds them (nor the extra `budgets`, which
   * have blocks only); otherwise returns the milliseconds until they might.
   */
  async tryAcquire(key: string, limits: RateLimit[], budgets: string[] = []): Promise<number> {
    const args = limits.flatMap((limit) => [
      String(limit.limit),
      String(limit.windowMs),
      String(Math.min(Math.max(limit.margin ?? 0, 0), 0.99)),
    ]);
    const keys = this.#keys(key, limits, budgets);
    const wait = await ACQUIRE_SCRIPT.run(this.#redis, keys, [randomUUID(), limits.length, ...args]);
    return Number(wait);
  }

  /** Waits until a slot is free in every limit (and no block holds `budgets`), then takes it. */
  async acquire(key: string, limits: RateLimit[], budgets: string[] = []): Promise<void> {
    let waited = 0;
    for (;;) {
      const wait = await this.tryAcquire(key, limits, budgets);
      if (wait === 0) return;
      if (waited + wait > this.#maxWaitMs) throw new RateLimitWaitExceeded(key, wait);
      // A little jitter so workers released together do not stampede the same slot.
      const pause = wait + Math.floor(Math.random() * 25);
      await this.#sleep(pause);
      waited += pause;
    }
  }

  /**
   * The vendor's own count for `limit`: `used` calls of at most `max` in its current window. Tops our
   * window up to `used` (never down) and keeps the vendor's `max` in place of ours. Returns the stand-ins added.
   */
  async observe(key: string, limit: RateLimit, used: number, max: number): Promise<number> {
    const bounded = Math.max(0, Math.min(Math.floor(used), Math.max(max, limit.limit)));
    const added = await OBSERVE_SCRIPT.run(
      this.#redis,
      [this.#key(key, limit.name), this.#key(key, `${limit.name}:max`)],
      [
        bounded,
        max > 0 ? Math.floor(max) : 0,
        limit.windowMs,
        randomUUID(),
        LEARNED_MAX_TTL_MS,
      ],
    );
    return Number(added);
  }

  /**
   * Makes callers for `key` wait `ms` (after the upstream API said 429): every caller, or with `budget`
   * only those whose calls draw on that limit or budget. Never shortens a block.
   */
  async block(key: string, ms: number, budget?: string): Promise<void> {
    await BLOCK_SCRIPT.run(this.#redis, [this.#blockKey(key, budget)], [Math.max(1, Math.ceil(ms))]);
  }

  /** Removes every key of `key` (tests, and `doctor` resetting a stuck block). */
  async reset(key: string, limits: RateLimit[], budgets: string[] = []): Promise<void> {
    await this.#redis.del(...this.#keys(key, limits, budgets));
  }
}
