import type { Redis } from 'ioredis';
import { SystemName } from '../src/domain/lead.ts';
import { DEFAULT_STORE_PREFIX, tenantKey } from '../src/store/keys.ts';
import { LuaScript } from '../src/store/lua-script.ts';
import type { RecordRef } from './engine.ts';

/**
 * Pops up to ARGV[2] members scored at or below ARGV[1] (epoch ms), oldest due first, in one atomic step,
 * so two reconcile jobs of one tenant can never take the same record.
 */
const POP_DUE = new LuaScript(`
local members = redis.call('ZRANGE', KEYS[1], '-inf', ARGV[1], 'BYSCORE', 'LIMIT', 0, tonumber(ARGV[2]))
if #members > 0 then redis.call('ZREM', KEYS[1], unpack(members)) end
return members
`);

/** Score of the earliest member as a string (nil when empty), whatever protocol the client speaks. */
const FIRST_SCORE = new LuaScript(`
local first = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
return first[2]
`);

function member(ref: RecordRef): string {
  return `${ref.system}|${ref.id}`;
}

function parseMember(raw: string): RecordRef | null {
  const bar = raw.indexOf('|');
  const system = SystemName.safeParse(raw.slice(0, bar));
  const id = raw.slice(bar + 1);
  return bar > 0 && system.success && id ? { system: system.data, id } : null;
}

export interface PendingRefsOptions {
  /** Key prefix (default `leadbridge:store`), the state layer's; tests pass their own. */
  prefix?: string;
}

/**
 * The records of each tenant that changed and wait to be reconciled: one sorted set per tenant
 * (`<prefix>:{tenant}:pending`), member `<system>|<id>`, score the epoch-ms instant it becomes due.
 *
 * A record already pending keeps its due time when it changes again (ZADD NX), so a burst of 20 changes
 * is one piece of work, reconciled once the first change has waited the debounce; a record that never
 * stops changing is still reconciled on time, never pushed back forever. Reconcile reads the current
 * state of both sides, so changes that arrive between the pop and the read are covered too.
 */
export class PendingRefs {
  readonly #redis: Redis;
  readonly #prefix: string;

  constructor(redis: Redis, options: PendingRefsOptions = {}) {
    this.#redis = redis;
    this.#prefix = options.prefix ?? DEFAULT_STORE_PREFIX;
  }

  key(tenant: string): string {
    return tenantKey(this.#prefix, tenant, 'pending');
  }

  /** Adds records due at `dueAtMs` (epoch ms); a record already pending keeps its earlier due time. */
  async add(tenant: string, refs: RecordRef[], dueAtMs: number): Promise<number> {
    if (refs.length === 0) return 0;
    return this.#redis.zadd(this.key(tenant), 'NX', ...refs.flatMap((ref) => [dueAtMs, member(ref)]));
  }

  /**
   * Puts records back after a failed batch, due at `dueAtMs`; a record that changed again meanwhile
   * keeps the earlier of the two due times (ZADD LT also adds missing members).
   */
  async putBack(tenant: string, refs: RecordRef[], dueAtMs: number): Promise<void> {
    if (refs.length === 0) return;
    await this.#redis.zadd(this.key(tenant), 'LT', ...refs.flatMap((ref) => [dueAtMs, member(ref)]));
  }

  /** Takes up to `limit` records due at `nowMs` (epoch ms) or earlier, atomically. */
  async popDue(tenant: string, nowMs: number, limit: number): Promise<RecordRef[]> {
    const raw = (await POP_DUE.run(this.#redis, [this.key(tenant)], [nowMs, limit])) as string[];
    return raw.flatMap((item) => parseMember(item) ?? []);
  }

  /** Epoch ms at which the earliest pending record is due, or null when nothing is pending. */
  async nextDueAt(tenant: string): Promise<number | null> {
    const score = await FIRST_SCORE.run(this.#redis, [this.key(tenant)], []);
    return score === null || score === undefined ? null : Number(score);
  }

  async count(tenant: string): Promise<number> {
    return this.#redis.zcard(this.key(tenant));
  }

  /** Drops records that must not be reconciled any more (a privacy deletion). */
  async remove(tenant: string, refs: RecordRef[]): Promise<number> {
    if (refs.length === 0) return 0;
    return this.#redis.zrem(this.key(tenant), ...refs.map(member));
  }
}
