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
 * KEYS: set, meta, claimed, claimed meta. ARGV: mode (NX on add, LT on put back), then (score, member,
 * meta JSON) triples. The meta of an add is the latest change; on a put back, a newer change's meta is
 * kept and the claim on the member ends.
 */
const ADD = new LuaScript(`
for i = 2, #ARGV, 3 do
  redis.call('ZADD', KEYS[1], ARGV[1], ARGV[i], ARGV[i + 1])
  if ARGV[1] == 'NX' then
    redis.call('HSET', KEYS[2], ARGV[i + 1], ARGV[i + 2])
  else
    redis.call('HSETNX', KEYS[2], ARGV[i + 1], ARGV[i + 2])
    redis.call('ZREM', KEYS[3], ARGV[i + 1])
    redis.call('HDEL', KEYS[4], ARGV[i + 1])
  end
end
return 1
`);

/**
 * KEYS: set, meta, claimed, claimed meta. ARGV: due by, limit, now, lease until (epoch ms).
 * First returns every claim whose lease ended before now (its job died) to the set, due now, keeping a
 * newer change's meta; then pops up to `limit` members due by `due by`, oldest first, and claims them
 * until `lease until`, all in one atomic step, so two reconcile jobs of a tenant never take the same
 * record and a record is never out of both the set and the claims.
 */
const POP_DUE = new LuaScript(`
local expired = redis.call('ZRANGE', KEYS[3], '-inf', ARGV[3], 'BYSCORE')
for _, member in ipairs(expired) do
  redis.call('ZADD', KEYS[1], 'LT', ARGV[3], member)
  local meta = redis.call('HGET', KEYS[4], member)
  if meta then redis.call('HSETNX', KEYS[2], member, meta) end
  redis.call('ZREM', KEYS[3], member)
  redis.call('HDEL', KEYS[4], member)
end
local members = redis.call('ZRANGE', KEYS[1], '-inf', ARGV[1], 'BYSCORE', 'LIMIT', 0, tonumber(ARGV[2]))
if #members == 0 then return {} end
redis.call('ZREM', KEYS[1], unpack(members))
local metas = redis.call('HMGET', KEYS[2], unpack(members))
redis.call('HDEL', KEYS[2], unpack(members))
local out = {}
for i = 1, #members do
  redis.call('ZADD', KEYS[3], ARGV[4], members[i])
  if metas[i] then redis.call('HSET', KEYS[4], members[i], metas[i]) end
  out[#out + 1] = members[i]
  out[#out + 1] = metas[i] or ''
end
return out
`);

/**
 * KEYS: set, claimed. The earliest instant (epoch ms, as a string; nil when both are empty) at which
 * something is due: a pending record, or a claim whose lease ends, whatever protocol the client speaks.
 */
const FIRST_SCORE = new LuaScript(`
local first = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')[2]
local lease = redis.call('ZRANGE', KEYS[2], 0, 0, 'WITHSCORES')[2]
if first and lease then
  if tonumber(lease) < tonumber(first) then return lease end
  return first
end
return first or lease
`);

/** KEYS: set, meta, claimed, claimed meta. ARGV: members. */
const REMOVE = new LuaScript(`
redis.call('HDEL', KEYS[2], unpack(ARGV))
redis.call('ZREM', KEYS[3], unpack(ARGV))
redis.call('HDEL', KEYS[4], unpack(ARGV))
return redis.call('ZREM', KEYS[1], unpack(ARGV))
`);

/** KEYS: claimed, claimed meta. ARGV: members. Ends the claims (the batch's outcome is stored). */
const RELEASE = new LuaScript(`
redis.call('HDEL', KEYS[2], unpack(ARGV))
return redis.call('ZREM', KEYS[1], unpack(ARGV))
`);

/** Default lease of a claim, in milliseconds; a running batch renews it (see `renewWhile`). */
export const CLAIM_LEASE_MS = 60_000;

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
  /** How long records taken for a batch stay claimed without a renewal, in milliseconds. */
  leaseMs?: number;
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
 *
 * Records taken for a batch are not dropped: they stay claimed (`<prefix>:{tenant}:claimed`, score the
 * epoch-ms end of the lease, with their meta in `claimed-seen`) until the batch's outcome is stored
 * (`release`) or they are put back. A job that dies holding a claim stops renewing it; once the lease
 * ends, the next `popDue` returns the records to the pending set, due at once.
 */
export class PendingRefs {
  readonly #redis: Redis;
  readonly #prefix: string;
  /** Lease of a claim, in milliseconds. */
  readonly leaseMs: number;

  constructor(redis: Redis, options: PendingRefsOptions = {}) {
    this.#redis = redis;
    this.#prefix = options.prefix ?? DEFAULT_STORE_PREFIX;
    this.leaseMs = options.leaseMs ?? CLAIM_LEASE_MS;
  }

  key(tenant: string): string {
    return tenantKey(this.#prefix, tenant, 'pending');
  }

  claimedKey(tenant: string): string {
    return tenantKey(this.#prefix, tenant, 'claimed');
  }

  #keys(tenant: string): string[] {
    return [
      this.key(tenant),
      tenantKey(this.#prefix, tenant, 'pending-seen'),
      this.claimedKey(tenant),
      tenantKey(this.#prefix, tenant, 'claimed-seen'),
    ];
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

  /**
   * Takes up to `limit` records due at `dueByMs` (epoch ms) or earlier, atomically, and claims them for
   * a lease from `nowMs` (default: the wall clock); claims of dead jobs whose lease ended by then are
   * returned to the pending set first. Release or put back what you take.
   */
  async popDue(tenant: string, dueByMs: number, limit: number, nowMs = Date.now()): Promise<PendingRef[]> {
    const raw = (await POP_DUE.run(this.#redis, this.#keys(tenant), [
      dueByMs,
      limit,
      nowMs,
      nowMs + this.leaseMs,
    ])) as string[];
    const refs: PendingRef[] = [];
    for (let i = 0; i < raw.length; i += 2) {
      const ref = parseMember(raw[i] ?? '', raw[i + 1] ?? '');
      if (ref) refs.push(ref);
    }
    return refs;
  }

  /** Ends the claims on records whose batch outcome is stored; a newer change stays pending. */
  async release(tenant: string, refs: RecordRef[]): Promise<void> {
    if (refs.length === 0) return;
    const [, , claimed, claimedSeen] = this.#keys(tenant);
    await RELEASE.run(this.#redis, [claimed as string, claimedSeen as string], refs.map(member));
  }

  /** Extends the claims on records a running batch still holds, to `untilMs` (epoch ms). */
  async renew(tenant: string, refs: RecordRef[], untilMs: number): Promise<void> {
    if (refs.length === 0) return;
    await this.#redis.zadd(this.claimedKey(tenant), 'XX', ...refs.flatMap((ref) => [untilMs, member(ref)]));
  }

  /**
   * Runs `work` while holding the claims on `refs`, renewing them every third of the lease, so a long
   * batch keeps its records and a dead one lets them go.
   */
  async renewWhile<T>(tenant: string, refs: RecordRef[], work: () => Promise<T>): Promise<T> {
    const timer = setInterval(
      () => {
        this.renew(tenant, refs, Date.now() + this.leaseMs).catch(() => {
          // Redis away: the claim may lapse and another job take the records; both passes are safe.
        });
      },
      Math.max(10, Math.floor(this.leaseMs / 3)),
    );
    timer.unref();
    try {
      return await work();
    } finally {
      clearInterval(timer);
    }
  }

  /** Epoch ms at which the earliest pending record is due or claim ends, or null when there is none. */
  async nextDueAt(tenant: string): Promise<number | null> {
    const score = await FIRST_SCORE.run(this.#redis, [this.key(tenant), this.claimedKey(tenant)], []);
    return score === null || score === undefined ? null : Number(score);
  }

  /** Records waiting (not claimed by a running batch). */
  async count(tenant: string): Promise<number> {
    return this.#redis.zcard(this.key(tenant));
  }

  /** Records claimed by running (or dead, until their lease ends) batches. */
  async claimedCount(tenant: string): Promise<number> {
    return this.#redis.zcard(this.claimedKey(tenant));
  }

  /** Drops records that must not be reconciled any more (a privacy deletion), claimed or not. */
  async remove(tenant: string, refs: RecordRef[]): Promise<number> {
    if (refs.length === 0) return 0;
    return Number(await REMOVE.run(this.#redis, this.#keys(tenant), refs.map(member)));
  }
}
