import { newLeadKey } from './lead-key.ts';
import { normalizeEmail, pushHistory, type LeadLink, type LinkSide } from './lead-link.ts';
import type { LinkView } from './link-view.ts';

/** Records to link as one lead; each given id joins the lead, an absent one leaves that slot as it is. */
export interface LinkInput {
  /** Extend this lead; without it the ids' own lead is used, or a new one is created. */
  leadKey?: string;
  hubspot?: string;
  salesforceLead?: string;
  salesforceContact?: string;
  /** The lead's email (`null` clears it); indexed for lookups unless another lead has the address. */
  email?: string | null;
  /**
   * Salesforce records sharing the lead's email that lost the duplicate choice: they resolve to this
   * lead (so their changes reconcile it) but hold no slot, so nothing is ever written to them.
   */
  salesforceDuplicates?: string[];
}

export type LinkOutcome =
  | { ok: true; link: LeadLink; created: boolean }
  | {
      ok: false;
      reason: 'ids_of_different_leads' | 'slot_taken' | 'not_linked';
      /** One sentence for logs and explain. */
      detail: string;
      leadKeys: string[];
    };

const SIDES = ['hubspot', 'salesforceLead', 'salesforceContact'] as const satisfies readonly LinkSide[];

function indexOf(side: LinkSide): 'hubspot' | 'salesforce' {
  return side === 'hubspot' ? 'hubspot' : 'salesforce';
}

export function emptyLink(leadKey: string, at: string): LeadLink {
  const link = { leadKey, hubspot: null, salesforceLead: null, salesforceContact: null, email: null };
  return { ...link, history: [], createdAt: at, updatedAt: at };
}

/** Moves the email index from the link's old address to `email`, never taking an address from another lead. */
function setEmail(view: LinkView, link: LeadLink, email: string | null): void {
  const next = email === null ? null : normalizeEmail(email);
  if (next === link.email) {
    if (next !== null && view.index('email', next) === null) view.setIndex('email', next, link.leadKey);
    return;
  }
  if (link.email !== null && view.index('email', link.email) === link.leadKey) {
    view.setIndex('email', link.email, null);
  }
  if (next !== null && view.index('email', next) === null) view.setIndex('email', next, link.leadKey);
  link.email = next;
}

export async function loadForLinks(view: LinkView, inputs: LinkInput[]): Promise<void> {
  await Promise.all([
    view.loadIndex(
      'hubspot',
      inputs.map((input) => input.hubspot),
    ),
    view.loadIndex(
      'salesforce',
      inputs.flatMap((input) => [
        input.salesforceLead,
        input.salesforceContact,
        ...(input.salesforceDuplicates ?? []),
      ]),
    ),
  ]);
  const owners = inputs.flatMap((input) => [
    input.leadKey,
    input.hubspot === undefined ? null : view.index('hubspot', input.hubspot),
    input.salesforceLead === undefined ? null : view.index('salesforce', input.salesforceLead),
    input.salesforceContact === undefined ? null : view.index('salesforce', input.salesforceContact),
  ]);
  await view.loadLinks(owners);
  const emails = [
    ...inputs.map((input) => (typeof input.email === 'string' ? normalizeEmail(input.email) : null)),
    ...owners.map((key) => (key ? view.link(key)?.email : null)),
  ];
  await view.loadIndex('email', emails);
}

/** Plans one link in a loaded view (see `loadForLinks`); later inputs see the earlier ones' writes. */
export function planLink(view: LinkView, input: LinkInput, now: Date): LinkOutcome {
  const at = now.toISOString();
  const owners = new Set<string>();
  if (input.leadKey) owners.add(input.leadKey);
  for (const side of SIDES) {
    const id = input[side];
    const owner = id === undefined ? null : view.index(indexOf(side), id);
    if (owner) owners.add(owner);
  }
  if (owners.size > 1) {
    const leadKeys = [...owners];
    const detail = `the ids given belong to different leads (${leadKeys.join(', ')})`;
    return { ok: false, reason: 'ids_of_different_leads', detail, leadKeys };
  }
  const owner = [...owners][0];
  const leadKey = owner ?? newLeadKey(now);
  // A fresh key is random, so there is nothing stored under it to read.
  const existing = owner === undefined ? null : view.link(leadKey);
  const link = existing ?? emptyLink(leadKey, at);
  for (const side of SIDES) {
    const id = input[side];
    if (id !== undefined && link[side] !== null && link[side] !== id) {
      const detail = `lead ${leadKey} already has ${side} ${link[side]}, not ${id}`;
      return { ok: false, reason: 'slot_taken', detail, leadKeys: [leadKey] };
    }
  }
  for (const side of SIDES) {
    const id = input[side];
    if (id === undefined || link[side] === id) continue;
    link[side] = id;
    view.setIndex(indexOf(side), id, leadKey);
  }
  if (input.email !== undefined) setEmail(view, link, input.email);
  for (const id of input.salesforceDuplicates ?? []) {
    if (view.index('salesforce', id) !== null) continue;
    view.setIndex('salesforce', id, leadKey);
    const into = link.salesforceContact ?? link.salesforceLead;
    pushHistory(link, { at, side: 'salesforceLead', id, change: 'duplicate', ...(into ? { into } : {}) });
  }
  link.updatedAt = at;
  view.put(link);
  return { ok: true, link, created: existing === null };
}

/** What a HubSpot merge did to the link table. */
export interface MergeOutcome {
  /** The lead the winner (and now every loser id) resolves to; null when none of the ids was linked. */
  leadKey: string | null;
  /**
   * Other leads that lost their HubSpot contact to the merge. They keep their Salesforce records; the
   * engine decides whether one of those belongs with the winner.
   */
  absorbed: Array<{ leadKey: string; id: string }>;
}

export async function loadForMerge(view: LinkView, winnerId: string, loserIds: string[]): Promise<void> {
  const ids = [winnerId, ...loserIds];
  await view.loadIndex('hubspot', ids);
  const owners = ids.map((id) => view.index('hubspot', id));
  await view.loadLinks(owners);
  await view.loadIndex(
    'email',
    owners.map((key) => (key ? view.link(key)?.email : null)),
  );
}

/**
 * The Salesforce records of a lead whose HubSpot contact was merged away follow the person to the
 * winner's lead: into its empty Salesforce slots, or, when it already has a Salesforce record, as
 * duplicates (they resolve to the winner and are never written to). Otherwise the orphaned Lead would
 * make LeadBridge re-create a contact for the merged-away email, undoing the merge.
 */
function followMerge(view: LinkView, loser: LeadLink, winner: LeadLink, winnerId: string, at: string): void {
  const ids = [loser.salesforceLead, loser.salesforceContact].filter((id): id is string => id !== null);
  if (ids.length > 0) {
    if (winner.salesforceLead === null && winner.salesforceContact === null) {
      winner.salesforceLead = loser.salesforceLead;
      winner.salesforceContact = loser.salesforceContact;
      for (const id of ids) {
        pushHistory(winner, { at, side: 'salesforceLead', id, change: 'merged', into: winnerId });
      }
    } else {
      const into = winner.salesforceContact ?? winner.salesforceLead ?? undefined;
      for (const id of ids) {
        pushHistory(winner, {
          at,
          side: 'salesforceLead',
          id,
          change: 'duplicate',
          ...(into ? { into } : {}),
        });
      }
    }
    for (const id of ids) view.setIndex('salesforce', id, winner.leadKey);
    loser.salesforceLead = null;
    loser.salesforceContact = null;
  }
  if (loser.email !== null && view.index('email', loser.email) === loser.leadKey) {
    view.setIndex('email', loser.email, winner.leadKey);
  }
}

/**
 * HubSpot merged `loserIds` into `winnerId`: the winner's lead (or, when the winner was never linked, the
 * first linked loser's lead, whose contact becomes the winner) takes every loser id, which keeps resolving
 * to it. https://developers.hubspot.com/docs/api/webhooks (contact.merge: primaryObjectId, mergedObjectIds)
 */
export function planMerge(view: LinkView, winnerId: string, loserIds: string[], now: Date): MergeOutcome {
  const at = now.toISOString();
  const leadKey = [winnerId, ...loserIds].map((id) => view.index('hubspot', id)).find((key) => key) ?? null;
  if (leadKey === null) return { leadKey: null, absorbed: [] };
  const winner = view.link(leadKey) ?? emptyLink(leadKey, at);
  const absorbed: MergeOutcome['absorbed'] = [];
  for (const loserId of loserIds.filter((id) => id !== winnerId)) {
    const owner = view.index('hubspot', loserId);
    if (owner !== null && owner !== leadKey) {
      const loser = view.link(owner);
      if (loser && loser.hubspot === loserId) {
        loser.hubspot = null;
        followMerge(view, loser, winner, winnerId, at);
        pushHistory(loser, {
          at,
          side: 'hubspot',
          id: loserId,
          change: 'absorbed',
          into: winnerId,
          intoLead: leadKey,
        });
        loser.updatedAt = at;
        view.put(loser);
      }
      absorbed.push({ leadKey: owner, id: loserId });
    }
    if (owner !== leadKey || winner.hubspot === loserId) {
      pushHistory(winner, { at, side: 'hubspot', id: loserId, change: 'merged', into: winnerId });
    }
    view.setIndex('hubspot', loserId, leadKey);
  }
  winner.hubspot = winnerId;
  winner.updatedAt = at;
  view.setIndex('hubspot', winnerId, leadKey);
  view.put(winner);
  return { leadKey, absorbed };
}

export async function loadForConversion(view: LinkView, leadId: string, contactId: string): Promise<void> {
  await view.loadIndex('salesforce', [leadId, contactId]);
  await view.loadLinks([view.index('salesforce', leadId), view.index('salesforce', contactId)]);
}

/**
 * A Salesforce Lead was converted: its Contact takes the writes (a converted Lead cannot be edited), and
 * the Lead id stays on the link and in the index, so events and `explain` about it still find the lead.
 * https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_lead.htm
 */
export function planConversion(view: LinkView, leadId: string, contactId: string, now: Date): LinkOutcome {
  const leadKey = view.index('salesforce', leadId);
  if (leadKey === null) {
    return {
      ok: false,
      reason: 'not_linked',
      detail: `Salesforce Lead ${leadId} is not linked`,
      leadKeys: [],
    };
  }
  const link = view.link(leadKey) ?? emptyLink(leadKey, now.toISOString());
  if (link.salesforceContact === contactId) return { ok: true, link, created: false };
  const contactOwner = view.index('salesforce', contactId);
  if (link.salesforceContact !== null || (contactOwner !== null && contactOwner !== leadKey)) {
    const other = contactOwner ?? leadKey;
    const detail = `cannot convert ${leadId} to ${contactId}: ${other} already holds a Salesforce Contact`;
    return { ok: false, reason: 'slot_taken', detail, leadKeys: [...new Set([leadKey, other])] };
  }
  const at = now.toISOString();
  link.salesforceLead ??= leadId;
  link.salesforceContact = contactId;
  pushHistory(link, { at, side: 'salesforceLead', id: leadId, change: 'converted', into: contactId });
  link.updatedAt = at;
  view.setIndex('salesforce', contactId, leadKey);
  view.put(link);
  return { ok: true, link, created: false };
}

export type RetireReason = 'deleted' | 'privacy_deleted';

export async function loadForRetire(view: LinkView, index: 'hubspot' | 'salesforce', id: string) {
  await view.loadIndex(index, [id]);
  const leadKey = view.index(index, id);
  if (leadKey === null) return;
  await view.loadLinks([leadKey]);
  await view.loadIndex('email', [view.link(leadKey)?.email]);
}

/**
 * A record was deleted: its slot is emptied and the reason kept. A plain deletion leaves the id resolvable
 * (a HubSpot restore brings the same id back); a privacy deletion also drops the id from the index and
 * the email from the link and its index, so the person can no longer be looked up through LeadBridge.
 */
export function planRetire(
  view: LinkView,
  index: 'hubspot' | 'salesforce',
  id: string,
  reason: RetireReason,
  now: Date,
  propagated = false,
): LeadLink | null {
  const leadKey = view.index(index, id);
  const link = leadKey === null ? null : view.link(leadKey);
  if (link === null) return null;
  const at = now.toISOString();
  const side = SIDES.find((slot) => indexOf(slot) === index && link[slot] === id);
  if (side) {
    link[side] = null;
    pushHistory(link, { at, side, id, change: reason, ...(propagated ? { propagated } : {}) });
  }
  if (reason === 'privacy_deleted') {
    view.setIndex(index, id, null);
    setEmail(view, link, null);
  }
  link.updatedAt = at;
  view.put(link);
  return link;
}
