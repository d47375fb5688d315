import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PermanentError } from '../../../src/errors/permanent-error.ts';
import { compareAndSetHashes } from '../../../src/store/hash-cas.ts';
import { currentSide, salesforceWriteId } from '../../../src/store/lead-link.ts';
import { LeadLinks } from '../../../src/store/lead-links.ts';
import { connect, countCalls, deleteKeys, uniquePrefix } from './store-helpers.ts';

const PREFIX = uniquePrefix('links');
const NOW = new Date('2026-03-01T10:00:00.000Z');
let redis: Redis;
let links: LeadLinks;

beforeAll(() => {
  redis = connect();
  links = new LeadLinks(redis, { prefix: PREFIX });
});
afterAll(async () => {
  await deleteKeys(redis, PREFIX);
  await redis.quit();
});

async function linked(tenant: string, input: Parameters<LeadLinks['link']>[1]) {
  const outcome = await links.link(tenant, input, NOW);
  if (!outcome.ok) throw new Error(outcome.detail);
  return outcome.link;
}

describe('LeadLinks: link and look up', () => {
  it('creates a lead for new ids and finds it by every id, the email and its key', async () => {
    const outcome = await links.link(
      't1',
      { hubspot: '101', salesforceLead: '00Q000000000001AAA', email: ' Ann@Example.COM ' },
      NOW,
    );
    expect(outcome.ok && outcome.created).toBe(true);
    if (!outcome.ok) return;
    const { link } = outcome;
    expect(link.leadKey).toMatch(/^lb_[0-9a-z]{26}$/);
    expect(link).toMatchObject({
      hubspot: '101',
      salesforceLead: '00Q000000000001AAA',
      salesforceContact: null,
      email: 'ann@example.com',
    });
    expect((await links.find('t1', 'hubspot', '101'))?.leadKey).toBe(link.leadKey);
    expect((await links.find('t1', 'salesforce', '00Q000000000001AAA'))?.leadKey).toBe(link.leadKey);
    expect((await links.find('t1', 'email', 'ANN@example.com'))?.leadKey).toBe(link.leadKey);
    expect(await links.get('t1', link.leadKey)).toEqual(link);
    expect(await links.find('t1', 'hubspot', '999')).toBeNull();
    expect(await links.find('t2', 'hubspot', '101')).toBeNull();
  });

  it('extends a lead through any of its ids and refuses ids that belong to different leads', async () => {
    const a = await linked('t1', { hubspot: '201' });
    const extended = await links.link('t1', { hubspot: '201', salesforceLead: '00Q000000000201AAA' }, NOW);
    expect(extended).toMatchObject({
      ok: true,
      created: false,
      link: { leadKey: a.leadKey, salesforceLead: '00Q000000000201AAA' },
    });
    const b = await linked('t1', { hubspot: '202' });
    const clash = await links.link('t1', { hubspot: '202', salesforceLead: '00Q000000000201AAA' }, NOW);
    expect(clash).toMatchObject({ ok: false, reason: 'ids_of_different_leads' });
    expect(!clash.ok && clash.leadKeys.sort()).toEqual([a.leadKey, b.leadKey].sort());
    const taken = await links.link('t1', { leadKey: a.leadKey, hubspot: '203' }, NOW);
    expect(taken).toMatchObject({ ok: false, reason: 'slot_taken' });
    expect(await links.find('t1', 'hubspot', '203')).toBeNull();
  });

  it('moves the email index when the email changes and never takes an address from another lead', async () => {
    const a = await linked('t1', { hubspot: '301', email: 'old@example.com' });
    const b = await linked('t1', { hubspot: '302', email: 'shared@example.com' });
    await linked('t1', { leadKey: a.leadKey, email: 'new@example.com' });
    expect(await links.find('t1', 'email', 'old@example.com')).toBeNull();
    expect((await links.find('t1', 'email', 'new@example.com'))?.leadKey).toBe(a.leadKey);
    await linked('t1', { leadKey: a.leadKey, email: 'shared@example.com' });
    expect((await links.find('t1', 'email', 'shared@example.com'))?.leadKey).toBe(b.leadKey);
    expect(await links.find('t1', 'email', 'new@example.com')).toBeNull();
  });

  it('resolves what a person types: lead key, email, HubSpot id, Salesforce id', async () => {
    const link = await linked('t1', {
      hubspot: '401',
      salesforceLead: '00Q000000000401AAA',
      email: 'r@example.com',
    });
    for (const query of [link.leadKey, 'R@example.com', '401', '00Q000000000401AAA']) {
      expect((await links.resolve('t1', query))?.leadKey).toBe(link.leadKey);
    }
    expect(await links.resolve('t1', 'nobody@example.com')).toBeNull();
  });

  it('links a batch in three reads and one script call, later inputs seeing earlier ones', async () => {
    const counted = connect();
    try {
      const batchLinks = new LeadLinks(counted, { prefix: PREFIX });
      await batchLinks.link('t3', { hubspot: 'warm-up' }, NOW); // loads the script
      const calls = countCalls(counted);
      const inputs = Array.from({ length: 100 }, (_, i) => ({
        hubspot: `b${i}`,
        email: `b${i}@example.com`,
      }));
      const outcomes = await batchLinks.linkMany(
        't3',
        [...inputs, { hubspot: 'b0', salesforceLead: '00Q0000000000B0AAA' }],
        NOW,
      );
      expect(outcomes.every((outcome) => outcome.ok)).toBe(true);
      expect(calls.roundTrips).toBe(4);
      const first = outcomes[0];
      const last = outcomes[100];
      expect(first?.ok && last?.ok && last.link.leadKey === first.link.leadKey).toBe(true);
      expect((await links.find('t3', 'salesforce', '00Q0000000000B0AAA'))?.hubspot).toBe('b0');
    } finally {
      await counted.quit();
    }
  });

  it('finds 200 leads by id in two round trips (index, then links), one command each', async () => {
    const ids = Array.from({ length: 200 }, (_, i) => `f${i}`);
    await links.linkMany(
      't4',
      ids.map((hubspot) => ({ hubspot })),
      NOW,
    );
    const counted = connect();
    try {
      const reader = new LeadLinks(counted, { prefix: PREFIX });
      await counted.ping();
      const calls = countCalls(counted);
      const { found, corrupt } = await reader.findMany('t4', 'hubspot', [...ids, 'unknown']);
      expect(found.size).toBe(200);
      expect(corrupt).toEqual([]);
      expect(calls.roundTrips).toBe(2);
      expect(calls.commands).toEqual(['hmget', 'hmget']);
    } finally {
      await counted.quit();
    }
  });
});

describe('LeadLinks: merges, conversions, deletions', () => {
  it('re-points a HubSpot merge: losers resolve to the winner lead, another lead loses its contact', async () => {
    const winner = await linked('t5', { hubspot: '500', salesforceLead: '00Q000000000500AAA' });
    const loser = await linked('t5', { hubspot: '501', salesforceLead: '00Q000000000501AAA' });
    const outcome = await links.applyHubSpotMerge('t5', '500', ['501', '502'], NOW);
    expect(outcome).toEqual({ leadKey: winner.leadKey, absorbed: [{ leadKey: loser.leadKey, id: '501' }] });
    for (const id of ['500', '501', '502'])
      expect((await links.find('t5', 'hubspot', id))?.leadKey).toBe(winner.leadKey);
    const after = await links.get('t5', loser.leadKey);
    // The loser's Salesforce Lead follows the person: a duplicate of the winner's (it already has one).
    expect(after).toMatchObject({ hubspot: null, salesforceLead: null });
    expect((await links.find('t5', 'salesforce', '00Q000000000501AAA'))?.leadKey).toBe(winner.leadKey);
    expect(after?.history).toEqual([
      {
        at: NOW.toISOString(),
        side: 'hubspot',
        id: '501',
        change: 'absorbed',
        into: '500',
        intoLead: winner.leadKey,
      },
    ]);
    const won = await links.get('t5', winner.leadKey);
    expect(won?.history.map((entry) => [entry.change, entry.id])).toEqual([
      ['duplicate', '00Q000000000501AAA'],
      ['merged', '501'],
      ['merged', '502'],
    ]);
    expect(won && currentSide(won, 'hubspot', '501')).toBeNull();
    expect(won && currentSide(won, 'hubspot', '500')).toBe('hubspot');
  });

  it('on a merge into a never-linked winner, the loser lead takes the winner id', async () => {
    const lead = await linked('t5', { hubspot: '511' });
    const outcome = await links.applyHubSpotMerge('t5', '510', ['511'], NOW);
    expect(outcome).toEqual({ leadKey: lead.leadKey, absorbed: [] });
    expect(await links.get('t5', lead.leadKey)).toMatchObject({ hubspot: '510' });
    expect((await links.find('t5', 'hubspot', '511'))?.leadKey).toBe(lead.leadKey);
    expect(await links.applyHubSpotMerge('t5', '520', ['521'], NOW)).toEqual({ leadKey: null, absorbed: [] });
  });

  it('records a conversion: the Contact takes the writes and the Lead id still resolves', async () => {
    const lead = await linked('t6', { hubspot: '600', salesforceLead: '00Q000000000600AAA' });
    const outcome = await links.recordConversion('t6', '00Q000000000600AAA', '003000000000600AAA', NOW);
    expect(outcome).toMatchObject({
      ok: true,
      link: { salesforceLead: '00Q000000000600AAA', salesforceContact: '003000000000600AAA' },
    });
    const viaLead = await links.find('t6', 'salesforce', '00Q000000000600AAA');
    const viaContact = await links.find('t6', 'salesforce', '003000000000600AAA');
    expect(viaLead?.leadKey).toBe(lead.leadKey);
    expect(viaContact?.leadKey).toBe(lead.leadKey);
    expect(viaContact && salesforceWriteId(viaContact)).toBe('003000000000600AAA');
    const again = await links.recordConversion('t6', '00Q000000000600AAA', '003000000000600AAA', NOW);
    expect(again.ok && again.link.history).toHaveLength(1);
    expect(await links.recordConversion('t6', '00Q000000000699AAA', '003000000000699AAA', NOW)).toMatchObject(
      { ok: false, reason: 'not_linked' },
    );
    const other = await linked('t6', { salesforceLead: '00Q000000000601AAA' });
    const clash = await links.recordConversion('t6', '00Q000000000601AAA', '003000000000600AAA', NOW);
    expect(clash).toMatchObject({ ok: false, reason: 'slot_taken' });
    expect(await links.get('t6', other.leadKey)).toMatchObject({ salesforceContact: null });
  });

  it('retires a deleted record: slot emptied, reason kept, the id still finds the lead', async () => {
    const lead = await linked('t7', {
      hubspot: '700',
      salesforceLead: '00Q000000000700AAA',
      email: 'd@example.com',
    });
    const retired = await links.retire('t7', 'salesforce', '00Q000000000700AAA', 'deleted', NOW);
    expect(retired).toMatchObject({ leadKey: lead.leadKey, salesforceLead: null, hubspot: '700' });
    expect(retired?.history).toEqual([
      { at: NOW.toISOString(), side: 'salesforceLead', id: '00Q000000000700AAA', change: 'deleted' },
    ]);
    const found = await links.find('t7', 'salesforce', '00Q000000000700AAA');
    expect(found && currentSide(found, 'salesforce', '00Q000000000700AAA')).toBeNull();
    expect(await links.retire('t7', 'hubspot', 'never-linked', 'deleted', NOW)).toBeNull();
  });

  it('a privacy deletion also forgets the id and the email', async () => {
    const lead = await linked('t7', {
      hubspot: '710',
      salesforceLead: '00Q000000000710AAA',
      email: 'p@example.com',
    });
    const retired = await links.retire('t7', 'hubspot', '710', 'privacy_deleted', NOW);
    expect(retired).toMatchObject({ hubspot: null, email: null, salesforceLead: '00Q000000000710AAA' });
    expect(retired?.history.at(-1)).toMatchObject({ change: 'privacy_deleted', id: '710' });
    expect(await links.find('t7', 'hubspot', '710')).toBeNull();
    expect(await links.find('t7', 'email', 'p@example.com')).toBeNull();
    expect((await links.find('t7', 'salesforce', '00Q000000000710AAA'))?.leadKey).toBe(lead.leadKey);
  });
});

describe('LeadLinks: atomicity and corrupt data', () => {
  it('compare-and-set applies every change or none', async () => {
    const key = `${PREFIX}:cas`;
    await redis.hset(key, 'a', '1');
    const refused = await compareAndSetHashes(redis, [
      { key, field: 'b', set: 'x' },
      { key, field: 'a', expect: '2', set: '3' },
    ]);
    expect(refused).toBe(false);
    expect(await redis.hgetall(key)).toEqual({ a: '1' });
    const applied = await compareAndSetHashes(redis, [
      { key, field: 'b', expect: null, set: 'x' },
      { key, field: 'a', expect: '1', set: null },
    ]);
    expect(applied).toBe(true);
    expect(await redis.hgetall(key)).toEqual({ b: 'x' });
  });

  it('two workers linking the same new contact at once end with one lead, both told the same key', async () => {
    const other = connect();
    try {
      const second = new LeadLinks(other, { prefix: PREFIX });
      for (let round = 0; round < 10; round++) {
        const [a, b] = await Promise.all([
          links.link('t8', { hubspot: `race-${round}` }, NOW),
          second.link('t8', { hubspot: `race-${round}`, salesforceLead: `00Q00000000${round}RACE` }, NOW),
        ]);
        expect(a?.ok && b?.ok && a.link.leadKey === b.link.leadKey).toBe(true);
        const stored = await links.find('t8', 'hubspot', `race-${round}`);
        expect(stored?.salesforceLead).toBe(`00Q00000000${round}RACE`);
      }
      expect(await redis.hlen(links.keys('t8').links)).toBe(10);
    } finally {
      await other.quit();
    }
  });

  it('a merge racing a conversion on the same lead keeps both changes', async () => {
    const other = connect();
    try {
      const second = new LeadLinks(other, { prefix: PREFIX });
      const lead = await linked('t8', { hubspot: '800', salesforceLead: '00Q000000000800AAA' });
      await Promise.all([
        links.applyHubSpotMerge('t8', '800', ['801'], NOW),
        second.recordConversion('t8', '00Q000000000800AAA', '003000000000800AAA', NOW),
      ]);
      const after = await links.get('t8', lead.leadKey);
      expect(after).toMatchObject({ hubspot: '800', salesforceContact: '003000000000800AAA' });
      expect(after?.history.map((entry) => entry.change).sort()).toEqual(['converted', 'merged']);
    } finally {
      await other.quit();
    }
  });

  it('reads and updates a link an earlier version stored in the long form; writes it back compact', async () => {
    const keys = links.keys('t12');
    const leadKey = 'lb_01m8qtkrb1q9en8567peh3ydck';
    const long = {
      leadKey,
      hubspot: '901',
      salesforceLead: '00Q000000000901AAA',
      salesforceContact: null,
      email: 'old@example.com',
      history: [
        { at: '2026-02-01T10:00:00.000Z', side: 'hubspot', id: '900', change: 'merged', into: '901' },
      ],
      createdAt: '2026-01-01T10:00:00.000Z',
      updatedAt: '2026-02-01T10:00:00.000Z',
    };
    await redis.hset(keys.links, leadKey, JSON.stringify(long));
    await redis.hset(keys.hubspot, '901', leadKey, '900', leadKey);
    await redis.hset(keys.salesforce, '00Q000000000901AAA', leadKey);
    await redis.hset(keys.email, 'old@example.com', leadKey);
    expect(await links.find('t12', 'hubspot', '900')).toEqual(long);
    expect(await links.resolve('t12', 'old@example.com')).toEqual(long);

    await links.recordConversion('t12', '00Q000000000901AAA', '003000000000901AAA', NOW);
    const stored = (await redis.hget(keys.links, leadKey)) ?? '';
    expect(stored).not.toContain(leadKey);
    expect(await links.get('t12', leadKey)).toMatchObject({
      leadKey,
      hubspot: '901',
      salesforceContact: '003000000000901AAA',
      createdAt: long.createdAt,
      history: [long.history[0], expect.objectContaining({ change: 'converted' })],
    });
  });

  it('reports unreadable entries instead of treating the lead as unlinked', async () => {
    const lead = await linked('t9', { hubspot: '900' });
    await redis.hset(links.keys('t9').links, lead.leadKey, '{"leadKey":');
    await redis.hset(links.keys('t9').hubspot, '901', 'not-a-lead-key');
    const lookup = await links.findMany('t9', 'hubspot', ['900', '901']);
    expect(lookup.found.size).toBe(0);
    expect(lookup.corrupt.map((record) => [record.field, record.reason])).toEqual([
      ['901', 'not a lead key'],
      [lead.leadKey, 'not JSON'],
    ]);
    await expect(links.get('t9', lead.leadKey)).rejects.toBeInstanceOf(PermanentError);
    await expect(links.link('t9', { hubspot: '900', email: 'x@example.com' }, NOW)).rejects.toMatchObject({
      code: 'STORE_CORRUPT',
    });
    await redis.hset(
      links.keys('t9').links,
      lead.leadKey,
      JSON.stringify({ leadKey: lead.leadKey, hubspot: 5 }),
    );
    await expect(links.get('t9', lead.leadKey)).rejects.toThrow(/unreadable/);
  });
});
