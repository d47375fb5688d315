import type { PoolMember, SkipReason } from './owner-pool-schema.ts';

/**
 * What the pool remembers between picks (kept in Redis by the store): the smooth weighted round-robin
 * credit of each member, today's count of each member, and a sequence number that every pick advances
 * (two workers can never commit the same sequence number, so never the same slot).
 */
export interface RoundRobinState {
  /** Picks made since the pool was created. */
  seq: number;
  /** Smooth weighted round-robin credit per member id. */
  credit: Record<string, number>;
  /** UTC day (`YYYY-MM-DD`) the counts are for. */
  day: string;
  /** Leads given to each member on `day`. */
  counts: Record<string, number>;
}

export interface PickInput {
  pool: readonly PoolMember[];
  state: RoundRobinState | null;
  /** Members that cannot take leads now (inactive in Salesforce, marked away). */
  unavailable: ReadonlyMap<string, Exclude<SkipReason, 'capped'>>;
  now: Date;
}

export type PickResult =
  | { ok: true; ownerId: string; seq: number; state: RoundRobinState; skipped: Record<string, SkipReason> }
  | { ok: false; reason: 'empty_pool' | 'nobody_available'; skipped: Record<string, SkipReason> };

export function utcDay(now: Date): string {
  return now.toISOString().slice(0, 10);
}

export function emptyState(now: Date): RoundRobinState {
  return { seq: 0, credit: {}, day: utcDay(now), counts: {} };
}

/**
 * Picks the next owner by smooth weighted round robin (the nginx upstream algorithm): every eligible member
 * gains its weight in credit, the member with the most credit wins (ties: first in the pool) and pays back
 * the eligible members' total weight. Over any run of picks each member's share stays within one pick of its
 * weight share, with the picks interleaved rather than bunched. Members that are inactive, away or at their
 * daily cap are skipped and earn nothing meanwhile. Counts reset at midnight UTC; members that left the pool
 * are forgotten and new ones start from zero credit, so a pool change never sends a burst to one member.
 */
export function pickOwner(input: PickInput): PickResult {
  const { pool, unavailable, now } = input;
  const today = utcDay(now);
  const previous = input.state ?? emptyState(now);
  const sameDay = previous.day === today;
  const ids = new Set(pool.map((member) => member.id));
  const credit = Object.fromEntries(Object.entries(previous.credit).filter(([id]) => ids.has(id)));
  const counts = sameDay
    ? Object.fromEntries(Object.entries(previous.counts).filter(([id]) => ids.has(id)))
    : {};
  const skipped: Record<string, SkipReason> = {};
  if (pool.length === 0) return { ok: false, reason: 'empty_pool', skipped };

  const eligible = pool.filter((member) => {
    const away = unavailable.get(member.id);
    if (away) {
      skipped[member.id] = away;
      return false;
    }
    if (member.dailyCap !== undefined && (counts[member.id] ?? 0) >= member.dailyCap) {
      skipped[member.id] = 'capped';
      return false;
    }
    return true;
  });
  if (eligible.length === 0) return { ok: false, reason: 'nobody_available', skipped };

  const total = eligible.reduce((sum, member) => sum + member.weight, 0);
  let best: PoolMember | undefined;
  for (const member of eligible) {
    credit[member.id] = (credit[member.id] ?? 0) + member.weight;
    if (best === undefined || (credit[member.id] ?? 0) > (credit[best.id] ?? 0)) best = member;
  }
  const chosen = best as PoolMember;
  credit[chosen.id] = (credit[chosen.id] ?? 0) - total;
  counts[chosen.id] = (counts[chosen.id] ?? 0) + 1;
  const seq = previous.seq + 1;
  return { ok: true, ownerId: chosen.id, seq, state: { seq, credit, day: today, counts }, skipped };
}

/** The member after `current` in pool order that can take a lead (escalation's reassignment). */
export function nextInPool(
  pool: readonly PoolMember[],
  current: string,
  unavailable: ReadonlyMap<string, Exclude<SkipReason, 'capped'>>,
): string | null {
  const start = pool.findIndex((member) => member.id === current);
  for (let step = 1; step <= pool.length; step++) {
    const member = pool[(start + step + pool.length) % pool.length];
    if (member && member.id !== current && !unavailable.has(member.id)) return member.id;
  }
  return null;
}
