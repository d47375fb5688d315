import { describe, expect, it } from 'vitest';
import { reconcileBatch } from '../../../jobs/reconcile/reconcile-batch.ts';
import {
  createContact,
  emailSequence,
  qualifiedContact,
  repEditsLead,
  TENANT,
  type Harness,
  useHarness,
} from './reconcile-harness.ts';

// The optional HubSpot Leads object (0-136), end to end: HubSpot and Salesforce emulators, real Redis,
// the real reconcile, with `hubspot.leadsObject.enabled` on the tenant.

let h: Harness;
const email = emailSequence();

const leadRecordsOf = (contactId: string) => h.hubspot.leads.forContact(contactId);

describe('HubSpot Leads-object mode', () => {
  useHarness('leads-object', (started) => (h = started), { hubspot: { leadsObject: { enabled: true } } });

  it('gives a handed-off lead a Lead record on its contact that follows the shared stage and carries the rejection reason', async () => {
    const id = await createContact(h.hubspot, qualifiedContact(email('handoff')));
    const handed = await reconcileBatch(h.deps, TENANT, [{ system: 'hubspot', id }]);
    expect(handed.failures).toEqual([]);
    expect(handed.created.salesforce).toBe(1);
    const [record] = leadRecordsOf(id);
    expect(leadRecordsOf(id)).toHaveLength(1);
    expect(record?.properties).toMatchObject({
      hs_lead_name: 'Ada Lovelace',
      hs_pipeline: 'lead-pipeline-id',
      hs_pipeline_stage: 'new-stage-id',
    });

    // Sales works the lead, then rejects it with a reason.
    const link = await h.deps.links.find(TENANT, 'hubspot', id);
    const leadId = link!.salesforceLead!;
    await repEditsLead(h.salesforce, leadId, { Status: 'Working - Contacted' });
    await reconcileBatch(h.deps, TENANT, [{ system: 'salesforce', id: leadId }]);
    expect(leadRecordsOf(id)[0]?.properties.hs_pipeline_stage).toBe('connected-stage-id');
    await repEditsLead(h.salesforce, leadId, {
      Status: 'Closed - Not Converted',
      Rejection_Reason__c: 'No budget this year',
    });
    const rejected = await reconcileBatch(h.deps, TENANT, [{ system: 'salesforce', id: leadId }]);
    expect(rejected.failures).toEqual([]);
    expect(leadRecordsOf(id)).toHaveLength(1);
    expect(leadRecordsOf(id)[0]?.properties).toMatchObject({
      hs_pipeline_stage: 'unqualified-stage-id',
      hs_lead_disqualification_reason: 'No budget this year',
    });
    // The contact's own fields are as without the mode.
    expect(h.hubspot.store.find(id)?.properties).toMatchObject({
      leadbridge_stage: 'rejected',
      hs_lead_status: 'UNQUALIFIED',
    });
  });

  it('creates no Lead record for a contact that was never handed off', async () => {
    const id = await createContact(h.hubspot, {
      email: email('nurture'),
      firstname: 'Low',
      lastname: 'Score',
    });
    await reconcileBatch(h.deps, TENANT, [{ system: 'hubspot', id }]);
    expect(leadRecordsOf(id)).toEqual([]);
  });

  it('has the emulator refuse a Lead without hs_lead_name or without an existing contact, as HubSpot does', async () => {
    const create = (input: unknown) =>
      fetch(`${h.hubspot.url}/crm/objects/2026-09/leads/batch/create`, {
        method: 'POST',
        headers: { authorization: 'Bearer t', 'content-type': 'application/json' },
        body: JSON.stringify({ inputs: [input] }),
      });
    const unnamed = await create({ properties: { hs_pipeline_stage: 'new-stage-id' }, associations: [] });
    expect(unnamed.status).toBe(400);
    expect(await unnamed.json()).toMatchObject({
      category: 'VALIDATION_ERROR',
      errors: [{ code: 'REQUIRED_PROPERTY_MISSING' }],
    });
    const orphan = await create({ properties: { hs_lead_name: 'Nobody' }, associations: [] });
    expect(orphan.status).toBe(400);
    const unknown = await create({
      properties: { hs_lead_name: 'Ghost' },
      associations: [
        { to: { id: '999' }, types: [{ associationCategory: 'HUBSPOT_DEFINED', associationTypeId: 578 }] },
      ],
    });
    expect(await unknown.json()).toMatchObject({
      errors: [{ code: 'INVALID_OBJECT_IDS', context: { ids: ['999'] } }],
    });
  });
});
