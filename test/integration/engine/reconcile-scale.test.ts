import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reconcileBatch } from '../../../jobs/reconcile/reconcile-batch.ts';
import type { RecordRef } from '../../../jobs/engine.ts';
import type { InMemoryApiCallRecorder } from '../../../src/metrics/api-calls.ts';
import {
  createContact,
  editContact,
  plainContact,
  qualifiedContact,
  startHarness,
  TENANT,
  writeCalls,
  type Harness,
} from './reconcile-harness.ts';

const LEADS = 100;
let h: Harness;

function summary(recorder: InMemoryApiCallRecorder) {
  const by = (system: 'hubspot' | 'salesforce') => recorder.calls.filter((call) => call.system === system);
  return {
    total: recorder.calls.length,
    hubspot: by('hubspot').map((call) => call.endpoint),
    salesforce: by('salesforce').map((call) => call.endpoint),
    writes: writeCalls(recorder).length,
    perLead: recorder.calls.length / LEADS,
  };
}

/** API calls of a 100-lead batch: the headline "calls per lead" of the reconcile engine. */
describe('reconcileBatch API calls for a batch of 100 leads', () => {
  const hubspotIds: string[] = [];

  beforeAll(async () => {
    h = await startHarness('scale');
    for (let i = 0; i < LEADS; i++) {
      const email = `scale-${i}@example.com`;
      hubspotIds.push(
        await createContact(h.hubspot, i % 2 === 0 ? qualifiedContact(email) : plainContact(email)),
      );
    }
  });
  afterAll(async () => {
    await h.close();
  });

  it('first sync, echo and a change each cost a handful of calls for the whole batch', async () => {
    const refs: RecordRef[] = hubspotIds.map((id) => ({ system: 'hubspot', id }));

    // First sync: every contact is new to LeadBridge, half of them qualify and are handed off.
    h.recorder.reset();
    const first = await reconcileBatch(h.deps, TENANT, refs);
    const firstCalls = summary(h.recorder);
    expect(first).toMatchObject({
      leads: LEADS,
      failures: [],
      created: { hubspot: 0, salesforce: LEADS / 2 },
    });
    expect(first.written.hubspot).toBe(LEADS);
    // One batch read and one batch update in HubSpot (100 = its cap), one collection upsert in Salesforce.
    expect(firstCalls.hubspot).toEqual([
      'POST /crm/objects/2026-09/contacts/batch/read',
      'POST /crm/objects/2026-09/contacts/batch/update',
    ]);
    expect(
      firstCalls.salesforce.filter(
        (endpoint) => endpoint === 'PATCH /composite/sobjects/Lead/LeadBridge_Key__c',
      ),
    ).toHaveLength(1);

    // The echo of those writes (webhooks and outbound messages naming every record): reads only.
    const links = await h.deps.links.findMany(TENANT, 'hubspot', hubspotIds);
    const salesforceRefs: RecordRef[] = [...links.found.values()].flatMap((link) =>
      link.salesforceLead ? [{ system: 'salesforce' as const, id: link.salesforceLead }] : [],
    );
    expect(salesforceRefs).toHaveLength(LEADS / 2);
    h.recorder.reset();
    const echo = await reconcileBatch(h.deps, TENANT, [...refs, ...salesforceRefs]);
    const echoCalls = summary(h.recorder);
    expect(echo).toMatchObject({ leads: LEADS, unchanged: LEADS, failures: [] });
    expect(echoCalls.writes).toBe(0);
    expect(echoCalls.hubspot).toEqual(['POST /crm/objects/2026-09/contacts/batch/read']);
    expect(echoCalls.salesforce).toEqual(['POST /composite/sobjects/Lead']);

    // Marketing changes every contact's phone: one read and one write per system.
    for (const [i, id] of hubspotIds.entries()) await editContact(h.hubspot, id, { phone: `+1 555 01${i}` });
    h.recorder.reset();
    const change = await reconcileBatch(h.deps, TENANT, refs);
    const changeCalls = summary(h.recorder);
    expect(change).toMatchObject({ leads: LEADS, failures: [], written: { salesforce: LEADS / 2 } });
    expect(changeCalls.hubspot).toEqual([
      'POST /crm/objects/2026-09/contacts/batch/read',
      'POST /crm/objects/2026-09/contacts/batch/update',
    ]);
    expect(changeCalls.salesforce).toEqual(['POST /composite/sobjects/Lead', 'PATCH /composite/sobjects']);

    console.info(
      `reconcile, ${LEADS} leads per batch — API calls: first sync ${firstCalls.total} (${firstCalls.perLead} per lead, ` +
        `incl. Salesforce session set-up: ${firstCalls.salesforce.join(', ')}); echo ${echoCalls.total} ` +
        `(${echoCalls.perLead} per lead); change ${changeCalls.total} (${changeCalls.perLead} per lead)`,
    );
  });
});
