import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RetryableError } from '../../../src/errors/retryable-error.ts';
import {
  StateConflictError,
  SyncState,
  throwOnConflict,
  type LeadSyncState,
} from '../../../src/store/sync-state.ts';
import { scanSyncStates } from '../../../src/store/sync-state-scan.ts';
import { connect, countCalls, deleteKeys, uniquePrefix } from './store-helpers.ts';

const PREFIX = uniquePrefix('state');
let redis: Redis;
let store: SyncState;

beforeAll(() => {
  redis = connect();
  store = new SyncState(redis, { prefix: PREFIX });
});
afterAll(async () => {
  await deleteKeys(redis, PREFIX);
  await redis.quit();
});

function state(score: number, stage = 'mql'): LeadSyncState {
  return {
    base: { email: 'a@example.com', firstName: 'Ann', stage, score, industry: 'software', employees: 120 },
    timeline: { handoffAt: '2026-03-01T10:00:00.000Z' },
    lastDecision: {
      from: 'lead',
      proposed: stage,
      stage,
      changed: true,
      rule: 'forward',
      by: 'leadbridge',
      explanation: 'the handoff gate passed',
    },
    syncedAt: '2026-03-01T10:00:00.000Z',
  };
}

describe('SyncState', () => {
  it('reads an unknown lead as version 0 with no state, then round-trips what was written', async () => {
    expect(await store.read('t1', 'lb_unknown00')).toEqual({
      leadKey: 'lb_unknown00',
      version: 0,
      state: null,
    });
    const written = await store.write('t1', { leadKey: 'lb_one00000', expectedVersion: 0, state: state(40) });
    expect(written).toEqual({ leadKey: 'lb_one00000', ok: true, version: 1 });
    expect(await store.read('t1', 'lb_one00000')).toEqual({
      leadKey: 'lb_one00000',
      version: 1,
      state: state(40),
    });
    expect(await store.read('t2', 'lb_one00000')).toMatchObject({ version: 0, state: null });
  });

  it('reads and writes 200 leads in one round trip each, one command each', async () => {
    const keys = Array.from({ length: 200 }, (_, i) => `lb_batch${String(i).padStart(4, '0')}`);
    const counted = connect();
    try {
      const batch = new SyncState(counted, { prefix: PREFIX });
      await batch.write('t3', { leadKey: 'lb_warmup00', expectedVersion: 0, state: state(1) }); // loads the script
      const calls = countCalls(counted);
      const results = await batch.writeMany(
        't3',
        keys.map((leadKey, i) => ({ leadKey, expectedVersion: 0, state: state(i) })),
      );
      expect(results.every((result) => result.ok && result.version === 1)).toBe(true);
      expect(calls.roundTrips).toBe(1);
      expect(calls.commands).toEqual(['evalsha']);
      calls.reset();
      const read = await batch.readMany('t3', keys);
      expect(calls.roundTrips).toBe(1);
      expect(calls.commands).toEqual(['hmget']);
      expect(read.map((entry) => entry.state?.base.score)).toEqual(keys.map((_, i) => i));
    } finally {
      await counted.quit();
    }
  });

  it('refuses a write computed from a stale version, per lead, leaving the others applied', async () => {
    await store.writeMany('t4', [
      { leadKey: 'lb_a0000000', expectedVersion: 0, state: state(10) },
      { leadKey: 'lb_b0000000', expectedVersion: 0, state: state(10) },
    ]);
    // Two workers read version 1; the first writes; the second must not overwrite it.
    const first = await store.write('t4', { leadKey: 'lb_a0000000', expectedVersion: 1, state: state(20) });
    expect(first).toEqual({ leadKey: 'lb_a0000000', ok: true, version: 2 });
    const second = await store.writeMany('t4', [
      { leadKey: 'lb_a0000000', expectedVersion: 1, state: state(99) },
      { leadKey: 'lb_b0000000', expectedVersion: 1, state: state(30) },
    ]);
    expect(second).toEqual([
      { leadKey: 'lb_a0000000', ok: false, currentVersion: 2 },
      { leadKey: 'lb_b0000000', ok: true, version: 2 },
    ]);
    expect((await store.read('t4', 'lb_a0000000')).state?.base.score).toBe(20);
    expect(() => throwOnConflict(second)).toThrow(StateConflictError);
    try {
      throwOnConflict(second);
    } catch (error) {
      expect(error).toBeInstanceOf(RetryableError);
      expect((error as StateConflictError).leadKeys).toEqual(['lb_a0000000']);
    }
    expect(() => throwOnConflict([{ leadKey: 'x', ok: true, version: 1 }])).not.toThrow();
  });

  it('of two workers on separate connections writing from the same read, exactly one wins each round', async () => {
    const other = connect();
    try {
      const second = new SyncState(other, { prefix: PREFIX });
      for (let round = 0; round < 20; round++) {
        const { version } = await store.read('t5', 'lb_race0000');
        const [a, b] = await Promise.all([
          store.write('t5', { leadKey: 'lb_race0000', expectedVersion: version, state: state(round) }),
          second.write('t5', {
            leadKey: 'lb_race0000',
            expectedVersion: version,
            state: state(1000 + round),
          }),
        ]);
        expect([a.ok, b.ok].filter(Boolean)).toHaveLength(1);
        const stored = await store.read('t5', 'lb_race0000');
        expect(stored.version).toBe(version + 1);
        expect(stored.state?.base.score).toBe(a.ok ? round : 1000 + round);
      }
    } finally {
      await other.quit();
    }
  });

  it('reads corrupt values as no state with the reason, and lets the next write replace them', async () => {
    const key = store.key('t6');
    await redis.hset(
      key,
      'lb_noprefix',
      '{"base":{}}',
      'lb_notjson0',
      '3:{oops',
      'lb_badshape',
      '4:{"base":{"score":"high"}}',
    );
    const [noPrefix, notJson, badShape] = await store.readMany('t6', [
      'lb_noprefix',
      'lb_notjson0',
      'lb_badshape',
    ]);
    expect(noPrefix).toEqual({
      leadKey: 'lb_noprefix',
      version: -1,
      state: null,
      corrupt: 'no version prefix',
    });
    expect(notJson).toEqual({ leadKey: 'lb_notjson0', version: 3, state: null, corrupt: 'not JSON' });
    expect(badShape).toMatchObject({ version: 4, state: null });
    expect(badShape?.corrupt).toMatch(/^base\.score: /);
    const results = await store.writeMany('t6', [
      { leadKey: 'lb_noprefix', expectedVersion: -1, state: state(5) },
      { leadKey: 'lb_notjson0', expectedVersion: 3, state: state(6) },
    ]);
    expect(results).toEqual([
      { leadKey: 'lb_noprefix', ok: true, version: 1 },
      { leadKey: 'lb_notjson0', ok: true, version: 4 },
    ]);
    expect((await store.read('t6', 'lb_noprefix')).state).toEqual(state(5));
  });

  it('reads a state an earlier version stored in the long form, in reads and scans, and writes it back compact', async () => {
    const long = state(55);
    await redis.hset(store.key('t9'), 'lb_upgrade00', `3:${JSON.stringify(long)}`);
    expect(await store.read('t9', 'lb_upgrade00')).toEqual({
      leadKey: 'lb_upgrade00',
      version: 3,
      state: long,
    });
    const scanned = [];
    for await (const batch of scanSyncStates(redis, 't9', { prefix: PREFIX })) scanned.push(...batch.states);
    expect(scanned).toEqual([{ leadKey: 'lb_upgrade00', state: long }]);
    await store.write('t9', { leadKey: 'lb_upgrade00', expectedVersion: 3, state: long });
    const stored = (await redis.hget(store.key('t9'), 'lb_upgrade00')) ?? '';
    expect(stored.startsWith('4:')).toBe(true);
    expect(stored.length).toBeLessThan(JSON.stringify(long).length * 0.8);
    expect(await store.read('t9', 'lb_upgrade00')).toEqual({
      leadKey: 'lb_upgrade00',
      version: 4,
      state: long,
    });
  });

  it('refuses to store a state that does not match the schema, and deletes leads', async () => {
    const bad = { ...state(1), syncedAt: 42 } as unknown as LeadSyncState;
    await expect(
      store.write('t7', { leadKey: 'lb_bad00000', expectedVersion: 0, state: bad }),
    ).rejects.toThrow();
    expect(await redis.hexists(store.key('t7'), 'lb_bad00000')).toBe(0);
    await store.write('t7', { leadKey: 'lb_gone0000', expectedVersion: 0, state: state(1) });
    expect(await store.delete('t7', ['lb_gone0000'])).toBe(1);
    expect((await store.read('t7', 'lb_gone0000')).version).toBe(0);
  });
});
