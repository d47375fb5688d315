import { z } from 'zod';
import { LeadKey } from './lead-key.ts';

/** A record slot of a lead: its HubSpot contact, its Salesforce Lead, its Salesforce Contact (once converted). */
export const LinkSide = z.enum(['hubspot', 'salesforceLead', 'salesforceContact']);
export type LinkSide = z.infer<typeof LinkSide>;

/** Why a record id left its slot (or, for a conversion, gained a successor); it keeps resolving to the lead. */
export const LinkChange = z.object({
  /** ISO-8601 instant. */
  at: z.string(),
  side: LinkSide,
  id: z.string(),
  change: z.enum(['merged', 'absorbed', 'converted', 'deleted', 'privacy_deleted', 'duplicate']),
  /**
   * merged: the winning HubSpot contact id; converted: the Salesforce Contact id; duplicate: the record
   * the lead links instead (the duplicate resolves to the lead and is never written to).
   */
  into: z.string().optional(),
  /** absorbed: the lead key the id now resolves to. */
  intoLead: z.string().optional(),
  /** deleted: LeadBridge deleted the record itself, following the other side (`onDelete: propagate`). */
  propagated: z.boolean().optional(),
});
export type LinkChange = z.infer<typeof LinkChange>;

/** Most recent link changes kept on a link; merges and conversions are rare, so this is plenty for explain. */
export const LINK_HISTORY_LIMIT = 20;

/** One row of the link table: which records in which system are this one lead. */
export const LeadLink = z.object({
  leadKey: LeadKey,
  hubspot: z.string().nullable(),
  salesforceLead: z.string().nullable(),
  salesforceContact: z.string().nullable(),
  /** Lower-cased; the email index points here unless another lead claimed the address first. */
  email: z.string().nullable(),
  history: z.array(LinkChange),
  /** ISO-8601 instants. */
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type LeadLink = z.infer<typeof LeadLink>;

/** Which index a lookup goes through. Salesforce Lead and Contact ids share one index (distinct key prefixes). */
export type LinkIndex = 'hubspot' | 'salesforce' | 'email';

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

/** The slot `id` holds on this lead now, or null when it is a former id (deleted, merged away). */
export function currentSide(link: LeadLink, index: 'hubspot' | 'salesforce', id: string): LinkSide | null {
  if (index === 'hubspot') return link.hubspot === id ? 'hubspot' : null;
  if (link.salesforceContact === id) return 'salesforceContact';
  return link.salesforceLead === id ? 'salesforceLead' : null;
}

/** Where Salesforce writes for this lead go: the Contact once converted (a converted Lead cannot be edited). */
export function salesforceWriteId(link: LeadLink): string | null {
  return link.salesforceContact ?? link.salesforceLead;
}

export function pushHistory(link: LeadLink, change: LinkChange): void {
  link.history = [...link.history, change].slice(-LINK_HISTORY_LIMIT);
}
