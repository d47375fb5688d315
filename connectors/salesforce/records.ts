import type { SystemRecord } from '../types.ts';
import type { SalesforceClient, SfRecord } from './client.ts';
import { chunk } from './chunk.ts';
import { soqlString } from './cursor.ts';
import { SOQL_IN_MAX_IDS } from './limits.ts';
import { mappedFieldNames, toCanonical, toIsoInstant, type SalesforceMapping } from './mapping.ts';
import { OrgMetadataReader } from './org-metadata.ts';
import { ContactRow, LeadRow, OpportunityRow } from './schemas.ts';

/** A Salesforce record as the engine sees it, with what it needs to follow a conversion. */
export interface SalesforceRecord extends SystemRecord {
  /** Lead until converted; then the converted Contact, which later writes go to. */
  objectType: 'Lead' | 'Contact';
  /** The Lead this record came from (its own id while unconverted), for the link table. */
  leadId: string;
  /** True when the integration user made the last change: our own echo, not a person's edit. */
  modifiedByUs: boolean;
  /** The Opportunity created by the conversion, when there is one. */
  opportunity?: { id: string; isClosed: boolean; isWon: boolean; stageName: string | null };
}

export const LEAD_SYSTEM_FIELDS = [
  'Id',
  'SystemModstamp',
  'CreatedDate',
  'LastModifiedById',
  'IsDeleted',
  'IsConverted',
  'ConvertedContactId',
  'ConvertedOpportunityId',
  'MasterRecordId',
];
const CONTACT_SYSTEM_FIELDS = ['Id', 'SystemModstamp', 'LastModifiedById'];
const OPPORTUNITY_FIELD_NAMES = ['Id', 'IsClosed', 'IsWon', 'StageName', 'SystemModstamp'];
const OPPORTUNITY_FIELDS = OPPORTUNITY_FIELD_NAMES.join(', ');

/**
 * Lead -> parent lookups a converted lead's row brings along in the same query (parent relationship
 * fields), so its Contact and Opportunity cost no call of their own.
 * https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_lead.htm
 */
const CONVERTED_CONTACT = 'ConvertedContact';
const CONVERTED_OPPORTUNITY = 'ConvertedOpportunity';

/**
 * Pure: the shared stage of a converted lead. A won deal makes the person a customer, a lost one sends
 * them back to nurture (recycled) unless LeadBridge has since moved them on to `lead` itself; an open
 * deal is an opportunity.
 */
export function convertedStage(
  opportunity: OpportunityRow | undefined,
  contactStage: string | null | undefined,
  contactStamp: string,
  fallback: string | null | undefined,
): string | null {
  if (!opportunity) return contactStage ?? fallback ?? null;
  if (opportunity.IsWon) return 'customer';
  if (opportunity.IsClosed) {
    const movedOnAfter =
      contactStage === 'lead' && stampMs(contactStamp) > stampMs(opportunity.SystemModstamp);
    return movedOnAfter ? 'lead' : 'recycled';
  }
  return 'opportunity';
}

/** The Lead's CreatedDate (a converted person's too: the Lead is when they first came in). */
function createdAtOf(row: LeadRow): { createdAt?: string } {
  return row.CreatedDate ? { createdAt: toIsoInstant(row.CreatedDate) ?? row.CreatedDate } : {};
}

/** The ledger's actor: the user who last changed the record, unless it was the integration user (us). */
function actorOf(userId: string | null | undefined, integrationUserId: string): { actor?: string } {
  return userId && userId !== integrationUserId ? { actor: userId } : {};
}

function ownStageOf(raw: SfRecord, mapping: SalesforceMapping): string | null | undefined {
  if (!(mapping.custom.stage in raw)) return undefined;
  const value = raw[mapping.custom.stage];
  return typeof value === 'string' && value !== '' ? value : null;
}

/** Reads Leads, and for converted ones their Contact and Opportunity, as canonical records. */
export class RecordReader {
  private readonly client: SalesforceClient;
  private readonly mapping: SalesforceMapping;
  private readonly metadata: OrgMetadataReader;

  constructor(client: SalesforceClient, mapping: SalesforceMapping, metadata?: OrgMetadataReader) {
    this.client = client;
    this.mapping = mapping;
    this.metadata = metadata ?? new OrgMetadataReader(client);
  }

  /** The Lead's own fields (what a collections retrieve by id can return). */
  leadFields(): string[] {
    return [...new Set([...LEAD_SYSTEM_FIELDS, ...mappedFieldNames(this.mapping)])];
  }

  /**
   * The SELECT list of a Lead query: the Lead's own fields, and its converted Contact's and
   * Opportunity's through their lookups (`ConvertedContact.Email`), with their IsDeleted so a parent in
   * the recycle bin (which queryAll may show) reads as gone, as a retrieve by id answers it.
   */
  async leadSelect(): Promise<string> {
    const parent = (relationship: string, fields: string[]) =>
      [...fields, 'IsDeleted'].map((field) => `${relationship}.${field}`);
    return [
      ...this.leadFields(),
      ...parent(CONVERTED_CONTACT, await this.contactFields()),
      ...parent(CONVERTED_OPPORTUNITY, OPPORTUNITY_FIELD_NAMES),
    ].join(', ');
  }

  /** Mapped fields the org's Contact has (Company, Status and most custom lead fields do not). */
  async contactFields(): Promise<string[]> {
    const { contact } = await this.metadata.get();
    const names = new Set(contact.fields.map((field) => field.name));
    const mapped = mappedFieldNames(this.mapping).filter((name) => name !== 'Status' && names.has(name));
    return [...new Set([...CONTACT_SYSTEM_FIELDS, ...mapped])];
  }

  async readLeads(ids: string[]): Promise<SfRecord[]> {
    return this.client.retrieve('Lead', ids, this.leadFields());
  }

  /** Leads converted into the given Contacts, keyed by Contact id. */
  async leadsByContact(contactIds: string[]): Promise<Map<string, LeadRow>> {
    const byContact = new Map<string, LeadRow>();
    for (const part of chunk(contactIds, SOQL_IN_MAX_IDS)) {
      const rows = await this.client.query(
        `SELECT ${await this.leadSelect()} FROM Lead WHERE ConvertedContactId IN (${part.map(soqlString).join(', ')})`,
      );
      for (const row of rows.map((raw) => LeadRow.parse(raw))) {
        if (row.ConvertedContactId) byContact.set(row.ConvertedContactId, row);
      }
    }
    return byContact;
  }

  /** Leads converted into the given Opportunities, as raw rows (their parents' fields included). */
  async leadsByOpportunity(opportunityIds: string[]): Promise<SfRecord[]> {
    const leads: SfRecord[] = [];
    for (const part of chunk(opportunityIds, SOQL_IN_MAX_IDS)) {
      leads.push(
        ...(await this.client.query(
          `SELECT ${await this.leadSelect()} FROM Lead WHERE ConvertedOpportunityId IN (${part.map(soqlString).join(', ')})`,
        )),
      );
    }
    return leads;
  }

  /**
   * Turns Lead rows into records; converted leads are read through their Contact and Opportunity: from
   * the row itself when it was queried with {@link leadSelect}, else by id (one call each per batch).
   */
  async fromLeadRows(rawRows: SfRecord[], integrationUserId: string): Promise<SalesforceRecord[]> {
    const rows = rawRows.map((raw) => ({ raw, row: LeadRow.parse(raw) }));
    const converted = rows.filter(({ row }) => row.IsConverted && row.ConvertedContactId);
    const contacts = new Map<string, SfRecord>();
    const opportunities = new Map<string, OpportunityRow>();
    for (const { raw } of converted) {
      const contact = liveParent(raw[CONVERTED_CONTACT]);
      if (contact) contacts.set(String(contact.Id), contact);
      const opp = liveParent(raw[CONVERTED_OPPORTUNITY]);
      if (opp) opportunities.set(String(opp.Id), OpportunityRow.parse(opp));
    }
    const unread = converted.filter(({ raw }) => !(CONVERTED_CONTACT in raw));
    if (unread.length > 0) {
      const contactIds = unread.map(({ row }) => row.ConvertedContactId as string);
      const fields = await this.contactFields();
      for (const contact of await this.client.retrieve('Contact', contactIds, fields)) {
        contacts.set(String(contact.Id), contact);
      }
      const oppIds = unread.flatMap(({ row }) =>
        row.ConvertedOpportunityId ? [row.ConvertedOpportunityId] : [],
      );
      for (const opp of await this.opportunities(oppIds)) opportunities.set(opp.Id, opp);
    }
    return rows.map(({ raw, row }) => {
      const contact =
        row.IsConverted && row.ConvertedContactId ? contacts.get(row.ConvertedContactId) : undefined;
      if (!contact) {
        return {
          id: row.Id,
          objectType: 'Lead' as const,
          leadId: row.Id,
          lead: toCanonical(raw, this.mapping),
          modifiedAt: toIsoInstant(row.SystemModstamp) ?? row.SystemModstamp,
          ...createdAtOf(row),
          modifiedByUs: Boolean(row.LastModifiedById) && row.LastModifiedById === integrationUserId,
          ...actorOf(row.LastModifiedById, integrationUserId),
          ownStage: ownStageOf(raw, this.mapping),
        };
      }
      return this.convertedRecord(row, raw, contact, opportunities, integrationUserId);
    });
  }

  private convertedRecord(
    row: LeadRow,
    raw: SfRecord,
    contactRaw: SfRecord,
    opportunities: Map<string, OpportunityRow>,
    integrationUserId: string,
  ): SalesforceRecord {
    const contact = ContactRow.parse(contactRaw);
    const opp = row.ConvertedOpportunityId ? opportunities.get(row.ConvertedOpportunityId) : undefined;
    const lead = toCanonical(contactRaw, this.mapping);
    const fallback = toCanonical({ Status: raw.Status }, this.mapping).stage;
    lead.stage = convertedStage(opp, lead.stage, contact.SystemModstamp, fallback);
    const stamps = [contact.SystemModstamp, row.SystemModstamp, ...(opp ? [opp.SystemModstamp] : [])];
    const latest = stamps.reduce((a, b) => (stampMs(b) > stampMs(a) ? b : a));
    const latestIsContact = latest === contact.SystemModstamp;
    return {
      id: contact.Id,
      objectType: 'Contact',
      leadId: row.Id,
      lead,
      modifiedAt: toIsoInstant(latest) ?? latest,
      ...createdAtOf(row),
      modifiedByUs: latestIsContact && contact.LastModifiedById === integrationUserId,
      ...actorOf(latestIsContact ? contact.LastModifiedById : row.LastModifiedById, integrationUserId),
      ownStage: ownStageOf(contactRaw, this.mapping),
      ...(opp
        ? {
            opportunity: {
              id: opp.Id,
              isClosed: opp.IsClosed,
              isWon: opp.IsWon,
              stageName: opp.StageName ?? null,
            },
          }
        : {}),
    };
  }

  async opportunities(ids: string[]): Promise<OpportunityRow[]> {
    const found: OpportunityRow[] = [];
    for (const part of chunk(ids, SOQL_IN_MAX_IDS)) {
      const rows = await this.client.query(
        `SELECT ${OPPORTUNITY_FIELDS} FROM Opportunity WHERE Id IN (${part.map(soqlString).join(', ')})`,
      );
      found.push(...rows.map((raw) => OpportunityRow.parse(raw)));
    }
    return found;
  }
}

export { OPPORTUNITY_FIELDS };

/** A parent record a query brought along, without its `attributes`; undefined when absent or deleted. */
function liveParent(value: unknown): SfRecord | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const { attributes: _attributes, ...fields } = value as SfRecord;
  return fields.IsDeleted === true ? undefined : fields;
}

function stampMs(stamp: string): number {
  return Date.parse(toIsoInstant(stamp) ?? stamp);
}
