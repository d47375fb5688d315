import { afterEach, describe, expect, it } from 'vitest';
import { ingestChangeEvent, type IngestDeps } from '../../../jobs/ingest-processor.ts';
import { PendingRefs } from '../../../jobs/pending-refs.ts';
import { reconcileBatch } from '../../../jobs/reconcile/reconcile-batch.ts';
import type { ChangeEvent } from '../../../src/domain/change-event.ts';
import { emailHash } from '../../../src/store/tombstone.ts';
import {
  createContact,
  emailSequence,
  qualifiedContact,
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
    source: system === 'hubspot' ? 'webhook' : 'poll',
    dedupKey: `${objectId}@${kind}@${at}`,
  };
}

function ingest(change: ChangeEvent) {
  const deps: IngestDeps = {
    engine: h.deps,
    pending: new PendingRefs(h.redis, { prefix: `${h.prefix}:store` }),
    schedule: async () => {},
  };
  return ingestChangeEvent(deps, change);
}

function setPolicy(policy: 'unlink' | 'propagate') {
  h.deps.config.tenants[0]!.onDelete = policy;
}

async function linkedPair(address: string) {
  const id = await createContact(h.hubspot, qualifiedContact(address));
  await reconcileBatch(h.deps, TENANT, [{ system: 'hubspot', id }]);
  const link = await h.deps.links.find(TENANT, 'hubspot', id);
  if (!link?.salesforceLead) throw new Error('no Salesforce Lead was created');
  return { id, leadId: link.salesforceLead, leadKey: link.leadKey };
}

const lead = (id: string) => h.salesforce.state.store.get('Lead', id);
const contact = (id: string) => h.hubspot.store.contacts.get(id);

async function tombstone(address: string) {
  const raw = await h.redis.hget(h.deps.links.tombstonesKey(TENANT), emailHash(address));
  return raw === null ? null : (JSON.parse(raw) as Record<string, unknown>);
}

describe('onDelete policy: unlink keeps the other record, propagate deletes it', () => {
  useHarness('delete-policy', (started) => (h = started));
  afterEach(() => setPolicy('unlink'));

  it('the config defaults to unlink: a HubSpot deletion leaves the Salesforce Lead alone', async () => {
    expect(h.deps.config.tenants[0]!.onDelete).toBe('unlink');
    const address = email('unlink');
    const { id, leadId } = await linkedPair(address);
    await fetch(`${h.hubspot.url}/__emulator/contacts/${id}`, { method: 'DELETE' });
    await ingest(event('deleted', 'hubspot', id));
    expect(lead(leadId)?.IsDeleted).toBe(false);
    expect(await tombstone(address)).toMatchObject({ reason: 'deleted', system: 'hubspot' });
  });

  it('propagate: a contact deleted in HubSpot deletes its Salesforce Lead; ledger and explain say so', async () => {
    setPolicy('propagate');
    const address = email('hs-propagate');
    const { id, leadId, leadKey } = await linkedPair(address);
    await fetch(`${h.hubspot.url}/__emulator/contacts/${id}`, { method: 'DELETE' });
    const outcome = await ingest(event('deleted', 'hubspot', id));
    expect(outcome.pending).toBe(false);
    expect(lead(leadId)).toMatchObject({ IsDeleted: true, MasterRecordId: null });
    expect(await tombstone(address)).toMatchObject({
      reason: 'deleted',
      system: 'hubspot',
      propagated: true,
    });
    const link = await h.deps.links.get(TENANT, leadKey);
    expect(link).toMatchObject({ hubspot: null, salesforceLead: null });
    expect(link?.history).toContainEqual(
      expect.objectContaining({ side: 'salesforceLead', id: leadId, change: 'deleted', propagated: true }),
    );
    const trail = (await h.deps.audit.read(TENANT, leadKey)).entries;
    expect(trail).toContainEqual(
      expect.objectContaining({
        type: 'record_deleted',
        system: 'salesforce',
        recordId: leadId,
        after: 'hubspot',
      }),
    );

    // The echo (the poller sees the deleted Lead) deletes nothing more and leaves the tombstone as it was.
    const before = await tombstone(address);
    await ingest(event('deleted', 'salesforce', leadId));
    expect(await tombstone(address)).toEqual(before);
  });

  it('propagate: a Lead deleted in Salesforce archives its HubSpot contact', async () => {
    setPolicy('propagate');
    const address = email('sf-propagate');
    const { id, leadId } = await linkedPair(address);
    await fetch(`${h.salesforce.url}/__emulator/leads/${leadId}/delete`, { method: 'POST' });
    await ingest(event('deleted', 'salesforce', leadId));
    expect(contact(id)?.archived).toBe(true);
    expect(await tombstone(address)).toMatchObject({
      reason: 'deleted',
      system: 'salesforce',
      propagated: true,
    });
    // Nothing re-creates either side afterwards.
    const result = await reconcileBatch(h.deps, TENANT, [
      { system: 'hubspot', id },
      { system: 'salesforce', id: leadId },
    ]);
    expect(result.created).toEqual({ hubspot: 0, salesforce: 0 });
  });

  it('GDPR deletion with propagate: the Lead is deleted too, the person is forgotten, the tombstone holds no personal data', async () => {
    setPolicy('propagate');
    const address = email('gdpr-propagate');
    const { id, leadId, leadKey } = await linkedPair(address);
    await fetch(`${h.hubspot.url}/__emulator/contacts/${id}/gdpr-delete`, { method: 'POST' });
    await ingest(event('privacy_deleted', 'hubspot', id));
    expect(lead(leadId)?.IsDeleted).toBe(true);
    const raw = (await h.redis.hget(h.deps.links.tombstonesKey(TENANT), emailHash(address))) ?? '';
    expect(JSON.parse(raw)).toMatchObject({ reason: 'privacy_deleted', system: 'hubspot', propagated: true });
    expect(raw).not.toContain('@');
    expect(raw).not.toContain(id);
    expect(raw).not.toContain(leadId);
    expect(await h.deps.links.find(TENANT, 'salesforce', leadId)).toBeNull();
    expect(await h.deps.links.find(TENANT, 'email', address)).toBeNull();
    expect((await h.deps.audit.read(TENANT, leadKey)).entries).toEqual([]);
  });

  it('GDPR deletion with unlink: the Lead stays, but nothing re-creates the contact', async () => {
    const address = email('gdpr-unlink');
    const { id, leadId } = await linkedPair(address);
    await fetch(`${h.hubspot.url}/__emulator/contacts/${id}/gdpr-delete`, { method: 'POST' });
    await ingest(event('privacy_deleted', 'hubspot', id));
    expect(lead(leadId)?.IsDeleted).toBe(false);
    expect(await tombstone(address)).toMatchObject({ reason: 'privacy_deleted' });
  });
});

describe('the HubSpot emulator serves batch archive and GDPR delete as HubSpot does', () => {
  useHarness('delete-routes', (started) => (h = started));

  const post = (path: string, body: unknown) =>
    fetch(`${h.hubspot.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer test' },
      body: JSON.stringify(body),
    });

  it('batch archive: 204, unknown ids ignored, more than 100 inputs refused', async () => {
    const id = await createContact(h.hubspot, qualifiedContact(email('archive')));
    const done = await post('/crm/v3/objects/contacts/batch/archive', { inputs: [{ id }, { id: '999999' }] });
    expect(done.status).toBe(204);
    expect(contact(id)?.archived).toBe(true);
    const tooMany = await post('/crm/v3/objects/contacts/batch/archive', {
      inputs: Array.from({ length: 101 }, (_, i) => ({ id: String(i + 1) })),
    });
    expect(tooMany.status).toBe(400);
  });

  it('gdpr-delete: by id 204 and gone; unknown id 404; unknown email 204 (blocklisted)', async () => {
    const id = await createContact(h.hubspot, qualifiedContact(email('purge')));
    expect((await post('/crm/v3/objects/contacts/gdpr-delete', { objectId: id })).status).toBe(204);
    expect(contact(id)).toBeUndefined();
    expect((await post('/crm/v3/objects/contacts/gdpr-delete', { objectId: '424242' })).status).toBe(404);
    const byEmail = await post('/crm/v3/objects/contacts/gdpr-delete', {
      objectId: 'nobody@example.com',
      idProperty: 'email',
    });
    expect(byEmail.status).toBe(204);
    expect((await post('/crm/v3/objects/contacts/gdpr-delete', {})).status).toBe(400);
  });
});
