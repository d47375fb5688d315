import { describe, expect, it, vi } from 'vitest';
import { reconcileBatch } from '../../../jobs/reconcile/reconcile-batch.ts';
import {
  createContact,
  emailSequence,
  qualifiedContact,
  setFaults,
  TENANT,
  type Harness,
  useHarness,
} from './reconcile-harness.ts';

let h: Harness;
const email = emailSequence();

const leadsWithEmail = (address: string) =>
  h.salesforce.state.store.rows('Lead').filter((row) => row.Email === address && !row.IsDeleted);

describe('idempotent creates: a job re-run after a crash leaves the same final state', () => {
  useHarness('idempotent', (started) => (h = started));

  it('a crash after the Salesforce create is sent and before its id is linked makes no second Lead', async () => {
    const address = email('crash');
    const id = await createContact(h.hubspot, qualifiedContact(address));
    // The create reaches Salesforce; the process dies before the new Lead id is stored.
    const linkMany = h.deps.links.linkMany.bind(h.deps.links);
    const spy = vi.spyOn(h.deps.links, 'linkMany').mockImplementation(async (tenant, inputs, now) => {
      if (inputs.some((input) => input.salesforceLead)) throw new Error('killed before the link was stored');
      return linkMany(tenant, inputs, now);
    });
    await expect(reconcileBatch(h.deps, TENANT, [{ system: 'hubspot', id }])).rejects.toThrow(/killed/);
    spy.mockRestore();
    expect(leadsWithEmail(address)).toHaveLength(1);

    const rerun = await reconcileBatch(h.deps, TENANT, [{ system: 'hubspot', id }]);
    expect(rerun.failures).toEqual([]);
    expect(leadsWithEmail(address)).toHaveLength(1);
    const link = await h.deps.links.find(TENANT, 'hubspot', id);
    expect(link?.salesforceLead).toBe(leadsWithEmail(address)[0]?.Id);
    expect(leadsWithEmail(address)[0]?.LeadBridge_Key__c).toBe(link?.leadKey);
  });

  it('a write of 250 creates whose second chunk fails keeps and links the first chunk, and the retry duplicates nothing', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 250; i++) ids.push(await createContact(h.hubspot, qualifiedContact(email('bulk'))));
    // The first upsert call (200 Leads) goes through; the second fails on every retry.
    await setFaults(h.salesforce.url, {
      failNext: 10,
      failNextMatching: 'LeadBridge_Key__c',
      failNextAfter: 1,
      errorStatus: 500,
    });
    const refs = ids.map((id) => ({ system: 'hubspot' as const, id }));
    await expect(reconcileBatch(h.deps, TENANT, refs)).rejects.toThrow();
    await setFaults(h.salesforce.url, { failNext: 0, failNextAfter: 0 });
    const linked = await h.deps.links.findMany(TENANT, 'hubspot', ids);
    const withLead = ids.filter((id) => linked.found.get(id)?.salesforceLead);
    expect(withLead).toHaveLength(200);

    const rerun = await reconcileBatch(h.deps, TENANT, refs);
    expect(rerun.failures).toEqual([]);
    const leads = h.salesforce.state.store.rows('Lead').filter((row) => /^bulk-/.test(String(row.Email)));
    expect(leads).toHaveLength(250);
    expect(new Set(leads.map((row) => row.Email)).size).toBe(250);
  }, 60_000);
});
