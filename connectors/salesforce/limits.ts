/**
 * Salesforce limits the connector respects. Each one links to the page that sets it.
 */

/**
 * Records per sObject Collections create/update call: "The list can contain up to 200 objects."
 * https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_composite_sobjects_collections_create.htm
 */
export const COLLECTION_MAX_RECORDS = 200;

/**
 * Ids per sObject Collections retrieve (POST /composite/sobjects/{type} with `ids`): up to 2,000.
 * https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_composite_sobjects_collections_retrieve.htm
 */
export const RETRIEVE_MAX_IDS = 2_000;

/**
 * Ids we put in one `WHERE Id IN (...)` clause. SOQL statements are capped at 100,000 characters; 200
 * 18-character ids keep a query far below that and match one collection write.
 * https://developer.salesforce.com/docs/atlas.en-us.salesforce_app_limits_cheatsheet.meta/salesforce_app_limits_cheatsheet/salesforce_app_limits_platform_soslsoql.htm
 */
export const SOQL_IN_MAX_IDS = 200;

/**
 * Characters in one SOQL statement: "The maximum length for a SOQL statement is 100,000 characters."
 * https://developer.salesforce.com/docs/atlas.en-us.salesforce_app_limits_cheatsheet.meta/salesforce_app_limits_cheatsheet/salesforce_app_limits_platform_soslsoql.htm
 */
export const SOQL_MAX_CHARS = 100_000;

/**
 * Bytes in a REST request URI (a query travels in it, URL-encoded): "The maximum length of the URI is
 * 16,384 bytes" (REST API Developer Guide, limits); longer ones are answered 414 URI Too Long. Well below
 * the SOQL limit, so it is what cuts an email lookup's chunks of long addresses.
 * https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/limits.htm
 */
export const REST_URI_MAX_BYTES = 16_384;

/**
 * Emails per `Email IN (...)` lookup query: as many as one collection create holds, so the lookup before
 * a full create call is one query per object.
 */
export const EMAIL_LOOKUP_MAX = COLLECTION_MAX_RECORDS;

/**
 * Query subrequests in one composite call: "Up to 5 of these subrequests can be sObject Collections or
 * query operations." An email lookup sends two per chunk (Lead, Contact), so two chunks ride in a call.
 * https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_composite_composite_post.htm
 */
export const COMPOSITE_MAX_QUERIES = 5;

/**
 * Notifications per Outbound Message: the WSDL declares `Notification` with maxOccurs=100.
 * https://developer.salesforce.com/docs/atlas.en-us.api.meta/api/sforce_api_om_outboundmessaging_wsdl.htm
 */
export const OUTBOUND_MAX_NOTIFICATIONS = 100;

/**
 * The daily API allocation is a rolling 24-hour window, so a REQUEST_LIMIT_EXCEEDED frees up gradually as
 * calls made a day earlier age out.
 * https://developer.salesforce.com/docs/atlas.en-us.salesforce_app_limits_cheatsheet.meta/salesforce_app_limits_cheatsheet/salesforce_app_limits_platform_api.htm
 */
export const DAILY_WINDOW_MS = 24 * 3_600_000;

/**
 * How long a tenant pauses after REQUEST_LIMIT_EXCEEDED before one probe call checks whether the rolling
 * window has freed enough. Salesforce does not say when that happens, so we probe hourly rather than retry.
 */
export const LIMIT_EXCEEDED_PAUSE_MS = 3_600_000;

/** How long a tenant whose budget share is used up waits before one probe reads the usage again. */
export const BUDGET_RECHECK_MS = 15 * 60_000;

/**
 * Default REST API version (Spring '26); the config's `apiVersion` overrides it. Current in late 2026: 66.0
 * (Spring '26) and 67.0 (Summer '26), 68.0 (Winter '27) in preview; 21.0–30.0 retired in Summer '25 (410),
 * 31.0–40.0 retired in Summer '28. Salesforce Help KB 000354473 and 005321531.
 */
export const DEFAULT_API_VERSION = '66.0';

/** Oldest REST API version still answering; anything older is retired and answers 410 GONE. */
export const OLDEST_LIVE_API_VERSION = 31;

/**
 * Rows per query page asked with `Sforce-Query-Options: batchSize=`: 2,000 is the most (and the
 * default), 200 the least; Salesforce may still return fewer.
 * https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/headers_queryoptions.htm
 */
export const QUERY_BATCH_SIZE = 2_000;

/** Records per poll page: one full query page ({@link QUERY_BATCH_SIZE}), so a page is one call. */
export const POLL_PAGE_SIZE = QUERY_BATCH_SIZE;

/**
 * Our own retry policy for POST/PATCH collection calls, which jsforce never retries (its built-in retry
 * covers GET, PUT, HEAD, OPTIONS and DELETE only). Delays in milliseconds.
 */
export const WRITE_RETRY = { attempts: 4, baseDelayMs: 500, maxDelayMs: 8_000 } as const;
