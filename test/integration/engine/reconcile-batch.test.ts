import { describe, expect, it } from 'vitest';
import { reconcileBatch } from '../../../jobs/reconcile/reconcile-batch.ts';
import { RateLimitedError } from '../../../src/errors/rate-limited-error.ts';
import {
  contactProperties,
  createContact,
  editContact,
  plainContact,
  qualifiedContact,
  repEditsLead,
  salesforceRecord,
  setFaults,
  emailSequence,
  TENANT,
  writeCalls,
  type Harness,
  useHarness,
} from './reconcile-harness.ts';

let h: Harness;
const email = emailSequence();

async function metricValue(name: string, labels: Record<string, string>): Promise<number> {
  const metric = (await h.metrics.registry.getMetricsAsJSON()).find((m) => m.name === name);
  const value = metric?.values.find((v) =>
    Object.entries(labels).every(([key, wanted]) => String(v.labels[key]) === wanted),
  );
  return Number(value?.value ?? 0);
}

describe('reconcileBatch against both emulators and real Redis', () => {
  useHarness('batch', (started) => (h = started));

  it('links a new HubSpot contact below the threshold, scores it in HubSpot only, and a second run writes nothing', async () => {
    const id = await createContact(h.hubspot, plainContact(email('grace')));
    const first = await reconcileBatch(h.deps, TENANT, [{ system: 'hubspot', id }]);
    expect(first).toMatchObject({ leads: 1, unchanged: 0, written: { hubspot: 1, salesforce: 0 } });
    expect(first.created).toEqual({ hubspot: 0, salesforce: 0 });
    expect(first.failures).toEqual([]);
    const link = await h.deps.links.find(TENANT, 'hubspot', id);
    expect(link).toMatchObject({ hubspot: id, salesforceLead: null });
    const properties = await contactProperties(h.hubspot, id);
    expect(properties.leadbridge_score).toBe('0');
    // lifecyclestage already shows the shared stage; LeadBridge's own stage property is filled in.
    expect(properties.leadbridge_stage).toBe('lead');
    expect(writeCalls(h.recorder).filter((c) => c.system === 'salesforce')).toEqual([]);

    h.recorder.reset();
    const second = await reconcileBatch(h.deps, TENANT, [{ system: 'hubspot', id }]);
    expect(second).toMatchObject({ leads: 1, unchanged: 1, written: { hubspot: 0, salesforce: 0 } });
    expect(writeCalls(h.recorder)).toEqual([]);
    const state = await h.deps.state.read(TENANT, link!.leadKey);
    // Nothing written and nothing new to store: the state keeps its version.
    expect(state.version).toBe(1);
    expect(state.state?.base.email).toBe(properties.email);
  });

  it('creates a lead that crosses the MQL threshold and passes the gate in Salesforce with the mapped Status; the echo writes nothing', async () => {
    const id = await createContact(h.hubspot, qualifiedContact(email('ada')));
    const result = await reconcileBatch(h.deps, TENANT, [{ system: 'hubspot', id }]);
    expect(result.failures).toEqual([]);
    expect(result.created).toEqual({ hubspot: 0, salesforce: 1 });
    expect(writeCalls(h.recorder).filter((c) => c.system === 'salesforce')).toHaveLength(1);
    const link = await h.deps.links.find(TENANT, 'hubspot', id);
    expect(link?.salesforceLead).toMatch(/^00Q/);
    const lead = await salesforceRecord(h.salesforce, 'Lead', link!.salesforceLead!);
    expect(lead).toMatchObject({
      Status: 'Open - Not Contacted',
      LeadBridge_Stage__c: 'mql',
      LeadBridge_Score__c: 60,
      LastName: 'Lovelace',
      Company: 'Analytical Engines',
    });
    expect(lead.LeadBridge_SLA_Due__c).toBeTruthy();
    const contact = await contactProperties(h.hubspot, id);
    expect(contact.lifecyclestage).toBe('marketingqualifiedlead');
    expect(contact.leadbridge_score).toBe('60');

    const trail = await h.deps.audit.read(TENANT, link!.leadKey);
    const decision = trail.entries.find((entry) => entry.type === 'decision' && entry.to === 'mql');
    expect(decision).toMatchObject({ by: 'leadbridge', from: 'lead', score: { score: 60 } });
    expect(decision?.type === 'decision' && decision.score?.fired.map((rule) => rule.id).sort()).toEqual([
      'has-phone',
      'vp-title',
    ]);
    expect(trail.entries).toContainEqual(
      expect.objectContaining({ type: 'patch_written', system: 'salesforce', created: true }),
    );
    expect(trail.entries).toContainEqual(
      expect.objectContaining({ type: 'change_seen', system: 'hubspot', objectId: id }),
    );

    // Both records now echo our own write (a webhook and an outbound message would name them): no patch.
    h.recorder.reset();
    const again = await reconcileBatch(h.deps, TENANT, [
      { system: 'hubspot', id },
      { system: 'salesforce', id: link!.salesforceLead! },
    ]);
    expect(again).toMatchObject({ leads: 1, unchanged: 1, failures: [] });
    expect(writeCalls(h.recorder)).toEqual([]);
  });

  it("puts a rep's rejection and its reason from Salesforce on the HubSpot contact", async () => {
    const id = await createContact(h.hubspot, qualifiedContact(email('rejected')));
    await reconcileBatch(h.deps, TENANT, [{ system: 'hubspot', id }]);
    const link = await h.deps.links.find(TENANT, 'hubspot', id);
    const leadId = link!.salesforceLead!;
    await repEditsLead(h.salesforce, leadId, {
      Status: 'Closed - Not Converted',
      Rejection_Reason__c: 'No budget this year',
    });

    h.recorder.reset();
    const result = await reconcileBatch(h.deps, TENANT, [{ system: 'salesforce', id: leadId }]);
    expect(result.failures).toEqual([]);
    expect(result.written.hubspot).toBe(1);
    const contact = await contactProperties(h.hubspot, id);
    expect(contact.leadbridge_rejection_reason).toBe('No budget this year');
    expect(contact.leadbridge_stage).toBe('rejected');
    expect(contact.hs_lead_status).toBe('UNQUALIFIED');
    expect(contact.leadbridge_rejected_at).toBeTruthy();
    const trail = await h.deps.audit.read(TENANT, link!.leadKey);
    expect(trail.entries).toContainEqual(
      expect.objectContaining({ type: 'decision', from: 'mql', to: 'rejected', by: 'salesforce' }),
    );
    const state = await h.deps.state.read(TENANT, link!.leadKey);
    expect(state.state?.lastDecision).toMatchObject({ stage: 'rejected', by: 'salesforce' });

    h.recorder.reset();
    const again = await reconcileBatch(h.deps, TENANT, [
      { system: 'salesforce', id: leadId },
      { system: 'hubspot', id },
    ]);
    expect(again.unchanged).toBe(1);
    expect(writeCalls(h.recorder)).toEqual([]);
  });

  it('keeps a qualified lead that fails the handoff gate out of Salesforce, with the reason in the audit trail once', async () => {
    const { company: _company, ...noCompany } = qualifiedContact(email('nocompany'));
    const id = await createContact(h.hubspot, noCompany);
    const result = await reconcileBatch(h.deps, TENANT, [{ system: 'hubspot', id }]);
    expect(result.created.salesforce).toBe(0);
    expect(writeCalls(h.recorder).filter((c) => c.system === 'salesforce')).toEqual([]);
    const link = await h.deps.links.find(TENANT, 'hubspot', id);
    expect(link?.salesforceLead).toBeNull();
    const contact = await contactProperties(h.hubspot, id);
    expect(contact.leadbridge_score).toBe('60');
    expect(contact.lifecyclestage).toBe('lead');

    const blocked = (await h.deps.audit.read(TENANT, link!.leadKey)).entries.filter(
      (entry) => entry.type === 'decision' && entry.rule === 'handoff_blocked',
    );
    expect(blocked).toHaveLength(1);
    expect(blocked[0]).toMatchObject({ by: 'leadbridge', explanation: expect.stringContaining('company') });

    await reconcileBatch(h.deps, TENANT, [{ system: 'hubspot', id }]);
    const after = (await h.deps.audit.read(TENANT, link!.leadKey)).entries.filter(
      (entry) => entry.type === 'decision' && entry.rule === 'handoff_blocked',
    );
    expect(after).toHaveLength(1);

    // Marketing fills in the company: the next pass hands the lead off.
    await editContact(h.hubspot, id, { company: 'Difference Engines' });
    const handed = await reconcileBatch(h.deps, TENANT, [{ system: 'hubspot', id }]);
    expect(handed.created.salesforce).toBe(1);
  });

  it('records a per-record write error (audit, failures, metric) and still writes the rest of the batch', async () => {
    const good = await createContact(h.hubspot, qualifiedContact(email('good')));
    const bad = await createContact(h.hubspot, {
      ...qualifiedContact(email('toolong')),
      jobtitle: `VP ${'of very many things '.repeat(10)}`,
    });
    const result = await reconcileBatch(h.deps, TENANT, [
      { system: 'hubspot', id: good },
      { system: 'hubspot', id: bad },
    ]);
    expect(result.created.salesforce).toBe(1);
    expect(result.written.hubspot).toBe(2);
    expect(writeCalls(h.recorder).filter((c) => c.system === 'salesforce')).toHaveLength(1);
    const badLink = await h.deps.links.find(TENANT, 'hubspot', bad);
    expect(result.failures).toEqual([
      expect.objectContaining({
        leadKey: badLink!.leadKey,
        system: 'salesforce',
        code: 'STRING_TOO_LONG',
        retryable: false,
      }),
    ]);
    expect(badLink?.salesforceLead).toBeNull();
    const trail = await h.deps.audit.read(TENANT, badLink!.leadKey);
    expect(trail.entries).toContainEqual(
      expect.objectContaining({ type: 'record_error', system: 'salesforce', code: 'STRING_TOO_LONG' }),
    );
    expect(
      await metricValue('leadbridge_record_failures_total', {
        tenant: TENANT,
        system: 'salesforce',
        code: 'STRING_TOO_LONG',
      }),
    ).toBe(1);
    expect(
      await metricValue('leadbridge_patches_written_total', {
        tenant: TENANT,
        system: 'salesforce',
        kind: 'create',
      }),
    ).toBeGreaterThanOrEqual(1);
  });

  it('throws a rate limit for the whole batch and stores nothing; the retry then syncs', async () => {
    const id = await createContact(h.hubspot, plainContact(email('limited')));
    await reconcileBatch(h.deps, TENANT, [{ system: 'hubspot', id }]);
    const link = await h.deps.links.find(TENANT, 'hubspot', id);
    const before = await h.deps.state.read(TENANT, link!.leadKey);
    await editContact(h.hubspot, id, { phone: '+1 555 0100' });

    await setFaults(h.hubspot.url, { rateLimitNext: 1, rateLimitPolicy: 'DAILY' });
    await expect(reconcileBatch(h.deps, TENANT, [{ system: 'hubspot', id }])).rejects.toBeInstanceOf(
      RateLimitedError,
    );
    expect((await h.deps.state.read(TENANT, link!.leadKey)).version).toBe(before.version);

    // The limiter remembers the DAILY block in Redis; clear it as the next day would.
    const limits = await h.redis.keys(`${h.prefix}:conn:ratelimit*`);
    if (limits.length > 0) await h.redis.del(...limits);
    const retried = await reconcileBatch(h.deps, TENANT, [{ system: 'hubspot', id }]);
    expect(retried.failures).toEqual([]);
    expect((await contactProperties(h.hubspot, id)).leadbridge_score).toBe('30');
    expect((await h.deps.state.read(TENANT, link!.leadKey)).version).toBe(before.version + 1);
  });
});
