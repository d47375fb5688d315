import { describe, expect, it } from 'vitest';
import { EMULATED_USER_ID } from '../../../connectors/hubspot/emulator/store.ts';
import { reconcileBatch } from '../../../jobs/reconcile/reconcile-batch.ts';
import type { LedgerEntry } from '../../../src/domain/ledger-entry.ts';
import {
  contactProperties,
  createContact,
  editContact,
  emailSequence,
  plainContact,
  qualifiedContact,
  repEditsLead,
  salesforceRecord,
  TENANT,
  writeCalls,
  type Harness,
  useHarness,
} from './reconcile-harness.ts';

// One test per defect of issue 7, end to end: both emulators, the real SDKs, real Redis.
let h: Harness;
const email = emailSequence();
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function sync(system: 'hubspot' | 'salesforce', id: string) {
  return reconcileBatch(h.deps, TENANT, [{ system, id }]);
}

async function linkOf(contactId: string) {
  const link = await h.deps.links.find(TENANT, 'hubspot', contactId);
  if (!link) throw new Error('not linked');
  return link;
}

async function ledger(contactId: string): Promise<LedgerEntry[]> {
  return (await h.deps.ledger.read(TENANT, (await linkOf(contactId)).leadKey)).entries;
}

describe('lifecycle defects (issue 7), against the emulators', () => {
  useHarness('lifecycle', (started) => (h = started));

  it('a contact that claims MQL with score 10 is not created in Salesforce; the gate reason shows in HubSpot', async () => {
    const id = await createContact(h.hubspot, {
      ...plainContact(email('claims')),
      lifecyclestage: 'marketingqualifiedlead',
    });
    const result = await sync('hubspot', id);
    expect(result.created.salesforce).toBe(0);
    expect((await linkOf(id)).salesforceLead).toBeNull();
    const contact = await contactProperties(h.hubspot, id);
    expect(contact.leadbridge_gate_reason).toMatch(/score 0 is below the MQL threshold 50/);
    expect(contact.leadbridge_stage).toBe('lead');
    // Marketing's own lifecyclestage is left alone, not fought over.
    expect(contact.lifecyclestage).toBe('marketingqualifiedlead');
    expect(await ledger(id)).toContainEqual(
      expect.objectContaining({ type: 'refusal', rule: 'gate', to: 'mql' }),
    );
    // Once it qualifies, the gate passes, the reason is cleared and the lead goes to sales.
    await editContact(h.hubspot, id, { jobtitle: 'VP Sales', phone: '+1 555 0100' });
    const passed = await sync('hubspot', id);
    expect(passed.created.salesforce).toBe(1);
    expect((await contactProperties(h.hubspot, id)).leadbridge_gate_reason ?? null).toBeNull();
  });

  it('backfill links customers and opportunities as history; none is created as a new Lead', async () => {
    const customer = await createContact(h.hubspot, {
      ...qualifiedContact(email('customer')),
      lifecyclestage: 'customer',
    });
    const opportunity = await createContact(h.hubspot, {
      ...qualifiedContact(email('opp')),
      lifecyclestage: 'opportunity',
    });
    const result = await reconcileBatch(h.deps, TENANT, [
      { system: 'hubspot', id: customer },
      { system: 'hubspot', id: opportunity },
    ]);
    expect(result.created.salesforce).toBe(0);
    expect(writeCalls(h.recorder).filter((call) => call.system === 'salesforce')).toEqual([]);
    expect((await ledger(customer))[0]).toMatchObject({ cause: 'seed', to: 'customer', history: true });
    expect((await contactProperties(h.hubspot, customer)).leadbridge_sla_due_at ?? null).toBeNull();
  });

  it('a missing Company is a gate reason, never a failed Salesforce create', async () => {
    const required = h.deps.config.handoff.requiredFields;
    h.deps.config.handoff.requiredFields = ['email'];
    try {
      const id = await createContact(h.hubspot, { ...qualifiedContact(email('nocompany')), company: '' });
      const result = await sync('hubspot', id);
      expect(result.failures).toEqual([]);
      expect(result.created.salesforce).toBe(0);
      expect((await contactProperties(h.hubspot, id)).leadbridge_gate_reason).toBe('missing: company');
    } finally {
      h.deps.config.handoff.requiredFields = required;
    }
  });

  it('a second rejection after recycle and re-qualification stays, with its own reason, actor and time', async () => {
    const sla = h.deps.config.sla;
    h.deps.config.sla = { ...sla, recycleAfter: '2s' };
    try {
      const id = await createContact(h.hubspot, qualifiedContact(email('twice')));
      await sync('hubspot', id);
      const leadId = (await linkOf(id)).salesforceLead as string;
      await repEditsLead(h.salesforce, leadId, {
        Status: 'Closed - Not Converted',
        Rejection_Reason__c: 'No budget',
      });
      await sync('salesforce', leadId);
      await sleep(2_200);
      await sync('salesforce', leadId);
      expect((await contactProperties(h.hubspot, id)).leadbridge_stage).toBe('recycled');
      // Still scoring 60: not sent straight back to sales.
      await sync('hubspot', id);
      expect((await contactProperties(h.hubspot, id)).leadbridge_stage).toBe('recycled');
      // Re-qualifies: the score dips and rises again; handed off with a fresh SLA clock.
      await editContact(h.hubspot, id, { phone: '' });
      await sync('hubspot', id);
      await editContact(h.hubspot, id, { phone: '+1 555 0101' });
      await sync('hubspot', id);
      expect((await salesforceRecord(h.salesforce, 'Lead', leadId)).Status).toBe('Open - Not Contacted');
      await repEditsLead(h.salesforce, leadId, {
        Status: 'Closed - Not Converted',
        Rejection_Reason__c: 'Too small',
      });
      await sync('salesforce', leadId);
      const lead = await salesforceRecord(h.salesforce, 'Lead', leadId);
      expect(lead.Status).toBe('Closed - Not Converted');
      expect(lead.Rejection_Reason__c).toBe('Too small');
      expect(lead.LeadBridge_Stage__c).toBe('rejected');
      expect((await contactProperties(h.hubspot, id)).leadbridge_rejection_reason).toBe('Too small');
      const rejections = (await ledger(id)).filter(
        (entry) => entry.type === 'transition' && entry.to === 'rejected',
      );
      expect(rejections.map((entry) => [entry.episode, entry.type === 'transition' && entry.reason])).toEqual(
        [
          [2, 'No budget'],
          [4, 'Too small'],
        ],
      );
      // The rep is the actor, and the time is Salesforce's own stamp of the change.
      expect(rejections[1]).toMatchObject({
        cause: 'rep_status',
        actor: h.salesforce.repUserId,
      });
      expect(Date.parse(rejections[1]!.sourceTime)).toBeLessThanOrEqual(Date.parse(rejections[1]!.at));
    } finally {
      h.deps.config.sla = sla;
    }
  });

  it('a rejection without a reason writes no placeholder: awaiting feedback until the rep gives one', async () => {
    const id = await createContact(h.hubspot, qualifiedContact(email('noreason')));
    await sync('hubspot', id);
    const leadId = (await linkOf(id)).salesforceLead as string;
    await repEditsLead(h.salesforce, leadId, { Status: 'Closed - Not Converted' });
    await sync('salesforce', leadId);
    expect((await salesforceRecord(h.salesforce, 'Lead', leadId)).Rejection_Reason__c ?? null).toBeNull();
    expect((await contactProperties(h.hubspot, id)).leadbridge_rejection_reason ?? null).toBeNull();
    await repEditsLead(h.salesforce, leadId, { Rejection_Reason__c: 'Wrong region' });
    await sync('salesforce', leadId);
    expect((await contactProperties(h.hubspot, id)).leadbridge_rejection_reason).toBe('Wrong region');
    expect(await ledger(id)).toContainEqual(
      expect.objectContaining({ type: 'feedback', reason: 'Wrong region' }),
    );
  });

  it("LeadBridge's own stage field follows the shared stage when a rep works the lead", async () => {
    const id = await createContact(h.hubspot, qualifiedContact(email('worked')));
    await sync('hubspot', id);
    const leadId = (await linkOf(id)).salesforceLead as string;
    await repEditsLead(h.salesforce, leadId, { Status: 'Working - Contacted' });
    await sync('salesforce', leadId);
    expect((await salesforceRecord(h.salesforce, 'Lead', leadId)).LeadBridge_Stage__c).toBe('sql');
    expect((await contactProperties(h.hubspot, id)).leadbridge_stage).toBe('sql');
  });

  it("a person's backward move is refused and recorded with who made it", async () => {
    const id = await createContact(h.hubspot, qualifiedContact(email('backward')));
    await sync('hubspot', id);
    await editContact(h.hubspot, id, { lifecyclestage: '' });
    await editContact(h.hubspot, id, { lifecyclestage: 'lead' });
    await sync('hubspot', id);
    expect(await ledger(id)).toContainEqual(
      expect.objectContaining({
        type: 'refusal',
        rule: 'backward_refused',
        actor: EMULATED_USER_ID,
        to: 'lead',
      }),
    );
    expect((await contactProperties(h.hubspot, id)).lifecyclestage).toBe('marketingqualifiedlead');
  });

  it('disqualified is reachable with the default mapping', async () => {
    const id = await createContact(h.hubspot, plainContact(email('dq')));
    await sync('hubspot', id);
    await editContact(h.hubspot, id, { lifecyclestage: 'other' });
    await sync('hubspot', id);
    expect((await contactProperties(h.hubspot, id)).leadbridge_stage).toBe('disqualified');
    expect(await ledger(id)).toContainEqual(
      expect.objectContaining({ type: 'transition', to: 'disqualified', rule: 'explicit_disqualify' }),
    );
  });
});
