import type { Redis } from 'ioredis';
import { z } from 'zod';
import type { PoolMember, SkipReason } from '../domain/owner-pool-schema.ts';
import { pickOwner, type PickResult, type RoundRobinState } from '../domain/round-robin.ts';
import { DEFAULT_STORE_PREFIX, tenantKey } from './keys.ts';
import { LuaScript } from './lua-script.ts';

const StoredState = z.object({
  seq: z.number().int().nonnegative(),
  credit: z.record(z.string(), z.number()),
  day: z.string(),
  counts: z.record(z.string(), z.number()),
});

/**
 * Stores the new state only if the stored sequence number is still the one the pick started from: a
 * compare-and-set, so of two workers that read the same state only one commits its pick; the other reads
 * again and picks the next slot. KEYS[1] state; ARGV[1] expected seq (0: no state yet), ARGV[2] new JSON.
 */
const COMPARE_AND_SET = new LuaScript(`
local current = redis.call('GET', KEYS[1])
local seq = 0
if current then
  local ok, decoded = pcall(cjson.decode, current)
  if ok and type(decoded) == 'table' and type(decoded.seq) == 'number' then seq = decoded.seq end
end
if tostring(seq) ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[2])
return 1
`);

function safeJson(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return null;
  }
}

export interface RoundRobinStoreOptions {
  /** Key prefix (default `leadbridge:store`). */
  prefix?: string;
  /** Compare-and-set attempts before giving up (default 50). */
  maxAttempts?: number;
}

/** Raised when a pick lost the compare-and-set race `maxAttempts` times in a row; retryable. */
export class RoundRobinContentionError extends Error {
  override readonly name = 'RoundRobinContentionError';
}

/**
 * Round-robin state per tenant in Redis (one JSON value, `<prefix>:{tenant}:owners:round-robin`), so it
 * survives restarts and is shared by every worker. Each pick runs the pure `pickOwner` on the stored state
 * and commits it with a compare-and-set on the pick's sequence number: no two workers ever commit the
 * same slot, and no lock is held while computing.
 */
export class RoundRobinStore {
  readonly #redis: Redis;
  readonly #prefix: string;
  readonly #maxAttempts: number;
  /** Picks of this process run one at a time per tenant; the compare-and-set only has other processes to beat. */
  readonly #queue = new Map<string, Promise<unknown>>();

  constructor(redis: Redis, options: RoundRobinStoreOptions = {}) {
    this.#redis = redis;
    this.#prefix = options.prefix ?? DEFAULT_STORE_PREFIX;
    this.#maxAttempts = options.maxAttempts ?? 50;
  }

  key(tenant: string): string {
    return tenantKey(this.#prefix, tenant, 'owners', 'round-robin');
  }

  async read(tenant: string): Promise<RoundRobinState | null> {
    const raw = await this.#redis.get(this.key(tenant));
    if (raw === null) return null;
    const parsed = StoredState.safeParse(safeJson(raw));
    return parsed.success ? parsed.data : null;
  }

  pick(
    tenant: string,
    pool: readonly PoolMember[],
    unavailable: ReadonlyMap<string, Exclude<SkipReason, 'capped'>>,
    now: () => Date,
  ): Promise<PickResult> {
    const previous = this.#queue.get(tenant) ?? Promise.resolve();
    const next = previous.catch(() => undefined).then(() => this.#pick(tenant, pool, unavailable, now));
    this.#queue.set(tenant, next);
    void next
      .finally(() => {
        if (this.#queue.get(tenant) === next) this.#queue.delete(tenant);
      })
      .catch(() => undefined);
    return next;
  }

  async #pick(
    tenant: string,
    pool: readonly PoolMember[],
    unavailable: ReadonlyMap<string, Exclude<SkipReason, 'capped'>>,
    now: () => Date,
  ): Promise<PickResult> {
    const key = this.key(tenant);
    for (let attempt = 1; attempt <= this.#maxAttempts; attempt++) {
      const raw = await this.#redis.get(key);
      // An unreadable state restarts the rotation rather than blocking every handoff (and is overwritten).
      const json = raw === null ? null : safeJson(raw);
      const parsed = StoredState.safeParse(json);
      const state = parsed.success ? parsed.data : null;
      // What the compare-and-set script reads as the stored seq, whether or not the rest is readable.
      const seq = (json as { seq?: unknown } | null)?.seq;
      const expected = typeof seq === 'number' ? seq : 0;
      const result = pickOwner({ pool, state, unavailable, now: now() });
      if (!result.ok) return result;
      const stored = await COMPARE_AND_SET.run(
        this.#redis,
        [key],
        [String(expected), JSON.stringify(result.state)],
      );
      if (stored === 1) return result;
      // Another worker committed a pick first: back off a little (jittered) and read again.
      await new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(50, attempt * 5)));
    }
    throw new RoundRobinContentionError(
      `round-robin pick for ${tenant} lost the race ${this.#maxAttempts} times`,
    );
  }
}
