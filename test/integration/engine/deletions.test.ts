import { describe, expect, it } from 'vitest';
import { maintainLinks } from '../../../jobs/link-maintenance.ts';
import { reconcileBatch } from '../../../jobs/reconcile/reconcile-batch.ts';
import type { ChangeEvent } from '../../../src/domain/change-event.ts';
import { emailHash } from '../../../src/store/tombstone.ts';
import {
  createContact,
  emailSequence,
  qualifiedContact,
  repEditsLead,
  TENANT,
  type Harness,
  useHarness,
} from './reconcile-harness.ts';

let h: Harness;
const email = emailSequence();

function event(kind: ChangeEvent['kind'], system: ChangeEvent['system'], objectId: string): ChangeEvent {
  const at = new Date().toISOString();
  return {
    tenant: TENANT,
    system,
    objectId,
    occurredAt: at,
    kind,
    source: 'webhook',
    dedupKey: `${objectId}@${at}`,
  };
}

const contactsWith = (address: string) =>
  [...h.hubspot.store.contacts.values()].filter(
    (contact) => !contact.archived && contact.properties.email === address.toLowerCase(),
  );

async function linkedPair(address: string) {
  const id = await createContact(h.hubspot, qualifiedContact(address));
  await reconcileBatch(h.deps, TENANT, [{ system: 'hubspot', id }]);
  const link = await h.deps.links.find(TENANT, 'hubspot', id);
  if (!link?.salesforceLead) throw new Error('no Salesforce Lead was created');
  return { id, leadId: link.salesforceLead };
}

describe('deletions are respected: a retired link leaves a tombstone, nothing is re-created', () => {
  useHarness('deletions', (started) => (h = started));

  it('a contact deleted in HubSpot is not re-created when its Salesforce Lead changes', async () => {
    const address = email('deleted');
    const { id, leadId } = await linkedPair(address);
    await fetch(`${h.hubspot.url}/__emulator/contacts/${id}`, { method: 'DELETE' });
    await maintainLinks(h.deps, event('deleted', 'hubspot', id), new Date());
    await repEditsLead(h.salesforce, leadId, { Status: 'Working - Contacted' });
    const result = await reconcileBatch(h.deps, TENANT, [{ system: 'salesforce', id: leadId }]);
    expect(result.created.hubspot).toBe(0);
    expect(contactsWith(address)).toEqual([]);
    const raw = await h.redis.hget(h.deps.links.tombstonesKey(TENANT), emailHash(address));
    expect(JSON.parse(raw ?? 'null')).toMatchObject({ reason: 'deleted', system: 'hubspot' });
  });

  it('a GDPR deletion keeps the person out of HubSpot, and its tombstone holds no personal data', async () => {
    const address = email('gdpr');
    const { id, leadId } = await linkedPair(address);
    await fetch(`${h.hubspot.url}/__emulator/contacts/${id}`, { method: 'DELETE' });
    await maintainLinks(h.deps, event('privacy_deleted', 'hubspot', id), new Date());
    await repEditsLead(h.salesforce, leadId, { Status: 'Working - Contacted' });
    const result = await reconcileBatch(h.deps, TENANT, [{ system: 'salesforce', id: leadId }]);
    expect(result.created.hubspot).toBe(0);
    expect(contactsWith(address)).toEqual([]);
    const raw = (await h.redis.hget(h.deps.links.tombstonesKey(TENANT), emailHash(address))) ?? '';
    expect(JSON.parse(raw)).toMatchObject({ reason: 'privacy_deleted' });
    expect(raw).not.toContain('@');
    expect(raw).not.toContain(id);
    expect(raw).not.toContain(leadId);
  });

  it('a Lead deleted in Salesforce is not re-created from HubSpot', async () => {
    const address = email('sf-deleted');
    const { id, leadId } = await linkedPair(address);
    await fetch(`${h.salesforce.url}/__emulator/leads/${leadId}/delete`, { method: 'POST' });
    await maintainLinks(h.deps, event('deleted', 'salesforce', leadId), new Date());
    const result = await reconcileBatch(h.deps, TENANT, [{ system: 'hubspot', id }]);
    expect(result.created.salesforce).toBe(0);
    const live = h.salesforce.state.store
      .rows('Lead')
      .filter((row) => row.Email === address && !row.IsDeleted);
    expect(live).toEqual([]);
  });
});
