import { describe, expect, it } from 'vitest';
import { reconcileBatch } from '../../../jobs/reconcile/reconcile-batch.ts';
import {
  contactProperties,
  emailSequence,
  repCreatesLead as createLeadAsRep,
  salesforceRecord,
  TENANT,
  type Harness,
  useHarness,
} from './reconcile-harness.ts';

let h: Harness;
const email = emailSequence();

const repCreatesLead = (fields: Record<string, unknown>) => createLeadAsRep(h.salesforce, fields);

describe('one person, one link: several Salesforce Leads sharing an email', () => {
  useHarness('duplicates', (started) => (h = started));

  it('a second Lead for a linked person becomes a duplicate: one lead key, nothing written to or from it', async () => {
    const address = email('dup');
    const first = await repCreatesLead({ LastName: 'Original', Email: address });
    const one = await reconcileBatch(h.deps, TENANT, [{ system: 'salesforce', id: first }]);
    expect(one.failures).toEqual([]);
    const link = await h.deps.links.find(TENANT, 'salesforce', first);
    expect(link?.hubspot).toBeTruthy();
    const before = await salesforceRecord(h.salesforce, 'Lead', first);

    const second = await repCreatesLead({ LastName: 'Impostor', Email: address.toUpperCase() });
    const two = await reconcileBatch(h.deps, TENANT, [{ system: 'salesforce', id: second }]);
    expect(two.failures).toEqual([]);
    expect(two.created).toEqual({ hubspot: 0, salesforce: 0 });
    const again = await h.deps.links.find(TENANT, 'salesforce', second);
    expect(again?.leadKey).toBe(link?.leadKey);
    expect(again?.salesforceLead).toBe(first);
    expect(again?.history).toContainEqual(
      expect.objectContaining({ change: 'duplicate', id: second, into: first }),
    );
    // The HubSpot contact keeps the first Lead's name; the first Lead is untouched; the duplicate too.
    expect((await contactProperties(h.hubspot, link!.hubspot!)).lastname).toBe('Original');
    expect(await salesforceRecord(h.salesforce, 'Lead', first)).toEqual(before);
    const dup = await salesforceRecord(h.salesforce, 'Lead', second);
    expect(dup.LeadBridge_Stage__c ?? null).toBeNull();
    expect(dup.LastModifiedById).not.toBe(h.salesforce.state.store.integrationUserId);
  });

  it('two new Leads in one batch: the most recently modified is linked, the other is its duplicate', async () => {
    const address = email('pair');
    const older = await repCreatesLead({ LastName: 'Older', Email: address });
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    const newer = await repCreatesLead({ LastName: 'Newer', Email: address });
    const result = await reconcileBatch(h.deps, TENANT, [
      { system: 'salesforce', id: older },
      { system: 'salesforce', id: newer },
    ]);
    expect(result.failures).toEqual([]);
    expect(result.leads).toBe(1);
    const link = await h.deps.links.find(TENANT, 'email', address);
    expect(link?.salesforceLead).toBe(newer);
    expect((await h.deps.links.find(TENANT, 'salesforce', older))?.leadKey).toBe(link?.leadKey);
    expect((await contactProperties(h.hubspot, link!.hubspot!)).lastname).toBe('Newer');
    expect((await salesforceRecord(h.salesforce, 'Lead', older)).LastModifiedById).not.toBe(
      h.salesforce.state.store.integrationUserId,
    );
  });

  it('equally recent Leads: the oldest by CreatedDate is linked, not the lowest Id', async () => {
    const address = email('created');
    const lowerId = await repCreatesLead({ LastName: 'CreatedLater', Email: address });
    const higherId = await repCreatesLead({ LastName: 'CreatedFirst', Email: address });
    // Same SystemModstamp, but the Lead with the higher Id was created first (e.g. imported with its
    // original CreatedDate): the rule says oldest, whatever the Id order.
    const rows = [lowerId, higherId].map((id) => h.salesforce.state.store.get('Lead', id)!);
    const stamp = String(rows[0]!.SystemModstamp);
    rows[0]!.CreatedDate = '2026-03-02T10:00:00.000+0000';
    rows[1]!.CreatedDate = '2026-03-01T10:00:00.000+0000';
    for (const row of rows) row.SystemModstamp = row.LastModifiedDate = stamp;
    const result = await reconcileBatch(h.deps, TENANT, [
      { system: 'salesforce', id: lowerId },
      { system: 'salesforce', id: higherId },
    ]);
    expect(result.failures).toEqual([]);
    const link = await h.deps.links.find(TENANT, 'email', address);
    expect(link?.salesforceLead).toBe(higherId);
    expect((await contactProperties(h.hubspot, link!.hubspot!)).lastname).toBe('CreatedFirst');
  });
});
