import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditEntry } from '../../../src/store/audit-entry.ts';
import { AuditTrail } from '../../../src/store/audit-trail.ts';
import { LeadLinks } from '../../../src/store/lead-links.ts';
import { SyncState, type LeadSyncState } from '../../../src/store/sync-state.ts';
import { connect, deleteKeys, uniquePrefix } from './store-helpers.ts';

const PREFIX = uniquePrefix('memory');
const NOW = new Date('2026-03-01T10:00:00.000Z');
const LEADS = 200;
let redis: Redis;

beforeAll(() => {
  redis = connect();
});
afterAll(async () => {
  await deleteKeys(redis, PREFIX);
  await redis.quit();
});

const at = (minute: number) => new Date(NOW.getTime() + minute * 60_000).toISOString();

function typicalState(i: number): LeadSyncState {
  return {
    base: {
      email: `firstname.lastname${i}@company${i}.example.com`,
      firstName: 'Alexandra',
      lastName: `Lastname${i}`,
      company: `Company ${i} Industries Ltd`,
      phone: '+44 20 7946 0958',
      title: 'VP Marketing Operations',
      industry: 'Computer Software',
      employees: 250,
      country: 'United Kingdom',
      website: `https://company${i}.example.com`,
      leadSource: 'Web',
      stage: 'sql',
      score: 72,
      rejectionReason: null,
      rejectedAt: null,
      slaDueAt: at(60),
      slaBreached: false,
    },
    timeline: { handoffAt: at(0), firstFollowUpAt: at(20), feedbackAt: at(20) },
    lastDecision: {
      from: 'mql',
      proposed: 'sql',
      stage: 'sql',
      changed: true,
      rule: 'forward',
      by: 'salesforce',
      explanation: 'Salesforce moved the lead forward to sql',
    },
    syncedAt: at(20),
  };
}

/** 20 entries: 8 changes seen, 4 decisions with scores, 6 patches, 2 per-record errors. */
function typicalTrail(i: number): AuditEntry[] {
  const entries: AuditEntry[] = [];
  for (let n = 0; n < 20; n++) {
    const kind = n % 5;
    if (kind === 0 || kind === 3) {
      entries.push({
        type: 'change_seen',
        at: at(n),
        system: n % 2 ? 'salesforce' : 'hubspot',
        objectId: n % 2 ? `00Q5g00000${String(i).padStart(8, '0')}` : `${1000 + i}`,
        source: 'webhook',
        kind: 'updated',
        occurredAt: at(n),
      });
    } else if (kind === 1) {
      entries.push({
        type: 'decision',
        at: at(n),
        rule: 'forward',
        from: 'lead',
        to: 'mql',
        by: 'leadbridge',
        explanation: 'score 72 reached the MQL threshold 50',
        score: {
          score: 72,
          fired: [
            { id: 'title-vp', points: 30 },
            { id: 'employees-200', points: 20 },
            { id: 'pricing-visit', points: 22 },
          ],
        },
      });
    } else if (n === 9 || n === 19) {
      entries.push({
        type: 'record_error',
        at: at(n),
        system: 'hubspot',
        recordId: `${1000 + i}`,
        code: 'VALIDATION_ERROR',
        message: 'Property values were not valid: phone',
        retryable: false,
      });
    } else {
      entries.push({
        type: 'patch_written',
        at: at(n),
        system: n % 2 ? 'salesforce' : 'hubspot',
        recordId: `${1000 + i}`,
        fields: ['stage', 'score', 'slaDueAt'],
        created: false,
      });
    }
  }
  return entries;
}

async function usage(key: string): Promise<number> {
  return Number(await redis.call('MEMORY', 'USAGE', key, 'SAMPLES', '0'));
}

describe('memory per lead', () => {
  it('stays within a few KB for a typical lead with 20 audit entries (a list is smaller than a stream)', async () => {
    const links = new LeadLinks(redis, { prefix: PREFIX });
    const state = new SyncState(redis, { prefix: PREFIX });
    const trail = new AuditTrail(redis, links, { prefix: PREFIX });
    const inputs = Array.from({ length: LEADS }, (_, i) => ({
      hubspot: `${1000 + i}`,
      salesforceLead: `00Q5g00000${String(i).padStart(8, '0')}`,
      email: `firstname.lastname${i}@company${i}.example.com`,
    }));
    const outcomes = await links.linkMany('t1', inputs, NOW);
    const leadKeys = outcomes.map((outcome) => (outcome.ok ? outcome.link.leadKey : ''));
    await state.writeMany(
      't1',
      leadKeys.map((leadKey, i) => ({ leadKey, expectedVersion: 0, state: typicalState(i) })),
    );
    await trail.appendMany(
      't1',
      leadKeys.map((leadKey, i) => ({ leadKey, entries: typicalTrail(i) })),
    );

    const linkKeys = links.keys('t1');
    let linkBytes = 0;
    for (const key of Object.values(linkKeys)) linkBytes += await usage(key);
    const stateBytes = await usage(state.key('t1'));
    let auditBytes = 0;
    for (const leadKey of leadKeys) auditBytes += await usage(trail.key('t1', leadKey));

    // The same entries as a stream (XADD, one field), for the list-or-stream choice.
    const streamKey = `${PREFIX}:stream-comparison`;
    const streamOf = async (entries: AuditEntry[]) => {
      await redis.del(streamKey);
      for (const entry of entries)
        await redis.xadd(streamKey, 'MAXLEN', '~', '500', '*', 'e', JSON.stringify(entry));
      return usage(streamKey);
    };
    const listBytes = await usage(trail.key('t1', leadKeys[0] ?? ''));
    const streamBytes = await streamOf(typicalTrail(0));
    const oneEntryKey = `${PREFIX}:one-entry`;
    await redis.rpush(oneEntryKey, JSON.stringify(typicalTrail(0)[0]));
    const listOf1 = await usage(oneEntryKey);
    const streamOf1 = await streamOf(typicalTrail(0).slice(0, 1));

    const perLead = {
      links: Math.round(linkBytes / LEADS),
      state: Math.round(stateBytes / LEADS),
      audit: Math.round(auditBytes / LEADS),
      total: Math.round((linkBytes + stateBytes + auditBytes) / LEADS),
      listOf20: listBytes,
      streamOf20: streamBytes,
      listOf1,
      streamOf1,
    };
    console.info(`memory per lead (bytes, ${LEADS} leads, MEMORY USAGE SAMPLES 0):`, perLead);
    expect(perLead.links).toBeGreaterThan(200);
    expect(perLead.state).toBeGreaterThan(500);
    expect(perLead.audit).toBeGreaterThan(1000);
    // Compact encodings (link-codec.ts, state-codec.ts, audit-codec.ts): 558, 963 and 4,300 B before.
    expect(perLead.links).toBeLessThan(400);
    expect(perLead.state).toBeLessThan(800);
    expect(perLead.audit).toBeLessThan(3_000);
    expect(perLead.total).toBeLessThan(4_200);
    expect(listBytes).toBeLessThan(streamBytes);
    expect(listOf1 * 5).toBeLessThan(streamOf1);
  });
});
