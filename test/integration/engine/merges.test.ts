import { describe, expect, it } from 'vitest';
import { maintainLinks } from '../../../jobs/link-maintenance.ts';
import { pollPass } from '../../../jobs/poll-pass.ts';
import type { ChangeEvent } from '../../../src/domain/change-event.ts';
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

let h: Harness;
const email = emailSequence();

describe('a HubSpot merge re-points the link of the merged-away person', () => {
  useHarness('merges', (started) => (h = started));

  it('the merged-away contact’s Salesforce Lead follows the winner: no contact is re-created for its email', async () => {
    const [a, b] = [email('winner'), email('loser')];
    const winner = await createContact(h.hubspot, qualifiedContact(a));
    const loser = await createContact(h.hubspot, qualifiedContact(b));
    await reconcileBatch(h.deps, TENANT, [
      { system: 'hubspot', id: winner },
      { system: 'hubspot', id: loser },
    ]);
    const loserLead = (await h.deps.links.find(TENANT, 'hubspot', loser))?.salesforceLead;
    const winnerLink = await h.deps.links.find(TENANT, 'hubspot', winner);
    if (!loserLead || !winnerLink?.salesforceLead) throw new Error('both should have a Salesforce Lead');

    const merged = await fetch(`${h.hubspot.url}/__emulator/contacts/merge`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ primaryId: winner, mergedId: loser }),
    });
    expect(merged.ok).toBe(true);
    const at = new Date().toISOString();
    await maintainLinks(
      h.deps,
      {
        tenant: TENANT,
        system: 'hubspot',
        objectId: winner,
        mergedIds: [loser],
        occurredAt: at,
        kind: 'merged',
        source: 'webhook',
        dedupKey: `merge-${winner}-${at}`,
      },
      new Date(),
    );

    // A rep works the merged-away person's Lead.
    await repEditsLead(h.salesforce, loserLead, { Status: 'Working - Contacted' });
    const result = await reconcileBatch(h.deps, TENANT, [{ system: 'salesforce', id: loserLead }]);
    expect(result.created.hubspot).toBe(0);
    const live = [...h.hubspot.store.contacts.values()].filter(
      (contact) => !contact.archived && contact.properties.email === b,
    );
    expect(live).toEqual([]);
    const now = await h.deps.links.find(TENANT, 'salesforce', loserLead);
    expect(now?.leadKey).toBe(winnerLink.leadKey);
    expect(now?.history).toContainEqual(expect.objectContaining({ change: 'duplicate', id: loserLead }));
  });

  it('a merge seen only by polling (hs_merged_object_ids, webhook missed) re-points the link too', async () => {
    const [a, b] = [email('polled-winner'), email('polled-loser')];
    const winner = await createContact(h.hubspot, qualifiedContact(a));
    const loser = await createContact(h.hubspot, qualifiedContact(b));
    await reconcileBatch(h.deps, TENANT, [
      { system: 'hubspot', id: winner },
      { system: 'hubspot', id: loser },
    ]);
    const loserLead = (await h.deps.links.find(TENANT, 'hubspot', loser))?.salesforceLead;
    const winnerLink = await h.deps.links.find(TENANT, 'hubspot', winner);
    if (!loserLead || !winnerLink?.salesforceLead) throw new Error('both should have a Salesforce Lead');
    const merged = await fetch(`${h.hubspot.url}/__emulator/contacts/merge`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ primaryId: winner, mergedId: loser }),
    });
    expect(merged.ok).toBe(true);

    // No webhook: a poll pass of HubSpot is the only way LeadBridge hears of the merge.
    const ingested: ChangeEvent[] = [];
    await pollPass(
      {
        engine: h.deps,
        sink: async (events) => {
          ingested.push(...events);
          for (const event of events) await maintainLinks(h.deps, event, new Date());
        },
      },
      TENANT,
      'hubspot',
    );
    expect(ingested).toContainEqual(
      expect.objectContaining({ objectId: winner, kind: 'merged', mergedIds: [loser] }),
    );
    expect((await h.deps.links.find(TENANT, 'hubspot', loser))?.leadKey).toBe(winnerLink.leadKey);

    await repEditsLead(h.salesforce, loserLead, { Status: 'Working - Contacted' });
    const result = await reconcileBatch(h.deps, TENANT, [{ system: 'salesforce', id: loserLead }]);
    expect(result.created.hubspot).toBe(0);
    const live = [...h.hubspot.store.contacts.values()].filter(
      (contact) => !contact.archived && contact.properties.email === b,
    );
    expect(live).toEqual([]);
  });
});
