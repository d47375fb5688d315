/**
 * HubSpot's published limits, one place, each with the page that sets it. The client, the poller,
 * the webhook route and the emulator all read these, so the emulator enforces what the client obeys.
 */

/** Inputs per batch read/create/update/upsert call. https://developers.hubspot.com/docs/api/crm/contacts ("limited to 100 records") */
export const BATCH_MAX_INPUTS = 100;

/** Results per search page (`limit`). https://developers.hubspot.com/docs/api/crm/search */
export const SEARCH_PAGE_MAX = 200;

/** A search query stops at 10,000 results; asking for a page past it is a 400. Same page. */
export const SEARCH_RESULT_CAP = 10_000;

/** Search requests per second per account. Same page ("rate limited to five requests per second"). */
export const SEARCH_PER_SECOND = 5;

/** Filter groups and filters per search request. Same page. */
export const SEARCH_MAX_FILTER_GROUPS = 5;
export const SEARCH_MAX_FILTERS_PER_GROUP = 6;
export const SEARCH_MAX_FILTERS_TOTAL = 18;

/** Results per page of the list endpoint (`GET /crm/v3/objects/contacts`). contacts-v3 OpenAPI, `limit`. */
export const LIST_PAGE_MAX = 100;

/** The rolling window of the burst limit, in milliseconds. https://developers.hubspot.com/docs/api/usage-details */
export const BURST_WINDOW_MS = 10_000;

/** Burst limit when the tenant config does not say (Free/Starter and OAuth apps). Same page. */
export const DEFAULT_BURST_PER_10S = 100;

/**
 * Share of each HubSpot limit LeadBridge leaves unused when the tenant config does not say
 * (`hubspot.rateLimitMargin`): 190 / 10 s is used as 180, 5 searches / s as 4. Our window and HubSpot's
 * disagree by a request's latency at the window edge; at exactly the limit that edge answers 429.
 */
export const DEFAULT_RATE_LIMIT_MARGIN = 0.05;

/** Events per webhook request. https://developers.hubspot.com/docs/api/webhooks ("up to 100 events") */
export const WEBHOOK_MAX_EVENTS = 100;

/**
 * Largest webhook body accepted, in bytes. 100 events of a few hundred bytes each stay far below it;
 * anything larger is not HubSpot.
 */
export const WEBHOOK_MAX_BODY_BYTES = 256 * 1024;

/** Oldest v3 signature timestamp accepted, in milliseconds. https://developers.hubspot.com/docs/api/webhooks/validating-requests */
export const SIGNATURE_MAX_AGE_MS = 5 * 60_000;

/** Newest v3 signature timestamp accepted ahead of our clock, in milliseconds (clock skew, our own hardening). */
export const SIGNATURE_MAX_FUTURE_MS = 60_000;

/** HubSpot gives up on a webhook response after 5 s and retries the batch. Webhooks guide, "Retries". */
export const WEBHOOK_RESPONSE_TIMEOUT_MS = 5_000;

/** HubSpot retries a failed webhook batch up to 10 times over 24 hours. Same page. */
export const WEBHOOK_MAX_RETRIES = 10;

/** A 423 Locked lasts 2 s. https://developers.hubspot.com/docs/api-reference/error-handling */
export const LOCKED_WAIT_MS = 2_000;

/** The contact `lifecyclestage` default order: a write may only move forward. Contacts guide. */
export { HUBSPOT_DEFAULT_LIFECYCLE_ORDER as LIFECYCLE_ORDER } from '../../src/domain/lifecycle-mapping.ts';
