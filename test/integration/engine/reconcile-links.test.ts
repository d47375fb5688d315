import { describe, expect, it } from 'vitest';
import { reconcileBatch } from '../../../jobs/reconcile/reconcile-batch.ts';
import { SyncState, type StateWrite, type StateWriteResult } from '../../../src/store/sync-state.ts';
import {
  contactProperties,
  createContact,
  editContact,
  salesforceRecord,
  qualifiedContact,
  emailSequence,
  TENANT,
  writeCalls,
  type Harness,
  useHarness,
} from './reconcile-harness.ts';
import { postJson } from '../../helpers/emulators.ts';

let h: Harness;
const email = emailSequence();

/** An emulator control route's answer: a record, or the ids of what it made. */
const post = (url: string, body?: unknown) => postJson(url, body) as Promise<Record<string, unknown>>;

/**
 * Another worker that stores a lead's state just before ours does, `races` times; with `differ`, a state
 * of its own (a phone it synced), so our next pass has something to write again.
 */
class RacingState extends SyncState {
  races = 0;
  differ = false;
  override async writeMany(tenant: string, writes: StateWrite[]): Promise<StateWriteResult[]> {
    if (this.races > 0) {
      this.races--;
      for (const write of writes) {
        const current = await this.read(tenant, write.leadKey);
        const base = this.differ
          ? { ...write.state.base, phone: `+1 555 01${this.races % 100}` }
          : write.state.base;
        await super.writeMany(tenant, [
          { ...write, expectedVersion: current.version, state: { ...write.state, base } },
        ]);
      }
    }
    return super.writeMany(tenant, writes);
  }
}

describe('reconcileBatch: links, conversions and concurrent workers', () => {
  useHarness('links', (started) => (h = started));

  it('links a lead a rep created in Salesforce to a new HubSpot contact (upsert by email)', async () => {
    const address = email('sfonly');
    const { id: leadId } = (await post(`${h.salesforce.url}/__emulator/leads`, {
      fields: {
        LastName: 'Turing',
        FirstName: 'Alan',
        Company: 'Bletchley',
        Email: address,
        Status: 'Working - Contacted',
      },
    })) as { id: string };
    const result = await reconcileBatch(h.deps, TENANT, [{ system: 'salesforce', id: leadId }]);
    expect(result).toMatchObject({ leads: 1, failures: [], created: { hubspot: 1, salesforce: 0 } });
    const link = await h.deps.links.find(TENANT, 'salesforce', leadId);
    expect(link?.hubspot).toMatch(/^\d+$/);
    const contact = await contactProperties(h.hubspot, link!.hubspot!);
    expect(contact).toMatchObject({
      email: address,
      lastname: 'Turing',
      lifecyclestage: 'salesqualifiedlead',
    });

    h.recorder.reset();
    const again = await reconcileBatch(h.deps, TENANT, [
      { system: 'salesforce', id: leadId },
      { system: 'hubspot', id: link!.hubspot! },
    ]);
    expect(again.unchanged).toBe(1);
    expect(writeCalls(h.recorder)).toEqual([]);
  });

  it('finds the existing lead by email for a record seen first from the other side', async () => {
    const address = email('both');
    const contactId = await createContact(h.hubspot, {
      email: address,
      firstname: 'Kay',
      lastname: 'Nyberg',
      company: 'X',
      lifecyclestage: 'lead',
    });
    await reconcileBatch(h.deps, TENANT, [{ system: 'hubspot', id: contactId }]);
    const { id: leadId } = (await post(`${h.salesforce.url}/__emulator/leads`, {
      fields: { LastName: 'Nyberg', Company: 'X', Email: address.toUpperCase() },
    })) as { id: string };
    const result = await reconcileBatch(h.deps, TENANT, [{ system: 'salesforce', id: leadId }]);
    expect(result.failures).toEqual([]);
    const byHubSpot = await h.deps.links.find(TENANT, 'hubspot', contactId);
    expect(byHubSpot?.salesforceLead).toBe(leadId);
    expect(result.created).toEqual({ hubspot: 0, salesforce: 0 });
  });

  it('follows a Salesforce conversion: the link gains the Contact, HubSpot gets the opportunity stage', async () => {
    const id = await createContact(h.hubspot, qualifiedContact(email('convert')));
    await reconcileBatch(h.deps, TENANT, [{ system: 'hubspot', id }]);
    const leadId = (await h.deps.links.find(TENANT, 'hubspot', id))!.salesforceLead!;
    const converted = await post(`${h.salesforce.url}/__emulator/leads/${leadId}/convert`, {});
    expect(String(converted.contactId)).toMatch(/^003/);

    const result = await reconcileBatch(h.deps, TENANT, [{ system: 'salesforce', id: leadId }]);
    expect(result.failures).toEqual([]);
    const link = await h.deps.links.find(TENANT, 'hubspot', id);
    expect(link?.salesforceContact).toBe(converted.contactId);
    const contact = await contactProperties(h.hubspot, id);
    expect(contact.lifecyclestage).toBe('opportunity');
    expect(contact.leadbridge_stage).toBe('opportunity');
    const trail = await h.deps.audit.read(TENANT, link!.leadKey);
    expect(trail.entries).toContainEqual(
      expect.objectContaining({ type: 'decision', from: 'mql', to: 'opportunity', by: 'salesforce' }),
    );
    h.recorder.reset();
    const echo = await reconcileBatch(h.deps, TENANT, [
      { system: 'salesforce', id: String(converted.contactId) },
      { system: 'hubspot', id },
    ]);
    expect(echo).toMatchObject({ leads: 1, unchanged: 1, failures: [] });
    expect(writeCalls(h.recorder)).toEqual([]);

    // Later Salesforce writes go to the Contact (a converted Lead cannot be edited).
    await editContact(h.hubspot, id, { phone: '+1 555 0199' });
    const edited = await reconcileBatch(h.deps, TENANT, [{ system: 'hubspot', id }]);
    expect(edited).toMatchObject({ failures: [], written: { salesforce: 1 } });
    const contactRow = await salesforceRecord(h.salesforce, 'Contact', String(converted.contactId));
    expect(contactRow.Phone).toBe('+1 555 0199');
  });

  it('re-reads and reconciles again a lead whose state another worker stored meanwhile', async () => {
    const racing = new RacingState(h.redis, { prefix: `${h.prefix}:store` });
    const deps = { ...h.deps, state: racing };
    const id = await createContact(h.hubspot, qualifiedContact(email('race')));
    racing.races = 1;
    const result = await reconcileBatch(deps, TENANT, [{ system: 'hubspot', id }]);
    expect(result.failures).toEqual([]);
    expect(result.created.salesforce).toBe(1);
    const link = await h.deps.links.find(TENANT, 'hubspot', id);
    // The other worker's write; our second pass found nothing left to write and stored nothing either.
    expect((await h.deps.state.read(TENANT, link!.leadKey)).version).toBe(1);
    expect(writeCalls(h.recorder)).toHaveLength(2);

    racing.races = Number.POSITIVE_INFINITY;
    racing.differ = true;
    const { phone: _phone, ...other } = qualifiedContact(email('always-raced'));
    const raced = await createContact(h.hubspot, other);
    const lost = await reconcileBatch(deps, TENANT, [{ system: 'hubspot', id: raced }]);
    const racedLink = await h.deps.links.find(TENANT, 'hubspot', raced);
    expect(lost.failures).toEqual([
      // The ref names one record of the lead, system and id alike, so `retry` can queue it again.
      expect.objectContaining({
        leadKey: racedLink!.leadKey,
        system: 'hubspot',
        recordId: raced,
        code: 'STATE_CONFLICT',
        retryable: true,
      }),
    ]);
    const trail = await h.deps.audit.read(TENANT, racedLink!.leadKey);
    expect(trail.entries).toContainEqual(
      expect.objectContaining({ type: 'record_error', code: 'STATE_CONFLICT' }),
    );
  });

  it('stores no new state version for a pass that found nothing to write', async () => {
    const id = await createContact(h.hubspot, qualifiedContact(email('settled')));
    await reconcileBatch(h.deps, TENANT, [{ system: 'hubspot', id }]);
    const link = await h.deps.links.find(TENANT, 'hubspot', id);
    const settled = await h.deps.state.read(TENANT, link!.leadKey);
    h.recorder.reset();
    const again = await reconcileBatch(h.deps, TENANT, [{ system: 'hubspot', id }]);
    expect(again).toMatchObject({ leads: 1, unchanged: 1, failures: [] });
    expect(writeCalls(h.recorder)).toEqual([]);
    // A version bump would make every other worker's pass over this lead lose its compare-and-set.
    expect(await h.deps.state.read(TENANT, link!.leadKey)).toEqual(settled);
  });
});
