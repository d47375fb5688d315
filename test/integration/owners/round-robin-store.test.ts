import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RoundRobinStore } from '../../../src/store/round-robin-store.ts';
import { connect, deleteKeys, uniquePrefix } from '../store/store-helpers.ts';

const prefix = uniquePrefix('round-robin');
const now = () => new Date('2026-03-02T10:00:00.000Z');
const none = new Map<string, 'inactive' | 'away'>();
const pool = [
  { id: '005000000000001', weight: 3 },
  { id: '005000000000002', weight: 2 },
  { id: '005000000000003', weight: 1, dailyCap: 40 },
];

describe('round-robin store (real Redis)', () => {
  let a: Redis;
  let b: Redis;
  beforeAll(() => {
    a = connect();
    b = connect();
  });
  afterAll(async () => {
    await deleteKeys(a, prefix);
    a.disconnect();
    b.disconnect();
  });

  it('two workers racing never pick the same slot, and together keep the weights and caps', async () => {
    const workers = [new RoundRobinStore(a, { prefix }), new RoundRobinStore(b, { prefix })];
    const picks = await Promise.all(
      workers.map(async (store) => {
        const mine: Array<{ seq: number; ownerId: string }> = [];
        await Promise.all(
          Array.from({ length: 150 }, async () => {
            const result = await store.pick('race', pool, none, now);
            if (!result.ok) throw new Error(result.reason);
            mine.push({ seq: result.seq, ownerId: result.ownerId });
          }),
        );
        return mine;
      }),
    );
    const all = picks.flat();
    expect(picks[0]?.length).toBeGreaterThan(0);
    expect(picks[1]?.length).toBeGreaterThan(0);
    const seqs = all.map((pick) => pick.seq).sort((x, y) => x - y);
    expect(seqs).toEqual(Array.from({ length: 300 }, (_, i) => i + 1));
    const count = (id: string) => all.filter((pick) => pick.ownerId === id).length;
    expect(count('005000000000003')).toBe(40);
    expect(count('005000000000001') + count('005000000000002')).toBe(260);
    expect(Math.abs(count('005000000000001') / 260 - 0.6)).toBeLessThan(0.02);
    const state = await workers[0]?.read('race');
    expect(state?.seq).toBe(300);
  });

  it('survives a restart: a new store instance continues the rotation where it stopped', async () => {
    const first = new RoundRobinStore(a, { prefix });
    const seen: string[] = [];
    for (let i = 0; i < 3; i++) {
      const result = await first.pick('restart', pool.slice(0, 2), none, now);
      if (result.ok) seen.push(result.ownerId);
    }
    const second = new RoundRobinStore(b, { prefix });
    for (let i = 0; i < 2; i++) {
      const result = await second.pick('restart', pool.slice(0, 2), none, now);
      if (result.ok) seen.push(result.ownerId);
    }
    // Smooth WRR with weights 3:2 gives A B A B A over five picks.
    expect(seen).toEqual([
      '005000000000001',
      '005000000000002',
      '005000000000001',
      '005000000000002',
      '005000000000001',
    ]);
  });

  it('an unreadable stored state restarts the rotation instead of blocking handoffs', async () => {
    const store = new RoundRobinStore(a, { prefix });
    for (const junk of ['not json', '{"seq": 7, "credit": "oops"}']) {
      await a.set(store.key('corrupt'), junk);
      const result = await store.pick('corrupt', pool.slice(0, 2), none, now);
      expect(result).toMatchObject({ ok: true, seq: 1, ownerId: '005000000000001' });
    }
  });
});
