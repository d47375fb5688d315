import type { Redis } from 'ioredis';
import { z } from 'zod';
import { ChangeEvent } from '../src/domain/change-event.ts';
import { SystemName } from '../src/domain/lead.ts';
import { DEFAULT_STORE_PREFIX, tenantKey } from '../src/store/keys.ts';
import { LuaScript } from '../src/store/lua-script.ts';
import type { RecordRef } from './engine.ts';

/** How the latest change of a pending record was seen, handed to reconcile for the audit trail. */
const SeenMeta = z.object({
  source: ChangeEvent.shape.source.optional(),
  kind: ChangeEvent.shape.kind.optional(),
  /** ISO-8601 instant of the change in its system. */
  occurredAt: z.string().optional(),
});

/** A pending record with what was last seen of it (reconcile's `SeenRef`). */
export type PendingRef = RecordRef & z.infer<typeof SeenMeta>;

/**
 * KEYS: set, meta. ARGV: mode (NX on add, LT on put back), then (score, member, meta JSON) triples. The
 * meta of an add is the latest change; on a put back, a newer change's meta is kept.
 */
const ADD = new LuaScript(`
for i = 2, #ARGV, 3 do
  redis.call('ZADD', KEYS[1], ARGV[1], ARGV[i], ARGV[i + 1])
  if ARGV[1] == 'NX' then
    redis.call('HSET', KEYS[2], ARGV[i + 1], ARGV[i + 2])
  else
    redis.call('HSETNX', KEYS[2], ARGV[i + 1], ARGV[i + 2])
  end
end
return 1
`);

/**
 * KEYS: set, meta. Pops up to ARGV[2] members scored at or below ARGV[1] (epoch ms), oldest due first,
 * with their meta, in one atomic step, so two reconcile jobs of a tenant never take the same record.
 */
const POP_DUE = new LuaScript(`
local members = redis.call('ZRANGE', KEYS[1], '-inf', ARGV[1], 'BYSCORE', 'LIMIT', 0, tonumber(ARGV[2]))
if #members == 0 then return {} end
redis.call('ZREM', KEYS[1], unpack(members))
local metas = redis.call('HMGET', KEYS[2], unpack(members))
redis.call('HDEL', KEYS[2], unpack(members))
local out = {}
for i = 1, #members do
  out[#out + 1] = members[i]
  out[#out + 1] = metas[i] or ''
end
return out
`);

/** Score of the earliest member as a string (nil when empty), whatever protocol the client speaks. */
const FIRST_SCORE = new LuaScript(`
local first = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
return first[2]
`);

const REMOVE = new LuaScript(`
redis.call('HDEL', KEYS[2], unpack(ARGV))
return redis.call('ZREM', KEYS[1], unpack(ARGV))
`);

function member(ref: RecordRef): string {
  return `${ref.system}|${ref.id}`;
}

function metaJson(ref: PendingRef): string {
  return JSON.stringify({ source: ref.source, kind: ref.kind, occurredAt: ref.occurredAt });
}

function parseMeta(raw: string): z.infer<typeof SeenMeta> {
  try {
    const parsed = SeenMeta.safeParse(JSON.parse(raw));
    return parsed.success ? parsed.data : {};
  } catch {
    return {};
  }
}

function parseMember(raw: string, meta: string): PendingRef | null {
  const bar = raw.indexOf('|');
  const system = SystemName.safeParse(raw.slice(0, bar));
  const id = raw.slice(bar + 1);
  if (bar <= 0 || !system.success || !id) return null;
  const seen = parseMeta(meta);
  return {
    system: system.data,
    id,
    ...(seen.source ? { source: seen.source } : {}),
    ...(seen.kind ? { kind: seen.kind } : {}),
    ...(seen.occurredAt ? { occurredAt: seen.occurredAt } : {}),
  };
}

export interface PendingRefsOptions {
  /** Key prefix (default `leadbridge:store`), the state layer's; tests pass their own. */
  prefix?: string;
}

/**
 * The records of each tenant that changed and wait to be reconciled: a sorted set per tenant
 * (`<prefix>:{tenant}:pending`, member `<system>|<id>`, score the epoch-ms instant it becomes due) and a
 * hash of how each was last seen (`<prefix>:{tenant}:pending-seen`: source, kind, occurredAt).
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

  #keys(tenant: string): string[] {
    return [this.key(tenant), tenantKey(this.#prefix, tenant, 'pending-seen')];
  }

  /** Adds records due at `dueAtMs` (epoch ms); a record already pending keeps its earlier due time. */
  async add(tenant: string, refs: PendingRef[], dueAtMs: number): Promise<void> {
    if (refs.length === 0) return;
    const args = refs.flatMap((ref) => [dueAtMs, member(ref), metaJson(ref)]);
    await ADD.run(this.#redis, this.#keys(tenant), ['NX', ...args]);
  }

  /**
   * Puts records back after a failed batch, due at `dueAtMs`; a record that changed again meanwhile
   * keeps the earlier of the two due times (ZADD LT also adds missing members) and its newer meta.
   */
  async putBack(tenant: string, refs: PendingRef[], dueAtMs: number): Promise<void> {
    if (refs.length === 0) return;
    const args = refs.flatMap((ref) => [dueAtMs, member(ref), metaJson(ref)]);
    await ADD.run(this.#redis, this.#keys(tenant), ['LT', ...args]);
  }

  /** Takes up to `limit` records due at `nowMs` (epoch ms) or earlier, atomically. */
  async popDue(tenant: string, nowMs: number, limit: number): Promise<PendingRef[]> {
    const raw = (await POP_DUE.run(this.#redis, this.#keys(tenant), [nowMs, limit])) as string[];
    const refs: PendingRef[] = [];
    for (let i = 0; i < raw.length; i += 2) {
      const ref = parseMember(raw[i] ?? '', raw[i + 1] ?? '');
      if (ref) refs.push(ref);
    }
    return refs;
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
    return Number(await REMOVE.run(this.#redis, this.#keys(tenant), refs.map(member)));
  }
}
