import { z } from 'zod';
import { NotificationsConfig } from './notifications-schema.ts';
import { OwnersConfig } from './owners-schema.ts';

const httpUrl = z.url({ protocol: /^https?$/, error: 'must be an http(s) URL, e.g. https://api.hubapi.com' });

export const HubSpotTenantConfig = z.strictObject({
  accessToken: z.string().min(1, 'set a private-app or OAuth access token (e.g. ${HUBSPOT_ACCESS_TOKEN})'),
  clientSecret: z
    .string()
    .min(1)
    .optional()
    .describe(
      'App client secret; verifies webhook signatures. Without it the HubSpot webhook route answers 401.',
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
  burstLimitPer10s: z
    .number()
    .int()
    .positive()
    .default(100)
    .describe('API calls per rolling 10 seconds for this account (100 Free/Starter, 190 Pro/Enterprise).'),
});
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
    apiVersion: z
      .string()
      .regex(/^\d+\.0$/, 'an API version looks like "62.0"')
      .default('62.0'),
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

export const TenantConfig = z.strictObject({
  id: z
    .string()
    .regex(/^[a-z0-9][a-z0-9-]*$/, 'a tenant id is lower-case letters, digits and -')
    .describe('Short name for this HubSpot-portal/Salesforce-org pair; appears in keys, metrics and logs.'),
  hubspot: HubSpotTenantConfig,
  salesforce: SalesforceTenantConfig,
  owners: OwnersConfig.prefault({}).describe('Who owns a lead once handed to sales (README: Owners).'),
  notifications: NotificationsConfig.optional().describe(
    'Who hears of handoffs, SLA reminders and breaches, rejections (README: Notifications); none when unset.',
  ),
});
export type TenantConfig = z.infer<typeof TenantConfig>;
