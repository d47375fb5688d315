import { pushHistory, type LeadLink } from './lead-link.ts';
import { emptyLink, type MergeOutcome } from './link-plans.ts';
import type { LinkView } from './link-view.ts';

export async function loadForSalesforceMerge(
  view: LinkView,
  masterId: string,
  loserIds: string[],
): Promise<void> {
  const ids = [masterId, ...loserIds];
  await view.loadIndex('salesforce', ids);
  const owners = ids.map((id) => view.index('salesforce', id));
  await view.loadLinks(owners);
  const links = owners.map((key) => (key ? view.link(key) : null));
  await Promise.all([
    view.loadIndex(
      'hubspot',
      links.map((link) => link?.hubspot),
    ),
    view.loadIndex(
      'email',
      links.map((link) => link?.email),
    ),
  ]);
}

/**
 * The HubSpot contact of a lead whose Salesforce Lead was merged away follows the person to the master's
 * lead: into its empty HubSpot slot, or, when it has a contact of its own, as a duplicate (it resolves to
 * the master's lead and is never written to). Otherwise the orphaned contact would make LeadBridge
 * re-create a Lead for it, undoing the merge.
 */
function followSalesforceMerge(
  view: LinkView,
  loser: LeadLink,
  winner: LeadLink,
  masterId: string,
  at: string,
): void {
  const contact = loser.hubspot;
  if (contact !== null) {
    if (winner.hubspot === null) {
      winner.hubspot = contact;
      pushHistory(winner, { at, side: 'hubspot', id: contact, change: 'merged', into: masterId });
    } else {
      pushHistory(winner, { at, side: 'hubspot', id: contact, change: 'duplicate', into: winner.hubspot });
    }
    view.setIndex('hubspot', contact, winner.leadKey);
    loser.hubspot = null;
  }
  if (loser.email !== null && view.index('email', loser.email) === loser.leadKey) {
    view.setIndex('email', loser.email, winner.leadKey);
  }
}

/**
 * Salesforce merged the Leads `loserIds` into `masterId` (the losers are deleted with `MasterRecordId`):
 * the master's lead (or, when the master was never linked, the first linked loser's lead) takes every
 * loser id, which keeps resolving to it, and links the master as its Lead. Applying it twice changes
 * nothing. https://developer.salesforce.com/docs/atlas.en-us.api.meta/api/sforce_api_calls_merge.htm
 */
export function planSalesforceMerge(
  view: LinkView,
  masterId: string,
  loserIds: string[],
  now: Date,
): MergeOutcome {
  const at = now.toISOString();
  const leadKey =
    [masterId, ...loserIds].map((id) => view.index('salesforce', id)).find((key) => key) ?? null;
  if (leadKey === null) return { leadKey: null, absorbed: [] };
  const winner = view.link(leadKey) ?? emptyLink(leadKey, at);
  const absorbed: MergeOutcome['absorbed'] = [];
  let changed = false;
  for (const loserId of loserIds.filter((id) => id !== masterId)) {
    const owner = view.index('salesforce', loserId);
    if (owner !== null && owner !== leadKey) {
      const loser = view.link(owner);
      if (loser && loser.salesforceLead === loserId) {
        loser.salesforceLead = null;
        followSalesforceMerge(view, loser, winner, masterId, at);
        pushHistory(loser, {
          at,
          side: 'salesforceLead',
          id: loserId,
          change: 'absorbed',
          into: masterId,
          intoLead: leadKey,
        });
        loser.updatedAt = at;
        view.put(loser);
      }
      absorbed.push({ leadKey: owner, id: loserId });
    }
    if (owner !== leadKey || winner.salesforceLead === loserId) {
      pushHistory(winner, { at, side: 'salesforceLead', id: loserId, change: 'merged', into: masterId });
      if (winner.salesforceLead === loserId) winner.salesforceLead = null;
      view.setIndex('salesforce', loserId, leadKey);
      changed = true;
    }
  }
  if (winner.salesforceContact === null && winner.salesforceLead !== masterId) {
    // The master held no slot (a duplicate, or unknown) or the slot was a loser's: the master takes it.
    if (winner.salesforceLead === null) {
      winner.salesforceLead = masterId;
      changed = true;
    }
  }
  if (view.index('salesforce', masterId) !== leadKey) {
    view.setIndex('salesforce', masterId, leadKey);
    changed = true;
  }
  if (changed) {
    winner.updatedAt = at;
    view.put(winner);
  }
  return { leadKey, absorbed };
}
