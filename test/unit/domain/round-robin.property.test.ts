import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { PoolMember } from '../../../src/domain/owner-pool-schema.ts';
import { nextInPool, pickOwner, type RoundRobinState } from '../../../src/domain/round-robin.ts';

const now = new Date('2026-03-02T10:00:00.000Z');
const userId = (n: number) => `005000000000${String(n).padStart(3, '0')}`;
const none = new Map<string, 'inactive' | 'away'>();

function run(
  pool: PoolMember[],
  picks: number,
  unavailable = none,
  at: (i: number) => Date = () => now,
): { counts: Map<string, number>; state: RoundRobinState | null; failures: number } {
  const counts = new Map<string, number>();
  let state: RoundRobinState | null = null;
  let failures = 0;
  for (let i = 0; i < picks; i++) {
    const result = pickOwner({ pool, state, unavailable, now: at(i) });
    if (!result.ok) {
      failures++;
      continue;
    }
    state = result.state;
    counts.set(result.ownerId, (counts.get(result.ownerId) ?? 0) + 1);
  }
  return { counts, state, failures };
}

const aPool = fc
  .array(fc.integer({ min: 1, max: 10 }), { minLength: 1, maxLength: 8 })
  .map((weights) => weights.map((weight, i) => ({ id: userId(i), weight })));

describe('weighted round robin', () => {
  it('gives every member its weight share within 2% over 1,000 picks', () => {
    fc.assert(
      fc.property(aPool, (pool) => {
        const { counts } = run(pool, 1000);
        const total = pool.reduce((sum, member) => sum + member.weight, 0);
        for (const member of pool) {
          const share = (counts.get(member.id) ?? 0) / 1000;
          expect(Math.abs(share - member.weight / total)).toBeLessThanOrEqual(0.02);
        }
      }),
    );
  });

  it('never gives a member more than its daily cap, and resumes it the next UTC day', () => {
    fc.assert(
      fc.property(aPool, fc.integer({ min: 1, max: 20 }), (pool, cap) => {
        const capped = pool.map((member, i) => (i === 0 ? { ...member, dailyCap: cap } : member));
        const { counts } = run(capped, 300);
        expect(counts.get(userId(0)) ?? 0).toBeLessThanOrEqual(cap);
        if (pool.length === 1) expect(counts.get(userId(0))).toBe(cap);
      }),
    );
    const pool = [{ id: userId(0), weight: 1, dailyCap: 2 }];
    const nextDay = new Date(now.getTime() + 86_400_000);
    const { counts, failures } = run(pool, 6, none, (i) => (i < 3 ? now : nextDay));
    expect(counts.get(userId(0))).toBe(4);
    expect(failures).toBe(2);
  });

  it('skips inactive and away members, and they earn no credit while skipped', () => {
    fc.assert(
      fc.property(aPool, fc.integer({ min: 0, max: 7 }), (pool, skip) => {
        const skippedId = userId(skip % pool.length);
        const unavailable = new Map([[skippedId, 'inactive' as const]]);
        const { counts, state, failures } = run(pool, 200, unavailable);
        expect(counts.get(skippedId)).toBeUndefined();
        if (pool.length === 1) expect(failures).toBe(200);
        else expect(state?.credit[skippedId] ?? 0).toBe(0);
      }),
    );
  });

  it('forgets members that left the pool and never bursts onto a new one', () => {
    const before = [
      { id: userId(0), weight: 1 },
      { id: userId(1), weight: 1 },
    ];
    const { state } = run(before, 7);
    const after = [
      { id: userId(1), weight: 1 },
      { id: userId(2), weight: 1 },
    ];
    let current = state;
    const picks: string[] = [];
    for (let i = 0; i < 6; i++) {
      const result = pickOwner({ pool: after, state: current, unavailable: none, now });
      if (!result.ok) throw new Error('no pick');
      current = result.state;
      picks.push(result.ownerId);
    }
    expect(Object.keys(current?.credit ?? {})).not.toContain(userId(0));
    expect(picks.filter((id) => id === userId(2)).length).toBe(3);
    expect(current?.seq).toBe(13);
  });

  it('reports an empty pool and a pool with nobody available', () => {
    expect(pickOwner({ pool: [], state: null, unavailable: none, now })).toMatchObject({
      ok: false,
      reason: 'empty_pool',
    });
    const away = new Map([[userId(0), 'away' as const]]);
    expect(
      pickOwner({ pool: [{ id: userId(0), weight: 1 }], state: null, unavailable: away, now }),
    ).toMatchObject({ ok: false, reason: 'nobody_available', skipped: { [userId(0)]: 'away' } });
  });

  it('reassigns to the next available member in pool order', () => {
    const pool = [0, 1, 2].map((i) => ({ id: userId(i), weight: 1 }));
    expect(nextInPool(pool, userId(0), none)).toBe(userId(1));
    expect(nextInPool(pool, userId(2), none)).toBe(userId(0));
    expect(nextInPool(pool, userId(0), new Map([[userId(1), 'away' as const]]))).toBe(userId(2));
    expect(nextInPool([pool[0] as PoolMember], userId(0), none)).toBeNull();
  });
});
