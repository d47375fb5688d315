import { describe, expect, it } from 'vitest';
import { reconcileBatch } from '../../../jobs/reconcile/reconcile-batch.ts';
import { readFailingRecords } from '../../../src/store/record-failures.ts';
import {
  createContact,
  editContact,
  emailSequence,
  plainContact,
  qualifiedContact,
  repCreatesLead as createLeadAsRep,
  salesforceRecord,
  TENANT,
  type Harness,
  useHarness,
} from './reconcile-harness.ts';

let h: Harness;
const email = emailSequence();

const repCreatesLead = (fields: Record<string, unknown>) => createLeadAsRep(h.salesforce, fields);

/** Live Leads in the emulator holding `address`, any case. */
function leadsWithEmail(address: string): string[] {
  return h.salesforce.state.store
    .rows('Lead')
    .filter(
      (row) => row.IsDeleted !== true && String(row.Email ?? '').toLowerCase() === address.toLowerCase(),
    )
    .map((row) => String(row.Id));
}

/** A Contact a rep entered in Salesforce directly (no Lead behind it). */
function repCreatesContact(fields: Record<string, unknown>): string {
  const outcome = h.salesforce.state.store.insert('Contact', fields, {
    userId: h.salesforce.state.store.repUserId,
  });
  if (!outcome.success) throw new Error(JSON.stringify(outcome.errors));
  return outcome.id;
}

describe('a person already in Salesforce is linked, not given a second Lead', () => {
  useHarness('existing-match', (started) => (h = started));

  it('a qualifying contact whose email is an unlinked Lead links that Lead and updates it: no create', async () => {
    const address = email('known');
    const existing = await repCreatesLead({ LastName: 'Lovelace', Email: address });
    const id = await createContact(h.hubspot, qualifiedContact(address));

    const result = await reconcileBatch(h.deps, TENANT, [{ system: 'hubspot', id }]);

    expect(result.failures).toEqual([]);
    expect(result.created.salesforce).toBe(0);
    expect(leadsWithEmail(address)).toEqual([existing]);
    const link = await h.deps.links.find(TENANT, 'hubspot', id);
    expect(link?.salesforceLead).toBe(existing);
    expect((await h.deps.links.find(TENANT, 'salesforce', existing))?.leadKey).toBe(link?.leadKey);
    // The normal merge then wrote the shared stage and score to the linked Lead.
    expect(await salesforceRecord(h.salesforce, 'Lead', existing)).toMatchObject({
      LeadBridge_Stage__c: 'mql',
      LeadBridge_Score__c: 60,
    });
    const trail = await h.deps.audit.read(TENANT, link!.leadKey);
    expect(trail.entries).toContainEqual(
      expect.objectContaining({
        type: 'record_linked',
        system: 'salesforce',
        recordId: existing,
        by: 'email',
      }),
    );

    // A second pass finds the link: nothing is looked up or created again.
    h.recorder.reset();
    const again = await reconcileBatch(h.deps, TENANT, [{ system: 'hubspot', id }]);
    expect(again.created.salesforce).toBe(0);
    expect(h.recorder.calls.filter((call) => call.endpoint === 'POST /composite')).toEqual([]);
    expect(leadsWithEmail(address)).toEqual([existing]);
  });

  it('a known contact that qualifies later links the Lead a rep entered meanwhile at its handoff', async () => {
    const address = email('later');
    const id = await createContact(h.hubspot, plainContact(address));
    const first = await reconcileBatch(h.deps, TENANT, [{ system: 'hubspot', id }]);
    expect(first.created.salesforce).toBe(0);
    // A rep enters the person in Salesforce; before any poll sees it, the contact qualifies in HubSpot.
    const existing = await repCreatesLead({ FirstName: 'Grace', LastName: 'Hopper', Email: address });
    await editContact(h.hubspot, id, { jobtitle: 'VP Engineering', phone: '+44 20 7946 0000' });

    const handoff = await reconcileBatch(h.deps, TENANT, [{ system: 'hubspot', id }]);

    expect(handoff.failures).toEqual([]);
    expect(handoff.created.salesforce).toBe(0);
    expect(leadsWithEmail(address)).toEqual([existing]);
    expect((await h.deps.links.find(TENANT, 'hubspot', id))?.salesforceLead).toBe(existing);
    expect(await salesforceRecord(h.salesforce, 'Lead', existing)).toMatchObject({
      LeadBridge_Stage__c: 'mql',
    });
  });

  it('matches an email that differs in case on either side', async () => {
    const address = email('cased');
    const existing = await repCreatesLead({ LastName: 'Lovelace', Email: address.toUpperCase() });
    // Both systems refuse surrounding spaces in an email; the lookup trims them all the same (unit test).
    const id = await createContact(h.hubspot, qualifiedContact(address.replace(/^c/, 'C')));

    const result = await reconcileBatch(h.deps, TENANT, [{ system: 'hubspot', id }]);

    expect(result.failures).toEqual([]);
    expect(result.created.salesforce).toBe(0);
    expect(leadsWithEmail(address)).toEqual([existing]);
    expect((await h.deps.links.find(TENANT, 'hubspot', id))?.salesforceLead).toBe(existing);
  });

  it('two Leads share the email: the duplicate choice links one, the other is its duplicate, none created', async () => {
    const address = email('two');
    const older = await repCreatesLead({ LastName: 'Older', Email: address });
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    const newer = await repCreatesLead({ LastName: 'Newer', Email: address });
    const id = await createContact(h.hubspot, qualifiedContact(address));

    const result = await reconcileBatch(h.deps, TENANT, [{ system: 'hubspot', id }]);

    expect(result.failures).toEqual([]);
    expect(result.created.salesforce).toBe(0);
    expect(leadsWithEmail(address).sort()).toEqual([older, newer].sort());
    const link = await h.deps.links.find(TENANT, 'hubspot', id);
    expect(link?.salesforceLead).toBe(newer);
    expect(link?.history).toContainEqual(expect.objectContaining({ change: 'duplicate', id: older }));
    expect((await h.deps.links.find(TENANT, 'salesforce', older))?.leadKey).toBe(link?.leadKey);
    // The duplicate is never written to.
    expect((await salesforceRecord(h.salesforce, 'Lead', older)).LastModifiedById).not.toBe(
      h.salesforce.state.store.integrationUserId,
    );
  });

  it('a converted Lead with the email links the Lead and its Contact', async () => {
    const address = email('converted');
    const lead = await repCreatesLead({ LastName: 'Lovelace', Email: address });
    const { contactId } = h.salesforce.state.store.convertLead(lead, {
      createOpportunity: false,
      context: { userId: h.salesforce.state.store.repUserId },
    });
    const id = await createContact(h.hubspot, qualifiedContact(address));

    const result = await reconcileBatch(h.deps, TENANT, [{ system: 'hubspot', id }]);

    expect(result.failures).toEqual([]);
    expect(result.created.salesforce).toBe(0);
    expect(leadsWithEmail(address)).toEqual([lead]);
    const link = await h.deps.links.find(TENANT, 'hubspot', id);
    expect(link).toMatchObject({ salesforceLead: lead, salesforceContact: contactId });
  });

  it('only a Contact has the email: no Lead is created, and the failure says why and what to do', async () => {
    const address = email('contact');
    const contactId = repCreatesContact({ LastName: 'Lovelace', Email: address });
    const id = await createContact(h.hubspot, qualifiedContact(address));

    const result = await reconcileBatch(h.deps, TENANT, [{ system: 'hubspot', id }]);

    expect(result.created.salesforce).toBe(0);
    expect(leadsWithEmail(address)).toEqual([]);
    expect(result.failures).toEqual([
      expect.objectContaining({ code: 'EXISTS_AS_CONTACT', system: 'salesforce', recordId: contactId }),
    ]);
    const link = await h.deps.links.find(TENANT, 'hubspot', id);
    expect(link?.salesforceLead).toBeNull();
    const failing = await readFailingRecords(h.redis, `${h.prefix}:store`, TENANT);
    expect(failing).toContainEqual(
      expect.objectContaining({ leadKey: link!.leadKey, code: 'EXISTS_AS_CONTACT', recordId: contactId }),
    );
  });

  it('a Lead with the email already linked to another lead: LINK_CONFLICT, no second Lead', async () => {
    const address = email('taken');
    const existing = await repCreatesLead({ LastName: 'Lovelace', Email: address });
    // Another lead holds that Lead (its HubSpot contact has another address now).
    await h.deps.links.linkMany(
      TENANT,
      [{ salesforceLead: existing, email: email('elsewhere') }],
      new Date(),
    );
    const id = await createContact(h.hubspot, qualifiedContact(address));

    const result = await reconcileBatch(h.deps, TENANT, [{ system: 'hubspot', id }]);

    expect(result.created.salesforce).toBe(0);
    expect(leadsWithEmail(address)).toEqual([existing]);
    expect(result.failures).toEqual([
      expect.objectContaining({ code: 'LINK_CONFLICT', system: 'salesforce', recordId: existing }),
    ]);
  });

  it('one lookup call for the whole batch of creates', async () => {
    const addresses = [email('batch'), email('batch'), email('batch')];
    const existing = await repCreatesLead({ LastName: 'Lovelace', Email: addresses[0] });
    const ids = await Promise.all(
      addresses.map((address) => createContact(h.hubspot, qualifiedContact(address))),
    );
    h.recorder.reset();

    const result = await reconcileBatch(
      h.deps,
      TENANT,
      ids.map((id) => ({ system: 'hubspot' as const, id })),
    );

    expect(result.failures).toEqual([]);
    expect(result.created.salesforce).toBe(2);
    expect((await h.deps.links.find(TENANT, 'hubspot', ids[0]!))?.salesforceLead).toBe(existing);
    const composite = h.recorder.calls.filter(
      (call) => call.system === 'salesforce' && /^POST \/composite$/.test(call.endpoint),
    );
    expect(composite).toHaveLength(1);
  });
});
