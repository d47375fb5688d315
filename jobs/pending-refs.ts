import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { z } from 'zod';
import { heatAfterChange, type ChangeHeat } from '../src/domain/adaptive-debounce.ts';
import { ChangeEvent } from '../src/domain/change-event.ts';
import { SystemName } from '../src/domain/lead.ts';
import type { ReconcileLane } from '../src/domain/reconcile-lane.ts';
import { MAX_TENANT_SHARDS, shardOf } from '../src/domain/shard.ts';
import { DEFAULT_STORE_PREFIX, tenantKey } from '../src/store/keys.ts';
import type { RecordRef } from './engine.ts';
import {
  ADD,
  ADD_EACH,
  DUE_BY_SHARD,
  GATHER_STRAY,
  LANE_WORK,
  PUT_BACK,
  RELEASE,
  REMOVE,
  STORE_HEAT,
  TAKE_BATCH,
} from './pending-scripts.ts';

/** How the latest change of a pending record was seen, handed to reconcile for the audit trail. */
const SeenMeta = z.object({
  source: ChangeEvent.shape.source.optional(),
  kind: ChangeEvent.shape.kind.optional(),
  /** ISO-8601 instant of the change in its system. */
  occurredAt: z.string().optional(),
  /** The lead the record belongs to, when known: what a batch claims (jobs/pending-scripts.ts). */
  leadKey: z.string().optional(),
});

/**
 * A pending record with what was last seen of it (reconcile's `SeenRef`). Its `leadKey`, when known (on
 * add), picks the shard (default: the record) and is the lead a batch that takes it claims.
 */
export type PendingRef = RecordRef & z.infer<typeof SeenMeta>;

/** When a shard next has work: its earliest pending record, its earliest claim's lease end (epoch ms). */
export interface ShardDue {
  pending: number | null;
  leaseEnds: number | null;
}

/** Records taken for one reconcile batch, claimed under one lease. */
export interface ClaimedBatch {
  /** Its place in the tenant's batch semaphore; pass it to `release` / `putBack`. */
  id: string;
  refs: PendingRef[];
  /** How many of them travel in the rep lane. */
  rep: number;
}

/** Default lease of a claim, in milliseconds; a running batch renews it (see `renewWhile`). */
export const CLAIM_LEASE_MS = 60_000;

/**
 * How far ahead of routine records a rep-lane record is scored, in milliseconds (ten years): rep-lane
 * records are always due at once, so the advance only orders them first in the pop (lowest score first),
 * and a score more than half of it in the past marks a rep-lane record.
 */
export const REP_LANE_ADVANCE_MS = 10 * 365 * 24 * 3600 * 1000;

/** How a tenant's pending records are partitioned and how many batches of it may run at once. */
export interface TenantSharding {
  /** Shards (1-64); records of one lead share one. */
  shards: number;
  /** Reconcile batches of the tenant at once, across every worker (0: no cap). */
  maxParallelBatches: number;
}

function member(ref: RecordRef): string {
  return `${ref.system}|${ref.id}`;
}

function metaJson(ref: PendingRef): string {
  return JSON.stringify({
    source: ref.source,
    kind: ref.kind,
    occurredAt: ref.occurredAt,
    leadKey: ref.leadKey,
  });
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
    ...(seen.leadKey ? { leadKey: seen.leadKey } : {}),
  };
}

function parseHeat(raw: string | null): ChangeHeat | null {
  if (!raw) return null;
  const [count, atMs] = raw.split(':').map(Number);
  return Number.isFinite(count) && Number.isFinite(atMs) ? { count: count!, atMs: atMs! } : null;
}

function heatText(heat: ChangeHeat): string {
  return `${heat.count.toFixed(4)}:${heat.atMs}`;
}

export interface PendingRefsOptions {
  /** Key prefix (default `leadbridge:store`), the state layer's; tests pass their own. */
  prefix?: string;
  /** How long records taken for a batch stay claimed without a renewal, in milliseconds. */
  leaseMs?: number;
  /** Each tenant's shards and batch cap (default: one shard, no cap: one batch at a time). */
  sharding?: (tenant: string) => TenantSharding;
}

export interface TakeBatchOptions {
  /** Take records due at this instant or earlier (epoch ms). */
  dueByMs: number;
  limit: number;
  /** The shard whose job takes the batch: its records first (default 0). */
  shard?: number;
  /** The clock, epoch ms (default: the wall clock); the lease runs from it. */
  nowMs?: number;
  /** Ignore the batch cap and the records other batches claimed (`popDue`). */
  ignoreHolds?: boolean;
}

/**
 * The records of each tenant that changed and wait to be reconciled, partitioned into shards by lead
 * key. Per shard: a sorted set (`<prefix>:{tenant}:pending`, then `pending:s1`, `pending:s2`, ...;
 * member `<system>|<id>`, score the epoch-ms instant it becomes due) and a hash of how each was last
 * seen (`pending-seen`, `pending-seen:s1`, ...). One shard is the layout of a single-shard install.
 *
 * A routine record already pending keeps its due time when it changes again (ZADD NX), so a burst is one
 * piece of work; a rep-lane record (jobs/ingest-processor.ts) is due at once and scored
 * `REP_LANE_ADVANCE_MS` early, so it is taken before any routine record.
 *
 * Records taken for a batch are claimed (`claimed`, `claimed-seen` per shard; score the end of the
 * lease) until the batch's outcome is stored (`release`) or they are put back, and so are their leads
 * (`claimed-leads`, by lead key; a record not linked yet by itself): no other batch takes a record of a
 * claimed lead (the lead's other system's record, or the record again after a new change, waits for the
 * batch), so two batches never read and write one lead at once. The rest of the shard is free: a small
 * batch at the start of a mass change does not hold every shard while the backlog that follows it
 * builds up. A batch also holds a place in the
 * tenant's semaphore (`batches`, same lease), which caps the tenant's parallel batches across workers.
 * A job that dies stops renewing; once the lease ends, the next `takeBatch` returns its records to
 * pending and its place to the semaphore.
 */
export class PendingRefs {
  readonly #redis: Redis;
  readonly #prefix: string;
  readonly #sharding: (tenant: string) => TenantSharding;
  /** Lease of a claim, in milliseconds. */
  readonly leaseMs: number;

  constructor(redis: Redis, options: PendingRefsOptions = {}) {
    this.#redis = redis;
    this.#prefix = options.prefix ?? DEFAULT_STORE_PREFIX;
    this.leaseMs = options.leaseMs ?? CLAIM_LEASE_MS;
    this.#sharding = options.sharding ?? (() => ({ shards: 1, maxParallelBatches: 0 }));
  }

  /** The tenant's shard count. */
  shards(tenant: string): number {
    return Math.max(1, Math.floor(this.#sharding(tenant).shards));
  }

  /** The shard `ref` belongs to: by its lead key when known, else by the record. */
  shardOf(tenant: string, ref: PendingRef): number {
    return shardOf(ref.leadKey ?? member(ref), this.shards(tenant));
  }

  /** Key lists by tenant (and shard): built once, as every take, add and release names them. */
  readonly #keys = new Map<string, readonly string[]>();

  #shardKeys(tenant: string, shard: number): readonly string[] {
    const id = `${tenant}\u0000${shard}`;
    let keys = this.#keys.get(id);
    if (!keys) {
      keys = this.#buildShardKeys(tenant, shard);
      this.#keys.set(id, keys);
    }
    return keys;
  }

  #buildShardKeys(tenant: string, shard: number): string[] {
    const name = (base: string) =>
      shard === 0
        ? tenantKey(this.#prefix, tenant, base)
        : tenantKey(this.#prefix, tenant, base, `s${shard}`);
    return [name('pending'), name('pending-seen'), name('claimed'), name('claimed-seen')];
  }

  #allKeys(tenant: string): readonly string[] {
    const shards = this.shards(tenant);
    const id = `${tenant}\u0000all${shards}`;
    let keys = this.#keys.get(id);
    if (!keys) {
      keys = Array.from({ length: shards }, (_, shard) => this.#shardKeys(tenant, shard)).flat();
      this.#keys.set(id, keys);
    }
    return keys;
  }

  /** Claimed leads (claim key -> claimed records holding it), jobs/pending-scripts.ts CLAIM_FUNCTIONS. */
  #leadClaimsKey(tenant: string): string {
    return tenantKey(this.#prefix, tenant, 'claimed-leads');
  }

  #semaphoreKey(tenant: string): string {
    return tenantKey(this.#prefix, tenant, 'batches');
  }

  #repBatchesKey(tenant: string): string {
    return tenantKey(this.#prefix, tenant, 'rep-batches');
  }

  #lastBatchKey(tenant: string): string {
    return tenantKey(this.#prefix, tenant, 'last-batch');
  }

  #byShard(tenant: string, refs: PendingRef[]): Map<number, PendingRef[]> {
    const byShard = new Map<number, PendingRef[]>();
    for (const ref of refs) {
      const shard = this.shardOf(tenant, ref);
      byShard.set(shard, [...(byShard.get(shard) ?? []), ref]);
    }
    return byShard;
  }

  /**
   * Adds records due at `dueAtMs` (epoch ms); a record already pending keeps its earlier due time. In
   * the `rep` lane the records are due at once and taken before routine ones.
   */
  async add(
    tenant: string,
    refs: PendingRef[],
    dueAtMs: number,
    lane: ReconcileLane = 'routine',
  ): Promise<void> {
    if (refs.length === 0) return;
    const score = lane === 'rep' ? dueAtMs - REP_LANE_ADVANCE_MS : dueAtMs;
    // One script per shard, sent together: one round trip for a page of records over every shard (16 by
    // default), not one per shard, so a job never sees a page half added for long.
    await Promise.all(
      [...this.#byShard(tenant, refs)].map(([shard, group]) => {
        const args = group.flatMap((ref) => [score, member(ref), metaJson(ref)]);
        const [set, meta] = this.#shardKeys(tenant, shard);
        return ADD.run(this.#redis, [set!, meta!], [lane === 'rep' ? 'REP' : 'NX', ...args]);
      }),
    );
  }

  /**
   * `add` for records each with its own due time and lane (a batch of change events): one script per
   * shard, sent together, applied in the order given (a record's latest meta wins).
   */
  async addEach(
    tenant: string,
    entries: Array<{ ref: PendingRef; dueAtMs: number; lane: ReconcileLane }>,
  ): Promise<void> {
    const byShard = new Map<number, Array<string | number>>();
    for (const { ref, dueAtMs, lane } of entries) {
      const shard = this.shardOf(tenant, ref);
      const args = byShard.get(shard) ?? [];
      if (lane === 'rep') args.push('REP', dueAtMs - REP_LANE_ADVANCE_MS, member(ref), metaJson(ref));
      else args.push('NX', dueAtMs, member(ref), metaJson(ref));
      byShard.set(shard, args);
    }
    await Promise.all(
      [...byShard].map(([shard, args]) => {
        const [set, meta] = this.#shardKeys(tenant, shard);
        return ADD_EACH.run(this.#redis, [set!, meta!], args);
      }),
    );
  }

  /**
   * Puts records back after a failed batch, due at `dueAtMs`, into the shard whose claim holds them; a
   * record that changed again meanwhile keeps the earlier due time and its newer meta. Ends the batch's
   * place in the semaphore when `batchId` is given.
   */
  async putBack(tenant: string, refs: PendingRef[], dueAtMs: number, batchId?: string): Promise<void> {
    if (refs.length > 0) {
      const args = refs.flatMap((ref) => [dueAtMs, member(ref), metaJson(ref), this.shardOf(tenant, ref)]);
      await PUT_BACK.run(this.#redis, [this.#leadClaimsKey(tenant), ...this.#allKeys(tenant)], args);
    }
    if (batchId) {
      await this.#redis.zrem(this.#semaphoreKey(tenant), batchId);
      await this.#redis.zrem(this.#repBatchesKey(tenant), batchId);
    }
  }

  /**
   * Moves what an earlier, larger shard count left in shards beyond the tenant's count (an admin lowered
   * `tenants[].reconcile.shards`; no batch takes from those shards any more) into the shards its records
   * now belong to: pending records with their due time and meta, claims whose lease ended as pending due
   * now. A claim still under lease stays with its running batch, which releases it itself. Returns how
   * many records moved and how many claims stay.
   */
  async gatherStrayShards(tenant: string, nowMs = Date.now()): Promise<{ moved: number; stillClaimed: number }> {
    const shards = this.shards(tenant);
    const total = { moved: 0, stillClaimed: 0 };
    if (shards >= MAX_TENANT_SHARDS) return total;
    const strays = Array.from({ length: MAX_TENANT_SHARDS - shards }, (_, i) => shards + i);
    const sizes = this.#redis.pipeline();
    for (const shard of strays) {
      const [pending, , claimed] = this.#buildShardKeys(tenant, shard);
      sizes.zcard(pending!).zcard(claimed!);
    }
    const counts = ((await sizes.exec()) ?? []).map(([, count]) => Number(count ?? 0));
    for (const [i, shard] of strays.entries()) {
      if (counts[2 * i] === 0 && counts[2 * i + 1] === 0) continue;
      const keys = this.#buildShardKeys(tenant, shard);
      const [pendingSeen, claimedSeen, pending, claimed] = await Promise.all([
        this.#redis.hgetall(keys[1]!),
        this.#redis.hgetall(keys[3]!),
        this.#redis.zrange(keys[0]!, '0', '-1'),
        this.#redis.zrange(keys[2]!, '0', '-1'),
      ]);
      const args: Array<string | number> = [nowMs];
      for (const raw of new Set([...pending, ...claimed])) {
        const leadKey = parseMeta(pendingSeen[raw] ?? claimedSeen[raw] ?? '').leadKey;
        args.push(raw, shardOf(leadKey ?? raw, shards));
      }
      const [moved, held] = (await GATHER_STRAY.run(
        this.#redis,
        [this.#leadClaimsKey(tenant), ...keys, ...this.#allKeys(tenant)],
        args,
      )) as [number, number];
      total.moved += moved;
      total.stillClaimed += held;
    }
    return total;
  }

  /**
   * Takes a batch: up to `limit` records due by `dueByMs` whose lead no other batch claimed, the job's own
   * shard first, claimed for a lease from `nowMs`, unless the tenant already runs its cap of batches
   * (then the batch is empty). See TAKE_BATCH (jobs/pending-scripts.ts). Release or put back what you
   * take.
   */
  async takeBatch(tenant: string, options: TakeBatchOptions): Promise<ClaimedBatch> {
    const nowMs = options.nowMs ?? Date.now();
    const id = randomUUID();
    const raw = (await TAKE_BATCH.run(
      this.#redis,
      [
        this.#semaphoreKey(tenant),
        this.#lastBatchKey(tenant),
        this.#leadClaimsKey(tenant),
        ...this.#allKeys(tenant),
      ],
      [
        options.dueByMs,
        options.limit,
        nowMs,
        nowMs + this.leaseMs,
        options.ignoreHolds ? 0 : this.#sharding(tenant).maxParallelBatches,
        id,
        options.shard ?? 0,
        options.ignoreHolds ? '1' : '0',
        nowMs - REP_LANE_ADVANCE_MS / 2,
      ],
    )) as string[];
    const refs: PendingRef[] = [];
    const repBound = nowMs - REP_LANE_ADVANCE_MS / 2;

    let rep = 0;
    for (let i = 0; i < raw.length; i += 4) {
      const ref = parseMember(raw[i + 1] ?? '', raw[i + 2] ?? '');
      if (!ref) continue;
      refs.push(ref);
      if (Number(raw[i + 3]) <= repBound) rep += 1;
    }
    // A batch with a rep's change is rep work while it runs: backfill pages wait for it.
    if (!options.ignoreHolds && rep > 0) {
      await this.#redis.zadd(this.#repBatchesKey(tenant), nowMs + this.leaseMs, id);
    }
    return { id, refs, rep };
  }

  /**
   * Takes up to `limit` records due by `dueByMs` from any shard, oldest first per shard, outside the
   * batch cap and other batches' claims (`sync --once` drains every shard in one process; tests).
   */
  async popDue(tenant: string, dueByMs: number, limit: number, nowMs = Date.now()): Promise<PendingRef[]> {
    return (await this.takeBatch(tenant, { dueByMs, limit, nowMs, shard: -1, ignoreHolds: true })).refs;
  }

  /** Ends the claims on records whose batch outcome is stored (a newer change stays pending). */
  async release(tenant: string, refs: RecordRef[], batchId = ''): Promise<void> {
    if (refs.length === 0 && !batchId) return;
    await RELEASE.run(
      this.#redis,
      [
        this.#semaphoreKey(tenant),
        this.#repBatchesKey(tenant),
        this.#leadClaimsKey(tenant),
        ...this.#allKeys(tenant),
      ],
      [batchId, ...refs.map(member)],
    );
  }

  /** Extends the claims on records a running batch still holds (and its semaphore place) to `untilMs`. */
  async renew(tenant: string, refs: RecordRef[], untilMs: number, batchId?: string): Promise<void> {
    const pipeline = this.#redis.pipeline();
    for (let shard = 0; shard < this.shards(tenant); shard++) {
      const [, , claimed] = this.#shardKeys(tenant, shard);
      if (refs.length > 0) pipeline.zadd(claimed!, 'XX', ...refs.flatMap((ref) => [untilMs, member(ref)]));
    }
    if (batchId) {
      pipeline.zadd(this.#semaphoreKey(tenant), 'XX', untilMs, batchId);
      pipeline.zadd(this.#repBatchesKey(tenant), 'XX', untilMs, batchId);
    }
    await pipeline.exec();
  }

  /**
   * Runs `work` while holding the claims on `refs` (and the batch's semaphore place), renewing them every
   * third of the lease, so a long batch keeps its records and a dead one lets them go.
   */
  async renewWhile<T>(
    tenant: string,
    refs: RecordRef[],
    work: () => Promise<T>,
    batchId?: string,
  ): Promise<T> {
    const timer = setInterval(
      () => {
        this.renew(tenant, refs, Date.now() + this.leaseMs, batchId).catch(() => {
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

  /**
   * Per shard: when its earliest pending record is due and when its earliest claim's lease ends (epoch
   * ms; null when there is none).
   */
  async dueByShard(tenant: string): Promise<ShardDue[]> {
    const raw = (await DUE_BY_SHARD.run(this.#redis, this.#allKeys(tenant), [])) as string[];
    const at = (score: string | undefined) => (score ? Number(score) : null);
    const out: ShardDue[] = [];
    for (let i = 0; i < raw.length; i += 2) out.push({ pending: at(raw[i]), leaseEnds: at(raw[i + 1]) });
    return out;
  }

  /** Epoch ms at which the earliest pending record is due or claim ends, or null when there is none. */
  async nextDueAt(tenant: string): Promise<number | null> {
    const due = (await this.dueByShard(tenant))
      .flatMap((shard) => [shard.pending, shard.leaseEnds])
      .filter((at): at is number => at !== null);
    return due.length === 0 ? null : Math.min(...due);
  }

  /** Records waiting (not claimed by a running batch), over every shard. */
  async count(tenant: string): Promise<number> {
    return this.#sum(tenant, 0);
  }

  /** Records claimed by running (or dead, until their lease ends) batches, over every shard. */
  async claimedCount(tenant: string): Promise<number> {
    return this.#sum(tenant, 2);
  }

  async #sum(tenant: string, index: number): Promise<number> {
    const pipeline = this.#redis.pipeline();
    for (let shard = 0; shard < this.shards(tenant); shard++) {
      pipeline.zcard(this.#shardKeys(tenant, shard)[index]!);
    }
    const results = (await pipeline.exec()) ?? [];
    return results.reduce((total, [, count]) => total + Number(count ?? 0), 0);
  }

  /**
   * Work in the lanes at `nowMs`: `rep`, rep-lane records pending plus batches with one running;
   * `routine`, routine records due. What a backfill page yields to (jobs/backfill-yield.ts).
   */
  async laneWork(tenant: string, nowMs = Date.now()): Promise<{ rep: number; routine: number }> {
    const sets = Array.from(
      { length: this.shards(tenant) },
      (_, shard) => this.#shardKeys(tenant, shard)[0]!,
    );
    const [rep, routine] = (await LANE_WORK.run(
      this.#redis,
      [this.#repBatchesKey(tenant), ...sets],
      [nowMs, nowMs - REP_LANE_ADVANCE_MS / 2],
    )) as [number, number];
    return { rep: Number(rep), routine: Number(routine) };
  }

  /** Drops records that must not be reconciled any more (a privacy deletion), claimed or not. */
  async remove(tenant: string, refs: RecordRef[]): Promise<number> {
    if (refs.length === 0) return 0;
    return Number(
      await REMOVE.run(
        this.#redis,
        [this.#leadClaimsKey(tenant), ...this.#allKeys(tenant)],
        refs.map(member),
      ),
    );
  }

  /**
   * Records one more change of `ref` at `nowMs` and returns its heat (src/domain/adaptive-debounce.ts)
   * and the tenant's last batch start (epoch ms, null when none in the last minute), for ingest's delay.
   */
  async touch(
    tenant: string,
    ref: RecordRef,
    nowMs: number,
    halfLifeMs: number,
  ): Promise<{ heat: ChangeHeat; lastBatchAt: number | null }> {
    const { heats, lastBatchAt } = await this.touchMany(tenant, [ref], nowMs, halfLifeMs);
    return { heat: heats[0]!, lastBatchAt };
  }

  /**
   * `touch` for many changes at once, in two round trips: one heat per change, in order (a record named
   * twice is heated twice, the second time from the first), and the tenant's last batch start.
   */
  async touchMany(
    tenant: string,
    refs: RecordRef[],
    nowMs: number,
    halfLifeMs: number,
  ): Promise<{ heats: ChangeHeat[]; lastBatchAt: number | null }> {
    const heatKey = tenantKey(this.#prefix, tenant, 'heat');
    const members = refs.map(member);
    const distinct = [...new Set(members)];
    const pipeline = this.#redis.pipeline().get(this.#lastBatchKey(tenant));
    if (distinct.length > 0) pipeline.hmget(heatKey, ...distinct);
    const results = ((await pipeline.exec()) ?? []) as Array<[Error | null, unknown]>;
    for (const [error] of results) if (error) throw error;
    const lastBatch = (results[0]?.[1] as string | null) ?? null;
    const stored = (results[1]?.[1] as Array<string | null> | undefined) ?? [];
    const latest = new Map<string, ChangeHeat | null>(
      distinct.map((name, i) => [name, parseHeat(stored[i] ?? null)]),
    );
    const heats = members.map((name) => {
      const heat = heatAfterChange(latest.get(name) ?? null, nowMs, halfLifeMs);
      // Stored rounded: the next change of the same record starts from what `touch` would read back.
      latest.set(name, parseHeat(heatText(heat)));
      return heat;
    });
    if (distinct.length > 0) {
      await STORE_HEAT.run(
        this.#redis,
        [heatKey, tenantKey(this.#prefix, tenant, 'heat-at')],
        [
          nowMs,
          nowMs - 20 * halfLifeMs,
          ...distinct.flatMap((name) => {
            return [name, heatText(latest.get(name)!)];
          }),
        ],
      );
    }
    return { heats, lastBatchAt: lastBatch ? Number(lastBatch) : null };
  }
}
