// Lower bounds from the vendors' own caps, never from LeadBridge's settings or its call counts: if LeadBridge
// asks for smaller pages or sends half-full batches, its ratio to these bounds shows it.

/** The vendors' caps the bounds are built from. */
export const CAPS = {
  /** HubSpot CRM list pages hold at most 100 objects (`limit` max 100). https://developers.hubspot.com/docs/api/crm/contacts */
  hubspotPage: 100,
  /** HubSpot batch create / update / upsert / read take at most 100 inputs. https://developers.hubspot.com/docs/api/crm/contacts */
  hubspotBatch: 100,
  /** A SOQL query returns up to 2,000 rows per batch. https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_query.htm */
  salesforceQueryPage: 2_000,
  /** sObject Collections take up to 200 records per call. https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_composite_sobjects_collections.htm */
  salesforceCollection: 200,
  /**
   * Emails looked up per call before creates (a person already in Salesforce is linked, not created): a
   * composite call holds at most 5 queries, so two 200-email chunks, each a Lead and a Contact query.
   * https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_composite_composite_post.htm
   */
  salesforceEmailLookup: 400,
} as const;

const pages = (rows: number, cap: number) => (rows <= 0 ? 0 : Math.ceil(rows / cap));

/** What a backfill had to do on one system, counted at the emulator (rows it held, rows we created/updated). */
export interface SystemWork {
  /** Records the system held when the backfill started (each must be read once). */
  read: number;
  /** Records the backfill created there. */
  created: number;
  /** Existing records the backfill changed there. */
  updated: number;
}

/** Fewest HubSpot calls for `work`: full list pages, full create batches, full update batches. */
export function hubspotCallBound(work: SystemWork): number {
  return (
    pages(work.read, CAPS.hubspotPage) +
    pages(work.created, CAPS.hubspotBatch) +
    pages(work.updated, CAPS.hubspotBatch)
  );
}

/**
 * Fewest Salesforce calls for `work`: 2,000-row query pages, full email lookups before the creates, full
 * collection creates and updates.
 */
export function salesforceCallBound(work: SystemWork): number {
  return (
    pages(work.read, CAPS.salesforceQueryPage) +
    pages(work.created, CAPS.salesforceEmailLookup) +
    pages(work.created, CAPS.salesforceCollection) +
    pages(work.updated, CAPS.salesforceCollection)
  );
}

/**
 * Shortest wall time, in seconds, for `calls` HubSpot calls under a rolling limit of `perWindow` calls per
 * `windowMs` (190 per 10 s is 19 per second).
 */
export function rateLimitBoundSeconds(calls: number, perWindow: number, windowMs = 10_000): number {
  if (perWindow <= 0) throw new Error('rateLimitBoundSeconds: perWindow must be positive');
  return calls / (perWindow / (windowMs / 1000));
}
