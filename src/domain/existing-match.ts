import { choosePrimary } from './duplicate-choice.ts';

/** A Salesforce record that already holds the email of a lead LeadBridge was about to create a Lead for. */
export interface ExistingRecord {
  objectType: 'Lead' | 'Contact';
  id: string;
  /** A converted Lead (its Contact, `convertedContactId`, is where sales works the person). */
  converted: boolean;
  convertedContactId: string | null;
  /** ISO-8601 instant of its last modification. */
  modifiedAt: string;
  /** ISO-8601 instant of its creation, when known. */
  createdAt?: string | undefined;
  /** The lead key the record already belongs to in the link table (as its record or a duplicate). */
  linkedTo?: string | undefined;
}

export type ExistingChoice =
  /** Nothing in Salesforce holds the email: the Lead is created. */
  | { kind: 'none' }
  /**
   * Link this Lead (and, once converted, its Contact) instead of creating one; the other Leads with the
   * email are duplicates, never written to.
   */
  | { kind: 'link'; leadId: string; contactId: string | null; duplicates: string[] }
  /** Only Contacts (not converted from a Lead found) hold the email: no Lead is created. */
  | { kind: 'contact_only'; contactIds: string[] }
  /** A record with the email already belongs to another lead: neither linked nor duplicated. */
  | { kind: 'linked_elsewhere'; id: string; leadKey: string };

const byId = (a: { id: string }, b: { id: string }) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/**
 * Pure, deterministic: what to do with a lead about to get a new Salesforce Lead, given the records
 * that already hold its email. A record another lead holds wins over everything (taking it would move a
 * person between leads); then Leads, chosen among by `choosePrimary` (converted first, then most
 * recently modified, then oldest, then lowest id), as duplicates found while resolving records are; a
 * Contact a found Lead was converted into is that Lead's, not a Contact of its own.
 */
export function chooseExisting(records: ExistingRecord[]): ExistingChoice {
  const taken = records.filter((record) => record.linkedTo !== undefined).sort(byId)[0];
  if (taken) return { kind: 'linked_elsewhere', id: taken.id, leadKey: taken.linkedTo as string };
  const leads = records.filter((record) => record.objectType === 'Lead');
  if (leads.length > 0) {
    const { primary, duplicates } = choosePrimary(leads);
    return {
      kind: 'link',
      leadId: primary.id,
      contactId: primary.converted ? primary.convertedContactId : null,
      duplicates: duplicates.map((lead) => lead.id),
    };
  }
  const contacts = records.filter((record) => record.objectType === 'Contact').sort(byId);
  if (contacts.length > 0) return { kind: 'contact_only', contactIds: contacts.map((contact) => contact.id) };
  return { kind: 'none' };
}
