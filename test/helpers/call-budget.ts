import type { HubSpotEmulator } from '../../connectors/hubspot/emulator/index.ts';
import type { SalesforceEmulator } from '../../connectors/salesforce/emulator/index.ts';

/**
 * The API calls a backfill needs at the vendors' caps, computed from what the emulators hold before and
 * after it (never from LeadBridge's own counts), and the calls it made, read from the emulators' stats.
 */

/** HubSpot: list page (GET /crm/v3/objects/contacts limit) and batch read/create/update inputs. */
export const HUBSPOT_PAGE = 100;
export const HUBSPOT_BATCH = 100;
/** Salesforce: rows per query page (Sforce-Query-Options batchSize max), ids per collection retrieve. */
export const SALESFORCE_QUERY_PAGE = 2_000;
export const SALESFORCE_RETRIEVE = 2_000;
/** Salesforce: records per sObject Collections create/update. */
export const SALESFORCE_COLLECTION = 200;
/**
 * Salesforce: emails per lookup call before creates (a person already in Salesforce is linked, not
 * created): 200 per `Email IN (...)` chunk, a Lead and a Contact query each, two chunks in a composite
 * call (at most five queries ride in one).
 */
export const SALESFORCE_EMAIL_LOOKUP = 400;

export interface HubSpotSnapshot {
  /** Live contact id -> lastmodifieddate (ms) and email. */
  contacts: Map<string, { updatedAt: number; email: string | null }>;
}

export interface SalesforceSnapshot {
  leads: Map<string, { stamp: string; email: string | null; converted: boolean }>;
  contacts: Map<string, { stamp: string }>;
  opportunities: number;
  closedOpportunities: number;
}

export function snapshotHubSpot(hubspot: HubSpotEmulator): HubSpotSnapshot {
  const contacts = new Map<string, { updatedAt: number; email: string | null }>();
  for (const contact of hubspot.store.contacts.values()) {
    if (contact.archived) continue;
    contacts.set(contact.id, {
      updatedAt: contact.updatedAt,
      email: contact.properties.email?.toLowerCase() ?? null,
    });
  }
  return { contacts };
}

export function snapshotSalesforce(salesforce: SalesforceEmulator): SalesforceSnapshot {
  const store = salesforce.state.store;
  const leads = new Map<string, { stamp: string; email: string | null; converted: boolean }>();
  for (const row of store.rows('Lead')) {
    if (row.IsDeleted === true) continue;
    leads.set(String(row.Id), {
      stamp: String(row.SystemModstamp),
      email: typeof row.Email === 'string' ? row.Email.toLowerCase() : null,
      converted: row.IsConverted === true,
    });
  }
  const contacts = new Map<string, { stamp: string }>();
  for (const row of store.rows('Contact'))
    contacts.set(String(row.Id), { stamp: String(row.SystemModstamp) });
  const opportunities = store.rows('Opportunity');
  return {
    leads,
    contacts,
    opportunities: opportunities.length,
    closedOpportunities: opportunities.filter((row) => row.IsClosed === true).length,
  };
}

export interface SystemBound {
  reads: number;
  /** Salesforce: the email lookups before creates (HubSpot creates are upserts by email: none). */
  lookups: number;
  creates: number;
  updates: number;
  /** Per-run calls that do not grow with the records (named in `backfillBound`). */
  fixed: number;
  total: number;
}

const pages = (records: number, cap: number) => Math.ceil(records / cap);

/**
 * The fewest calls a backfill can make: every record of each system read once, at the read cap (a
 * person present on both sides is read once more on the side not being paged, by id; a converted
 * lead's Contact and Opportunity come with its row); every record that changed or appeared written
 * once, at the write cap; the creates' emails looked up in Salesforce first, at the lookup cap (the
 * backfill's units share lookup calls as they share write calls); plus per-run calls: HubSpot one
 * search for the total, Salesforce one composite call for its metadata (status picklist and Contact
 * describe).
 */
export function backfillBound(
  before: { hubspot: HubSpotSnapshot; salesforce: SalesforceSnapshot },
  after: { hubspot: HubSpotSnapshot; salesforce: SalesforceSnapshot },
): { hubspot: SystemBound; salesforce: SystemBound } {
  const hubspotEmails = new Set([...before.hubspot.contacts.values()].flatMap((c) => c.email ?? []));
  const onBothSides = [...before.salesforce.leads.values()].filter(
    (lead) => lead.email !== null && hubspotEmails.has(lead.email),
  ).length;

  const hubspotCreated = [...after.hubspot.contacts.keys()].filter(
    (id) => !before.hubspot.contacts.has(id),
  ).length;
  const hubspotUpdated = [...before.hubspot.contacts].filter(
    ([id, contact]) => (after.hubspot.contacts.get(id)?.updatedAt ?? contact.updatedAt) !== contact.updatedAt,
  ).length;
  const hubspot = {
    reads: pages(before.hubspot.contacts.size, HUBSPOT_PAGE) + pages(onBothSides, HUBSPOT_BATCH),
    lookups: 0,
    creates: pages(hubspotCreated, HUBSPOT_BATCH),
    updates: pages(hubspotUpdated, HUBSPOT_BATCH),
    fixed: 1,
  };

  const salesforceCreated = [...after.salesforce.leads.keys()].filter(
    (id) => !before.salesforce.leads.has(id),
  ).length;
  const changed = (was: Map<string, { stamp: string }>, now: Map<string, { stamp: string }>) =>
    [...was].filter(([id, row]) => (now.get(id)?.stamp ?? row.stamp) !== row.stamp).length;
  const salesforceUpdated =
    changed(before.salesforce.leads, after.salesforce.leads) +
    changed(before.salesforce.contacts, after.salesforce.contacts);
  const salesforce = {
    // Lead pages (at least one; the last knows it is the last: its query's first batch says done).
    // The overlap re-scan and the closed deals since the backfill began are the first poll's.
    reads:
      Math.max(1, pages(before.salesforce.leads.size, SALESFORCE_QUERY_PAGE)) +
      pages(onBothSides, SALESFORCE_RETRIEVE),
    lookups: pages(salesforceCreated, SALESFORCE_EMAIL_LOOKUP),
    creates: pages(salesforceCreated, SALESFORCE_COLLECTION),
    updates: pages(salesforceUpdated, SALESFORCE_COLLECTION),
    fixed: 1,
  };
  const total = (bound: Omit<SystemBound, 'total'>) => ({
    ...bound,
    total: bound.reads + bound.lookups + bound.creates + bound.updates + bound.fixed,
  });
  return { hubspot: total(hubspot), salesforce: total(salesforce) };
}

/** Calls served so far, by `METHOD /path` template, all statuses. */
export function callsByEndpoint(emulator: HubSpotEmulator | SalesforceEmulator): Map<string, number> {
  const counts = new Map<string, number>();
  if ('store' in emulator && 'calls' in emulator) {
    for (const [endpoint, byStatus] of emulator.calls)
      counts.set(
        endpoint,
        [...byStatus.values()].reduce((a, b) => a + b, 0),
      );
    return counts;
  }
  for (const [endpoint, byStatus] of Object.entries(emulator.state.usage.stats().calls))
    counts.set(
      endpoint,
      Object.values(byStatus).reduce((a, b) => a + b, 0),
    );
  return counts;
}

/** Calls not counted against the bound: OAuth token exchanges and LeadBridge's property set-up checks. */
const SETUP = /oauth2\/token|\/properties|\/limits/;

/** The calls made between two `callsByEndpoint` readings: data calls (the bound's) and set-up ones. */
export function classifyCalls(
  before: Map<string, number>,
  after: Map<string, number>,
): { data: number; setup: number; byEndpoint: Record<string, number> } {
  const byEndpoint: Record<string, number> = {};
  let data = 0;
  let setup = 0;
  for (const [endpoint, n] of after) {
    const made = n - (before.get(endpoint) ?? 0);
    if (made === 0) continue;
    byEndpoint[endpoint] = made;
    if (SETUP.test(endpoint)) setup += made;
    else data += made;
  }
  return { data, setup, byEndpoint };
}
