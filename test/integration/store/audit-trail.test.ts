import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditEntry } from '../../../src/store/audit-entry.ts';
import { AuditTrail } from '../../../src/store/audit-trail.ts';
import { LeadLinks } from '../../../src/store/lead-links.ts';
import { connect, countCalls, deleteKeys, uniquePrefix } from './store-helpers.ts';

const PREFIX = uniquePrefix('audit');
const NOW = new Date('2026-03-01T10:00:00.000Z');
let redis: Redis;
let links: LeadLinks;
let trail: AuditTrail;

beforeAll(() => {
  redis = connect();
  links = new LeadLinks(redis, { prefix: PREFIX });
  trail = new AuditTrail(redis, links, { prefix: PREFIX });
});
afterAll(async () => {
  await deleteKeys(redis, PREFIX);
  await redis.quit();
});

const at = (minute: number) => new Date(NOW.getTime() + minute * 60_000).toISOString();

const story: AuditEntry[] = [
  {
    type: 'change_seen',
    at: at(0),
    system: 'hubspot',
    objectId: '101',
    source: 'webhook',
    kind: 'updated',
    occurredAt: at(0),
  },
  {
    type: 'decision',
    at: at(1),
    rule: 'forward',
    from: 'lead',
    to: 'mql',
    by: 'leadbridge',
    explanation: 'score 55 reached the MQL threshold 50',
    score: {
      score: 55,
      fired: [
        { id: 'title-vp', points: 30 },
        { id: 'pricing-visit', points: 25 },
      ],
    },
  },
  {
    type: 'patch_written',
    at: at(2),
    system: 'salesforce',
    recordId: null,
    fields: ['stage', 'score'],
    created: true,
  },
  {
    type: 'record_error',
    at: at(3),
    system: 'hubspot',
    recordId: '101',
    code: 'VALIDATION_ERROR',
    message: 'bad phone',
    retryable: false,
  },
];

describe('AuditTrail', () => {
  it('returns every kind of entry oldest first, with its stream id', async () => {
    await trail.append('t1', 'lb_story0000', ...story.slice(0, 2));
    await trail.append('t1', 'lb_story0000', ...story.slice(2));
    const { entries, unreadable } = await trail.read('t1', 'lb_story0000');
    expect(unreadable).toEqual([]);
    expect(entries).toEqual(story);
    expect((await trail.read('t1', 'lb_story0000', 2)).entries.map((entry) => entry.type)).toEqual([
      'patch_written',
      'record_error',
    ]);
    expect((await trail.read('t1', 'lb_nothing00')).entries).toEqual([]);
  });

  it('appends for 100 leads in one round trip', async () => {
    const counted = connect();
    try {
      const batch = new AuditTrail(counted, links, { prefix: PREFIX });
      await counted.ping();
      const calls = countCalls(counted);
      const items = Array.from({ length: 100 }, (_, i) => ({
        leadKey: `lb_many${String(i).padStart(4, '0')}`,
        entries: story.slice(0, 3),
      }));
      await batch.appendMany('t2', items);
      expect(calls.roundTrips).toBe(1);
      expect(calls.commands).toHaveLength(200);
      expect(new Set(calls.commands)).toEqual(new Set(['rpush', 'ltrim']));
      expect(await trail.length('t2', 'lb_many0099')).toBe(3);
    } finally {
      await counted.quit();
    }
  });

  it('caps the trail at exactly the last maxEntries', async () => {
    const capped = new AuditTrail(redis, links, { prefix: PREFIX, maxEntries: 50 });
    const entries: AuditEntry[] = Array.from({ length: 400 }, (_, i) => ({
      type: 'change_seen',
      at: at(i),
      system: 'hubspot',
      objectId: String(i),
      source: 'poll',
      occurredAt: at(i),
    }));
    for (let i = 0; i < entries.length; i += 40)
      await capped.append('t3', 'lb_capped000', ...entries.slice(i, i + 40));
    const read = await capped.read('t3', 'lb_capped000');
    expect(read.entries.map((entry) => (entry.type === 'change_seen' ? entry.objectId : ''))).toEqual(
      Array.from({ length: 50 }, (_, i) => String(350 + i)),
    );
    expect(await capped.length('t3', 'lb_capped000')).toBe(50);
    expect((await capped.read('t3', 'lb_capped000', 1000)).entries).toHaveLength(50);
  });

  it('explains a lead by email, lead key, HubSpot id, converted and merged-away ids', async () => {
    const outcome = await links.link(
      't4',
      { hubspot: '101', salesforceLead: '00Q000000000101AAA', email: 'ann@example.com' },
      NOW,
    );
    if (!outcome.ok) throw new Error(outcome.detail);
    const { leadKey } = outcome.link;
    await trail.append('t4', leadKey, ...story);
    await links.recordConversion('t4', '00Q000000000101AAA', '003000000000101AAA', NOW);
    await links.applyHubSpotMerge('t4', '101', ['102'], NOW);
    for (const query of [
      'Ann@Example.com',
      leadKey,
      '101',
      '102',
      '00Q000000000101AAA',
      '003000000000101AAA',
    ]) {
      const explained = await trail.explain('t4', query);
      expect(explained?.link.leadKey).toBe(leadKey);
      expect(explained?.entries.map((entry) => entry.type)).toEqual(story.map((entry) => entry.type));
    }
    expect(await trail.explain('t4', 'nobody@example.com')).toBeNull();
  });

  it('lists unreadable entries by id and still returns the rest', async () => {
    const key = trail.key('t5', 'lb_corrupt00');
    await trail.append('t5', 'lb_corrupt00', story[0] as AuditEntry);
    await redis.rpush(key, '{oops', JSON.stringify({ type: 'decision', at: 'x' }));
    await trail.append('t5', 'lb_corrupt00', story[3] as AuditEntry);
    const read = await trail.read('t5', 'lb_corrupt00');
    expect(read.entries.map((entry) => entry.type)).toEqual(['change_seen', 'record_error']);
    expect(read.unreadable.map((entry) => entry.position)).toEqual([1, 2]);
    expect(read.unreadable[0]?.reason).toBe('not JSON');
  });

  it('reads a trail an earlier version wrote in the long form, with entries appended since', async () => {
    const key = trail.key('t7', 'lb_upgraded0');
    await redis.rpush(key, ...story.slice(0, 2).map((entry) => JSON.stringify(entry)));
    await trail.append('t7', 'lb_upgraded0', ...story.slice(2));
    const stored = await redis.lrange(key, 0, -1);
    expect(stored.slice(2).every((raw) => !raw.includes('"type"'))).toBe(true);
    expect(await trail.read('t7', 'lb_upgraded0')).toEqual({ entries: story, unreadable: [] });
  });

  it('stores the trail in less memory than the long form', async () => {
    const long = trail.key('t8', 'lb_longform0');
    await redis.rpush(long, ...story.map((entry) => JSON.stringify(entry)));
    await trail.append('t8', 'lb_compact00', ...story);
    const usage = async (key: string) => Number(await redis.call('MEMORY', 'USAGE', key, 'SAMPLES', '0'));
    const compact = await usage(trail.key('t8', 'lb_compact00'));
    expect(compact).toBeLessThan((await usage(long)) * 0.8);
  });

  it('refuses an entry that does not match the schema, and deletes trails', async () => {
    const bad = {
      type: 'patch_written',
      at: at(0),
      system: 'marketo',
      recordId: null,
      fields: [],
      created: false,
    };
    await expect(trail.append('t6', 'lb_refused00', bad as unknown as AuditEntry)).rejects.toThrow();
    expect(await trail.length('t6', 'lb_refused00')).toBe(0);
    await trail.append('t6', 'lb_deleted00', story[0] as AuditEntry);
    expect(await trail.delete('t6', ['lb_deleted00'])).toBe(1);
    expect(await trail.length('t6', 'lb_deleted00')).toBe(0);
  });
});
