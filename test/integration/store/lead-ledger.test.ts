import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LedgerEntry } from '../../../src/domain/ledger-entry.ts';
import { decodeLedgerEntry, encodeLedgerEntry } from '../../../src/store/ledger-codec.ts';
import { LeadLedger } from '../../../src/store/lead-ledger.ts';
import { LifecycleConfig } from '../../../src/domain/lifecycle-schema.ts';
import { SlaConfig } from '../../../src/domain/sla-schema.ts';
import { migrateLedgerIndex } from '../../../src/store/ledger-leads.ts';
import { loadReport } from '../../../src/store/report-leads.ts';
import { SyncState, type LeadSyncState } from '../../../src/store/sync-state.ts';
import { connect, deleteKeys, uniquePrefix } from './store-helpers.ts';

const PREFIX = uniquePrefix('ledger');
const TENANT = 'acme';
let redis: Redis;
let ledger: LeadLedger;
let state: SyncState;

beforeAll(() => {
  redis = connect();
  ledger = new LeadLedger(redis, { prefix: PREFIX });
  state = new SyncState(redis, { prefix: PREFIX });
});
afterAll(async () => {
  await deleteKeys(redis, PREFIX);
  await redis.quit();
});

const syncState: LeadSyncState = {
  base: { email: 'a@example.com', stage: 'mql' },
  timeline: {},
  lastDecision: null,
  syncedAt: '2026-03-01T10:00:00.000Z',
};

/** A realistic year of one lead: seed, score, handoff, breach, rejection, feedback, recycle. */
const story: LedgerEntry[] = [
  {
    type: 'transition',
    at: '2026-03-01T10:00:01.000Z',
    sourceTime: '2026-03-01T09:58:12.000Z',
    episode: 0,
    cause: 'seed',
    actor: 'leadbridge',
    from: null,
    to: 'lead',
    rule: 'seeded',
    reason: 'first seen',
  },
  {
    type: 'score',
    at: '2026-03-02T10:00:01.000Z',
    sourceTime: '2026-03-02T09:59:40.000Z',
    episode: 0,
    cause: 'score',
    actor: 'leadbridge',
    score: 65,
    qualified: true,
  },
  {
    type: 'transition',
    at: '2026-03-02T10:00:01.000Z',
    sourceTime: '2026-03-02T09:59:40.000Z',
    episode: 1,
    cause: 'score',
    actor: 'leadbridge',
    from: 'lead',
    to: 'mql',
    rule: 'handoff',
    reason: null,
    timers: {
      followUpDueAt: '2026-03-02T10:59:40.000Z',
      feedbackDueAt: '2026-03-04T09:59:40.000Z',
    },
  },
  {
    type: 'breach',
    at: '2026-03-02T10:59:41.000Z',
    sourceTime: '2026-03-02T10:59:40.000Z',
    episode: 1,
    cause: 'timer',
    actor: 'leadbridge',
    timer: 'follow_up',
    dueAt: '2026-03-02T10:59:40.000Z',
  },
  {
    type: 'transition',
    at: '2026-03-02T12:00:05.000Z',
    sourceTime: '2026-03-02T11:58:00.000Z',
    episode: 2,
    cause: 'rep_status',
    actor: '0055g0000000002AAA',
    from: 'mql',
    to: 'rejected',
    rule: 'explicit_reject',
    reason: null,
    timers: { recycleDueAt: '2026-05-31T11:58:00.000Z' },
  },
  {
    type: 'feedback',
    at: '2026-03-02T13:00:05.000Z',
    sourceTime: '2026-03-02T12:59:00.000Z',
    episode: 2,
    cause: 'feedback',
    actor: '0055g0000000002AAA',
    reason: 'No budget this year',
  },
  {
    type: 'refusal',
    at: '2026-03-03T08:00:05.000Z',
    sourceTime: '2026-03-03T07:59:00.000Z',
    episode: 2,
    cause: 'marketing_stage',
    actor: '7000001',
    from: 'rejected',
    to: 'mql',
    rule: 'move_not_allowed',
    reason: null,
    detail: 'a rejected lead is recycled first, not moved to mql',
  },
  {
    type: 'transition',
    at: '2026-05-31T11:58:01.000Z',
    sourceTime: '2026-05-31T11:58:00.000Z',
    episode: 2,
    cause: 'timer',
    actor: 'leadbridge',
    from: 'rejected',
    to: 'recycled',
    rule: 'explicit_recycle',
    reason: 'recycle period (90d) after the rejection has passed',
  },
];

describe('the lead ledger in Redis', () => {
  it('stores every kind of entry compactly and reads it back unchanged', () => {
    for (const entry of story) expect(decodeLedgerEntry(encodeLedgerEntry(entry))).toEqual(entry);
    expect(decodeLedgerEntry('not json')).toBeNull();
    expect(decodeLedgerEntry('{"y":"transition"}')).toBeNull();
  });

  it('appends only together with a winning state write; a lost compare-and-set appends nothing', async () => {
    const [won] = await state.writeMany(TENANT, [
      { leadKey: 'L1', expectedVersion: 0, state: syncState, ledger: story.slice(0, 3) },
    ]);
    expect(won).toMatchObject({ ok: true, version: 1 });
    const [lost] = await state.writeMany(TENANT, [
      { leadKey: 'L1', expectedVersion: 0, state: syncState, ledger: story.slice(3) },
    ]);
    expect(lost).toMatchObject({ ok: false, currentVersion: 1 });
    expect((await ledger.read(TENANT, 'L1')).entries).toEqual(story.slice(0, 3));
    await state.writeMany(TENANT, [
      { leadKey: 'L1', expectedVersion: 1, state: syncState, ledger: story.slice(3) },
      { leadKey: 'L2', expectedVersion: 0, state: syncState },
    ]);
    const [one, two] = await ledger.readMany(TENANT, ['L1', 'L2']);
    expect(one?.entries).toEqual(story);
    expect(two).toEqual({ leadKey: 'L2', entries: [], corrupt: 0 });
  });

  it('skips a corrupt element and says so', async () => {
    await redis.rpush(
      ledger.key(TENANT, 'L3'),
      encodeLedgerEntry(story[0]!),
      '{broken',
      encodeLedgerEntry(story[1]!),
    );
    expect(await ledger.read(TENANT, 'L3')).toEqual({
      leadKey: 'L3',
      entries: story.slice(0, 2),
      corrupt: 1,
    });
  });

  it('costs under 160 bytes of Redis memory per entry', async () => {
    const key = ledger.key(TENANT, 'measure');
    const entries = Array.from({ length: 100 }, (_, i) => story[i % story.length]!);
    await redis.rpush(key, ...entries.map(encodeLedgerEntry));
    const bytes = Number(await redis.call('MEMORY', 'USAGE', key, 'SAMPLES', '0'));
    const perEntry = bytes / entries.length;
    const encoded = entries.reduce((sum, entry) => sum + encodeLedgerEntry(entry).length, 0) / entries.length;
    console.info(
      `ledger: ${perEntry.toFixed(0)} bytes of Redis memory per entry (${encoded.toFixed(0)} encoded)`,
    );
    expect(perEntry).toBeLessThan(160);
    expect(encoded).toBeLessThan(JSON.stringify(story).length / story.length);
  });

  it('feeds the report from the tenant ledger index, kept as entries are appended', async () => {
    const tenant = 'indexed';
    await state.writeMany(tenant, [
      { leadKey: 'A', expectedVersion: 0, state: syncState, ledger: story },
      { leadKey: 'B', expectedVersion: 0, state: syncState, ledger: story.slice(0, 3) },
    ]);
    const report = await loadReport(
      redis,
      { tenants: [{ id: tenant }], lifecycle: LifecycleConfig.parse({}), sla: SlaConfig.parse({}) } as never,
      { prefix: PREFIX, now: new Date('2026-03-02T12:30:00Z') },
    );
    const figures = report.tenants[0]!;
    // The index names the leads; their entries are read from their own ledgers, not kept twice.
    expect((await redis.smembers(`${PREFIX}:{${tenant}}:ledger-leads`)).sort()).toEqual(['A', 'B']);
    expect(await redis.exists(`${PREFIX}:{${tenant}}:ledger-index`)).toBe(0);
    expect(report.source).toBe('ledger');
    expect(figures.handoff).toMatchObject({ passedToSales: 2, rejected: 1, waitingForFeedback: 1 });
    expect(figures.rejections.reasons).toEqual([{ reason: 'No budget this year', count: 1 }]);
    expect(figures.recycled).toBe(1);
    expect(figures.sla.followUpBreaches).toBe(1);
    expect(figures.overdueLeads).toEqual([
      { leadKey: 'B', awaiting: 'follow_up', since: '2026-03-02T10:59:40.000Z' },
    ]);
  });

  it('reads the list index an earlier version kept, and moves it to the set of leads once', async () => {
    const tenant = 'upgraded';
    const config = {
      tenants: [{ id: tenant }],
      lifecycle: LifecycleConfig.parse({}),
      sla: SlaConfig.parse({}),
    } as never;
    const options = { prefix: PREFIX, now: new Date('2026-03-02T12:30:00Z') };
    // As the earlier version left it: the ledgers, and the reported entries again in the list.
    const legacy = `${PREFIX}:{${tenant}}:ledger-index`;
    for (const [leadKey, entries] of [
      ['A', story],
      ['B', story.slice(0, 3)],
    ] as const) {
      await redis.rpush(ledger.key(tenant, leadKey), ...entries.map(encodeLedgerEntry));
      const reported = entries.filter((entry) => ['transition', 'feedback', 'breach'].includes(entry.type));
      await redis.rpush(legacy, ...reported.map((entry) => `${leadKey}\t${encodeLedgerEntry(entry)}`));
    }
    const before = await loadReport(redis, config, options);
    expect(before.source).toBe('ledger');
    expect(before.tenants[0]!.handoff).toMatchObject({ passedToSales: 2, rejected: 1 });

    expect(await migrateLedgerIndex(redis, PREFIX, tenant)).toBe(6 + 2);
    expect(await redis.exists(legacy)).toBe(0);
    expect((await redis.smembers(`${PREFIX}:{${tenant}}:ledger-leads`)).sort()).toEqual(['A', 'B']);
    expect(await loadReport(redis, config, options)).toEqual(before);
    expect(await migrateLedgerIndex(redis, PREFIX, tenant)).toBe(0);
  });
});
