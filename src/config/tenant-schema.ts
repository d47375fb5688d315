import { BusinessHours } from '../domain/business-hours-schema.ts';
import { z } from 'zod';
import { Duration } from '../domain/duration.ts';
import { NotificationsConfig } from './notifications-schema.ts';
import { OwnersConfig } from './owners-schema.ts';
import { MAX_TENANT_SHARDS } from '../domain/shard.ts';

const httpUrl = z.url({ protocol: /^https?$/, error: 'must be an http(s) URL, e.g. https://api.hubapi.com' });

/**
 * The HubSpot API version LeadBridge targets by default: the current dated one on 2026-11-30 (2026-09,
 * GA 2026-09-08, supported until 2028-03). https://developers.hubspot.com/docs/developer-tooling/platform/versioning
 */
export const DEFAULT_HUBSPOT_API_VERSION = '2026-09';

/**
 * The optional HubSpot Leads object (0-136): a handed-off lead also gets a Lead record associated with its
 * contact. Stage values are the default lead pipeline's internal stage ids (an assumption to check against
 * the portal's pipeline, `GET /crm/v3/pipelines/leads`).
 */
export const HubSpotLeadsObjectConfig = z.strictObject({
  enabled: z.boolean().default(false).describe('Create and keep a HubSpot Lead record per handed-off lead.'),
  pipeline: z.string().min(1).default('lead-pipeline-id').describe('hs_pipeline of created Lead records.'),
  stages: z
    .record(z.string(), z.string().min(1))
    .default({
      mql: 'new-stage-id',
      sql: 'connected-stage-id',
      opportunity: 'qualified-stage-id',
      customer: 'qualified-stage-id',
      rejected: 'unqualified-stage-id',
      disqualified: 'unqualified-stage-id',
    })
    .describe(
      'Shared stage -> hs_pipeline_stage of the Lead record; stages not listed leave it as it is (the handoff stage must be listed).',
    ),
});
export type HubSpotLeadsObjectConfig = z.infer<typeof HubSpotLeadsObjectConfig>;

/**
 * A public app installed in the portal: LeadBridge holds its refresh token and obtains 30-minute access
 * tokens with it (`POST /oauth/v1/token`, grant_type=refresh_token), before the first call and again
 * before each runs out. https://developers.hubspot.com/docs/api/oauth/refresh-access-token
 */
export const HubSpotOAuthConfig = z.strictObject({
  clientId: z.string().min(1).describe("Client id of the public app (the app's Auth settings)."),
  clientSecret: z.string().min(1).describe('Client secret of the public app.'),
  refreshToken: z
    .string()
    .min(1)
    .describe(
      'Refresh token the app install gave (the authorization-code exchange); access tokens are obtained with it.',
    ),
});
export type HubSpotOAuthConfig = z.infer<typeof HubSpotOAuthConfig>;

const HubSpotTenantFields = z.strictObject({
  accessToken: z
    .string()
    .min(1, 'set a private-app access token (e.g. ${HUBSPOT_ACCESS_TOKEN}), or remove it and set oauth')
    .optional()
    .describe('Private-app access token (self-hosted installs); or set `oauth` for a public app.'),
  oauth: HubSpotOAuthConfig.optional().describe(
    'Public-app install: clientId, clientSecret and refreshToken; LeadBridge refreshes the 30-minute access tokens itself.',
  ),
  clientSecret: z
    .string()
    .min(1)
    .optional()
    .describe(
      'App client secret; verifies webhook signatures. With oauth it defaults to oauth.clientSecret (a public app has one secret) and must equal it. Without either the HubSpot webhook route answers 401.',
    ),
  baseUrl: httpUrl
    .default('https://api.hubapi.com')
    .describe('API base URL; point it at an emulator in tests.'),
  portalId: z.coerce
    .number()
    .int()
    .positive()
    .optional()
    .describe('HubSpot account id; webhooks for this portal belong to this tenant.'),
  signatureVersions: z
    .array(z.enum(['v1', 'v2', 'v3']))
    .min(1)
    .default(['v3'])
    .describe('Webhook signature versions accepted; v3 is the only one with a replay window.'),
  apiVersion: z
    .string()
    .regex(
      /^(v3|20\d\d-(03|09))$/,
      'an API version is "v3" or a dated one such as "2026-09" (HubSpot releases one each March and September)',
    )
    .default(DEFAULT_HUBSPOT_API_VERSION)
    .describe(
      'HubSpot API version of every call: a dated version (default 2026-09, supported until 2028-03) or "v3" (legacy /crm/v3 paths, unsupported from September 2027).',
    ),
  ingest: z
    .enum(['webhooks', 'journal', 'polling'])
    .default('webhooks')
    .describe(
      'How changes reach LeadBridge besides the pollers: pushed webhooks (needs a public /webhooks/hubspot), the Webhooks Journal (pulled; no public URL), or polling alone.',
    ),
  journalInterval: Duration.default('30s').describe(
    'With ingest: journal, how often the journal is read from the stored offset.',
  ),
  leadsObject: HubSpotLeadsObjectConfig.prefault({}),
  burstLimitPer10s: z
    .number()
    .int()
    .positive()
    .default(100)
    .describe(
      "API calls per rolling 10 seconds for this account (100 Free/Starter, 190 Pro/Enterprise) until HubSpot's X-HubSpot-RateLimit-Max says otherwise (it replaces this figure for an hour after each answer carrying it).",
    ),
  rateLimitMargin: z
    .number()
    .min(0)
    .max(0.5)
    .default(0.05)
    .describe(
      "Share of each HubSpot limit left unused (burst, search, daily): 0.05 uses 190/10 s as 180. HubSpot's X-HubSpot-RateLimit-* headers correct the count on every answer.",
    ),
  appId: z.coerce
    .number()
    .int()
    .positive()
    .optional()
    .describe(
      "Public app id; with developerApiKey, lets `doctor` read the app's webhook target URL and subscriptions.",
    ),
  developerApiKey: z
    .string()
    .min(1)
    .optional()
    .describe(
      'Developer account API key of the public app (webhooks settings API); read-only use by doctor.',
    ),
});

export const HubSpotTenantConfig = HubSpotTenantFields.superRefine((hubspot, ctx) => {
  if (!hubspot.accessToken && !hubspot.oauth)
    ctx.addIssue({
      code: 'custom',
      path: ['accessToken'],
      message:
        'set a private-app access token as accessToken (e.g. ${HUBSPOT_ACCESS_TOKEN}) or, for a public app, oauth: { clientId, clientSecret, refreshToken }',
    });
  if (hubspot.accessToken && hubspot.oauth)
    ctx.addIssue({
      code: 'custom',
      path: ['oauth'],
      message:
        'set either accessToken (private app) or oauth (public app), not both: with oauth LeadBridge obtains the access tokens',
    });
  // A public app signs its webhooks with the same client secret it refreshes tokens with: two different
  // values mean one is wrong, and a wrong webhook secret makes every delivery 401 without a word at start.
  if (
    hubspot.oauth &&
    hubspot.clientSecret !== undefined &&
    hubspot.clientSecret !== hubspot.oauth.clientSecret
  )
    ctx.addIssue({
      code: 'custom',
      path: ['clientSecret'],
      message:
        "tenants[].hubspot.clientSecret (webhook signatures) differs from tenants[].hubspot.oauth.clientSecret: a public app has one client secret for both; remove clientSecret (it defaults to oauth.clientSecret) or set both to the app's client secret",
    });
}).transform((hubspot) =>
  hubspot.oauth && hubspot.clientSecret === undefined
    ? { ...hubspot, clientSecret: hubspot.oauth.clientSecret }
    : hubspot,
);
export type HubSpotTenantConfig = z.infer<typeof HubSpotTenantConfig>;

export const SalesforceTenantConfig = z
  .strictObject({
    loginUrl: httpUrl.default('https://login.salesforce.com').describe('OAuth2 login host (token endpoint).'),
    instanceUrl: httpUrl
      .optional()
      .describe('REST base URL of the org; learnt from the token response if omitted.'),
    clientId: z.string().min(1).optional(),
    clientSecret: z.string().min(1).optional(),
    refreshToken: z.string().min(1).optional(),
    accessToken: z.string().min(1).optional(),
    orgId: z
      .string()
      .regex(/^00D[A-Za-z0-9]{12}([A-Za-z0-9]{3})?$/, 'an org id is 15 or 18 characters starting with 00D')
      .describe('Outbound messages from any other org are refused.'),
    outboundMessageSecret: z
      .string()
      .regex(
        /^[A-Za-z0-9_-]{24,128}$/,
        'an outbound message secret is 24 to 128 letters, digits, "-" or "_" (e.g. `openssl rand -hex 24`)',
      )
      .optional()
      .describe(
        "Secret path segment of this org's Outbound Message endpoint: `/webhooks/salesforce/<secret>`. When set, messages for this org are accepted only there (Salesforce cannot sign them; an unguessable URL is one of the protections it documents).",
      ),
    apiVersion: z
      .string()
      .regex(/^\d+\.0$/, 'an API version looks like "66.0"')
      .refine((version) => Number.parseFloat(version) >= 31, {
        message: 'API versions 30.0 and older are retired (Salesforce answers 410 GONE): use 66.0 or later',
      })
      .default('66.0')
      .describe(
        "REST API version (default 66.0, Spring '26; 67.0 is Summer '26). 31.0-40.0 retire in Summer '28.",
      ),
    apiBudgetShare: z
      .number()
      .gt(0)
      .max(1)
      .default(0.8)
      .describe(
        "Share of the org's daily API limit LeadBridge may use; the rest is left to other integrations.",
      ),
    clientName: z
      .string()
      .min(1)
      .default('leadbridge')
      .describe('Sent as Sforce-Call-Options client=, so our own writes are recognisable.'),
    refreshHeartbeat: Duration.default('7d').describe(
      'Longest time between two uses of the refresh token, even while the access token still works: an org can revoke a refresh token left unused for a set time (30 days for apps under Refresh Token Rotation), which would lock LeadBridge out at the next session expiry. `0s` turns it off.',
    ),
  })
  .superRefine((sf, ctx) => {
    if (!sf.refreshToken && !sf.accessToken) {
      ctx.addIssue({
        code: 'custom',
        path: ['refreshToken'],
        message: 'set refreshToken (with clientId) or accessToken (with instanceUrl)',
      });
    }
    if (sf.refreshToken && !sf.clientId) {
      ctx.addIssue({
        code: 'custom',
        path: ['clientId'],
        message: 'a refreshToken needs the connected app clientId',
      });
    }
    if (sf.accessToken && !sf.refreshToken && !sf.instanceUrl) {
      ctx.addIssue({
        code: 'custom',
        path: ['instanceUrl'],
        message: 'an accessToken without a refreshToken needs the instanceUrl',
      });
    }
  });
export type SalesforceTenantConfig = z.infer<typeof SalesforceTenantConfig>;

/** How a tenant's reconcile work spreads over workers (jobs/pending-refs.ts). */
export const TenantReconcileConfig = z.strictObject({
  shards: z
    .number()
    .int()
    .min(1)
    .max(MAX_TENANT_SHARDS)
    .default(8)
    .describe(
      "Partitions of the tenant's pending records, by lead key; each has at most one reconcile batch running, so up to this many batches of the tenant run in parallel on several workers.",
    ),
  maxParallelBatches: z
    .number()
    .int()
    .min(1)
    .max(64)
    .default(8)
    .describe(
      "Cap on the tenant's reconcile batches running at once across every worker, so one big tenant leaves workers to the others. Twice the batches of one tenant a worker process runs (4) by default, so a second worker process doubles a busy tenant's batches.",
    ),
});
export type TenantReconcileConfig = z.infer<typeof TenantReconcileConfig>;

export const TenantConfig = z.strictObject({
  id: z
    .string()
    .regex(/^[a-z0-9][a-z0-9-]*$/, 'a tenant id is lower-case letters, digits and -')
    .describe('Short name for this HubSpot-portal/Salesforce-org pair; appears in keys, metrics and logs.'),
  hubspot: HubSpotTenantConfig,
  salesforce: SalesforceTenantConfig,
  businessHours: BusinessHours.optional().describe(
    "This tenant's working hours for the SLA clock (default: sla.businessHours).",
  ),
  owners: OwnersConfig.prefault({}).describe('Who owns a lead once handed to sales (README: Owners).'),
  reconcile: TenantReconcileConfig.prefault({}).describe(
    'Parallel reconcile batches of this tenant (README: Scaling out).',
  ),
  notifications: NotificationsConfig.optional().describe(
    'Who hears of handoffs, SLA reminders and breaches, rejections (README: Notifications); none when unset.',
  ),
  onDelete: z
    .enum(['unlink', 'propagate'])
    .default('unlink')
    .describe(
      "What a record deleted in one system does to the other system's record: `unlink` (default) keeps it " +
        'and retires the link; `propagate` deletes it too (HubSpot: archive; Salesforce: delete). Either ' +
        'way a tombstone stops every pass re-creating the person; a GDPR deletion always does.',
    ),
});
export type TenantConfig = z.infer<typeof TenantConfig>;
