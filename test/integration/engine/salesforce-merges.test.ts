import { describe, expect, it } from 'vitest';
import { ingestChangeEvent, type IngestDeps } from '../../../jobs/ingest-processor.ts';
import { maintainLinks } from '../../../jobs/link-maintenance.ts';
import { PendingRefs } from '../../../jobs/pending-refs.ts';
import { pollPass } from '../../../jobs/poll-pass.ts';
import { reconcileBatch } from '../../../jobs/reconcile/reconcile-batch.ts';
import type { ChangeEvent } from '../../../src/domain/change-event.ts';
import {
  createContact,
  editContact,
  emailSequence,
  repCreatesLead as createLeadAsRep,
  qualifiedContact,
  repEditsLead,
  TENANT,
  type Harness,
  useHarness,
} from './reconcile-harness.ts';

let h: Harness;
const email = emailSequence();

const repCreatesLead = (fields: Record<string, unknown>) => createLeadAsRep(h.salesforce, fields);

async function repMergesLeads(masterId: string, mergedIds: string[]): Promise<Response> {
  return fetch(`${h.salesforce.url}/__emulator/leads/merge`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ masterId, mergedIds }),
  });
}

/** SystemModstamp has whole seconds: a change in the second already polled would look seen. */
function nextSecond(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 1_050));
}

/** A Salesforce poll pass whose events go through link maintenance, as the ingest queue does. */
async function pollSalesforce(): Promise<ChangeEvent[]> {
  const seen: ChangeEvent[] = [];
  await pollPass(
    {
      engine: h.deps,
      sink: async (events) => {
        seen.push(...events);
        for (const event of events) await maintainLinks(h.deps, event, new Date());
      },
    },
    TENANT,
    'salesforce',
  );
  return seen;
}

describe('a Salesforce Lead merge re-points the link to the master', () => {
  useHarness('sf-merges', (started) => (h = started));

  it('the emulator merges like Salesforce: losers deleted with MasterRecordId, refused for converted or deleted Leads', async () => {
    const master = await repCreatesLead({ LastName: 'Master', Email: email('m') });
    const loser = await repCreatesLead({ LastName: 'Loser', Email: email('l') });
    const merged = await repMergesLeads(master, [loser]);
    expect(merged.status).toBe(200);
    const row = h.salesforce.state.store.get('Lead', loser);
    expect(row).toMatchObject({ IsDeleted: true, MasterRecordId: master });
    expect(h.salesforce.state.store.get('Lead', master)).toMatchObject({
      IsDeleted: false,
      MasterRecordId: null,
    });
    const again = await repMergesLeads(master, [loser]);
    expect(again.status).toBe(400);
    expect(await again.text()).toContain('entity is deleted');
    const three = await repMergesLeads(master, [
      await repCreatesLead({ LastName: 'A' }),
      await repCreatesLead({ LastName: 'B' }),
      await repCreatesLead({ LastName: 'C' }),
    ]);
    expect(three.status).toBe(400);
  });

  it('merging two linked people: the loser id and its HubSpot contact resolve to the master’s lead; nothing is re-created', async () => {
    const [a, b] = [email('master'), email('merged')];
    const master = await repCreatesLead({ LastName: 'Master', Email: a });
    const loser = await repCreatesLead({ LastName: 'Merged', Email: b });
    await reconcileBatch(h.deps, TENANT, [
      { system: 'salesforce', id: master },
      { system: 'salesforce', id: loser },
    ]);
    const masterLink = await h.deps.links.find(TENANT, 'salesforce', master);
    const loserContact = (await h.deps.links.find(TENANT, 'salesforce', loser))?.hubspot;
    if (!masterLink?.hubspot || !loserContact) throw new Error('both Leads should have a HubSpot contact');
    await pollSalesforce();
    await nextSecond();

    expect((await repMergesLeads(master, [loser])).status).toBe(200);
    const events = await pollSalesforce();
    expect(events).toContainEqual(
      expect.objectContaining({ objectId: master, kind: 'merged', mergedIds: [loser] }),
    );
    expect(events.filter((event) => event.kind === 'deleted')).toEqual([]);
    const after = await h.deps.links.find(TENANT, 'salesforce', loser);
    expect(after?.leadKey).toBe(masterLink.leadKey);
    expect(after?.salesforceLead).toBe(master);
    expect((await h.deps.links.find(TENANT, 'hubspot', loserContact))?.leadKey).toBe(masterLink.leadKey);
    // No tombstone: the person was merged, not deleted.
    expect((await h.deps.links.tombstonesFor(TENANT, [a, b])).size).toBe(0);

    // People keep working both records: no Lead is re-created for the merged-away contact.
    await editContact(h.hubspot, loserContact, { jobtitle: 'Head of Ops' });
    await repEditsLead(h.salesforce, master, { Status: 'Working - Contacted' });
    const result = await reconcileBatch(h.deps, TENANT, [
      { system: 'hubspot', id: loserContact },
      { system: 'salesforce', id: master },
    ]);
    expect(result.failures).toEqual([]);
    expect(result.created).toEqual({ hubspot: 0, salesforce: 0 });
    const leads = h.salesforce.state.store.rows('Lead').filter((row) => !row.IsDeleted && row.Email === b);
    expect(leads).toEqual([]);
  });

  it('merging a duplicate into the linked Lead’s place: the master becomes the linked Lead', async () => {
    const address = email('dupmerge');
    const contact = await createContact(h.hubspot, qualifiedContact(address));
    await reconcileBatch(h.deps, TENANT, [{ system: 'hubspot', id: contact }]);
    const linked = (await h.deps.links.find(TENANT, 'hubspot', contact))?.salesforceLead;
    if (!linked) throw new Error('the contact should have a Lead');
    const duplicate = await repCreatesLead({ LastName: 'Second', Email: address });
    await reconcileBatch(h.deps, TENANT, [{ system: 'salesforce', id: duplicate }]);
    await pollSalesforce();
    await nextSecond();

    // The rep keeps the duplicate and merges the linked Lead into it.
    expect((await repMergesLeads(duplicate, [linked])).status).toBe(200);
    await pollSalesforce();
    const link = await h.deps.links.find(TENANT, 'hubspot', contact);
    expect(link?.salesforceLead).toBe(duplicate);
    await repEditsLead(h.salesforce, duplicate, { Status: 'Working - Contacted' });
    const result = await reconcileBatch(h.deps, TENANT, [{ system: 'salesforce', id: duplicate }]);
    expect(result.failures).toEqual([]);
    expect(result.created).toEqual({ hubspot: 0, salesforce: 0 });
    const live = h.salesforce.state.store
      .rows('Lead')
      .filter((row) => !row.IsDeleted && row.Email === address);
    expect(live.map((row) => row.Id)).toEqual([duplicate]);
    expect((await h.deps.links.find(TENANT, 'salesforce', duplicate))?.leadKey).toBe(link?.leadKey);
  });

  it('an outbound-message hint naming a merged-away Lead is handled as the merge, not as a deletion', async () => {
    const [a, b] = [email('hint-master'), email('hint-loser')];
    const master = await repCreatesLead({ LastName: 'Master', Email: a });
    const loser = await repCreatesLead({ LastName: 'Merged', Email: b });
    await reconcileBatch(h.deps, TENANT, [
      { system: 'salesforce', id: master },
      { system: 'salesforce', id: loser },
    ]);
    const masterLink = await h.deps.links.find(TENANT, 'salesforce', master);
    expect((await repMergesLeads(master, [loser])).status).toBe(200);
    const deps: IngestDeps = {
      engine: h.deps,
      pending: new PendingRefs(h.redis, { prefix: `${h.prefix}:store` }),
      schedule: async () => {},
    };
    await ingestChangeEvent(deps, {
      tenant: TENANT,
      system: 'salesforce',
      objectId: loser,
      occurredAt: new Date().toISOString(),
      kind: 'updated',
      source: 'outbound_message',
      dedupKey: `om-${loser}`,
    });
    const after = await h.deps.links.find(TENANT, 'salesforce', loser);
    expect(after?.leadKey).toBe(masterLink?.leadKey);
    expect((await h.deps.links.tombstonesFor(TENANT, [a, b])).size).toBe(0);
  });
});
