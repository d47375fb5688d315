import { UnrecoverableError } from 'bullmq';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { ingestChangeEvent, type IngestDeps } from '../../../jobs/ingest-processor.ts';
import type { ChangeEvent } from '../../../src/domain/change-event.ts';
import type { LeadLink } from '../../../src/store/lead-link.ts';
import { startEngineHarness, TENANT } from './engine-harness.ts';

const NOW = new Date('2026-03-01T12:00:00.000Z');

describe('ingest: link maintenance for deletions, privacy deletions, merges and restores', () => {
  const harness = startEngineHarness('links');
  harness.engine.now = () => NOW;
  const scheduled: Array<{ tenant: string; delayMs: number }> = [];
  const deps: IngestDeps = {
    engine: harness.engine,
    pending: harness.pending,
    schedule: async (tenant, delayMs) => {
      scheduled.push({ tenant, delayMs });
    },
  };
  let n = 0;
  const event = (fields: Partial<ChangeEvent>): ChangeEvent => ({
    tenant: TENANT,
    system: 'hubspot',
    objectId: '101',
    occurredAt: NOW.toISOString(),
    kind: 'updated',
    source: 'webhook',
    dedupKey: `d${n++}`,
    ...fields,
  });

  async function linked(hubspot: string, salesforceLead: string, email: string): Promise<LeadLink> {
    const outcome = await harness.engine.links.link(TENANT, { hubspot, salesforceLead, email }, NOW);
    if (!outcome.ok) throw new Error(outcome.detail);
    await harness.engine.state.write(TENANT, {
      leadKey: outcome.link.leadKey,
      expectedVersion: 0,
      state: { base: { email }, timeline: {}, lastDecision: null, syncedAt: NOW.toISOString() },
    });
    await harness.engine.audit.append(TENANT, outcome.link.leadKey, {
      type: 'change_seen',
      at: NOW.toISOString(),
      system: 'hubspot',
      objectId: hubspot,
      source: 'poll',
      occurredAt: NOW.toISOString(),
    });
    return outcome.link;
  }

  beforeEach(() => {
    scheduled.length = 0;
  });

  afterAll(() => harness.close());

  it('a deletion empties the slot, keeps the id resolvable, and still reconciles the lead', async () => {
    const link = await linked('101', '00Q5g000001AAAAAA1', 'ada@example.com');
    const outcome = await ingestChangeEvent(deps, event({ objectId: '101', kind: 'deleted' }));
    expect(outcome).toEqual({ pending: true, leadKey: link.leadKey });
    const after = await harness.engine.links.get(TENANT, link.leadKey);
    expect(after?.hubspot).toBeNull();
    expect(after?.salesforceLead).toBe('00Q5g000001AAAAAA1');
    expect(after?.history.at(-1)).toMatchObject({ side: 'hubspot', id: '101', change: 'deleted' });
    expect((await harness.engine.links.find(TENANT, 'hubspot', '101'))?.leadKey).toBe(link.leadKey);
    expect(await harness.pending.popDue(TENANT, Number.MAX_SAFE_INTEGER, 10)).toEqual([
      {
        system: 'hubspot',
        id: '101',
        source: 'webhook',
        kind: 'deleted',
        occurredAt: NOW.toISOString(),
        leadKey: link.leadKey,
      },
    ]);
    // The first change of a quiet record is not debounced (src/domain/adaptive-debounce.ts).
    expect(scheduled).toEqual([{ tenant: TENANT, delayMs: 0 }]);
  });

  it('a privacy deletion forgets the id, the email, the sync state and the audit trail, and reconciles nothing', async () => {
    const link = await linked('102', '00Q5g000001AAAAAA2', 'grace@example.com');
    // A change of the same contact was already pending: it must not be synced after the deletion.
    await ingestChangeEvent(deps, event({ objectId: '102' }));
    expect(await harness.pending.count(TENANT)).toBe(1);

    const outcome = await ingestChangeEvent(deps, event({ objectId: '102', kind: 'privacy_deleted' }));
    expect(outcome).toEqual({ pending: false, leadKey: link.leadKey });
    expect(await harness.engine.links.find(TENANT, 'hubspot', '102')).toBeNull();
    expect(await harness.engine.links.find(TENANT, 'email', 'grace@example.com')).toBeNull();
    const after = await harness.engine.links.get(TENANT, link.leadKey);
    expect(after).toMatchObject({ hubspot: null, email: null, salesforceLead: '00Q5g000001AAAAAA2' });
    expect((await harness.engine.state.read(TENANT, link.leadKey)).version).toBe(0);
    expect(await harness.engine.audit.length(TENANT, link.leadKey)).toBe(0);
    expect(await harness.pending.count(TENANT)).toBe(0);
  });

  it('a HubSpot merge points the losers at the winner and reconciles the winner', async () => {
    const winner = await linked('201', '00Q5g000001AAAAAB1', 'lin@example.com');
    const loser = await linked('202', '00Q5g000001AAAAAB2', 'lin.old@example.com');
    const outcome = await ingestChangeEvent(
      deps,
      event({ objectId: '201', kind: 'merged', mergedIds: ['202'] }),
    );
    expect(outcome).toEqual({ pending: true, leadKey: winner.leadKey });
    expect((await harness.engine.links.find(TENANT, 'hubspot', '202'))?.leadKey).toBe(winner.leadKey);
    const absorbed = await harness.engine.links.get(TENANT, loser.leadKey);
    expect(absorbed?.hubspot).toBeNull();
    // Its Salesforce Lead went with the person, as a duplicate of the winner's own Lead.
    expect(absorbed?.salesforceLead).toBeNull();
    expect((await harness.engine.links.find(TENANT, 'salesforce', '00Q5g000001AAAAAB2'))?.leadKey).toBe(
      winner.leadKey,
    );
    const refs = await harness.pending.popDue(TENANT, Number.MAX_SAFE_INTEGER, 10);
    expect(refs.map((ref) => [ref.id, ref.kind])).toEqual([['201', 'merged']]);
  });

  it('a HubSpot restore puts the id back into its empty slot', async () => {
    const link = await linked('301', '00Q5g000001AAAAAC1', 'joan@example.com');
    await ingestChangeEvent(deps, event({ objectId: '301', kind: 'deleted' }));
    expect((await harness.engine.links.get(TENANT, link.leadKey))?.hubspot).toBeNull();
    await ingestChangeEvent(deps, event({ objectId: '301', kind: 'restored' }));
    expect((await harness.engine.links.get(TENANT, link.leadKey))?.hubspot).toBe('301');
    await harness.pending.popDue(TENANT, Number.MAX_SAFE_INTEGER, 10);
  });

  it('refuses events of a tenant the config does not have, without retrying', async () => {
    await expect(ingestChangeEvent(deps, event({ tenant: 'other' }))).rejects.toBeInstanceOf(
      UnrecoverableError,
    );
    await expect(ingestChangeEvent(deps, { tenant: TENANT })).rejects.toThrow(/system/);
    expect(scheduled).toEqual([]);
  });
});
