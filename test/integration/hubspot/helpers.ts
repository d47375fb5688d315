import { LeadBridgeConfig } from '../../../src/config/schema.ts';

/** A one-tenant config pointing HubSpot at `baseUrl` (an emulator). */
export function hubspotConfig(
  baseUrl: string,
  hubspot: Record<string, unknown> = {},
  rest: Record<string, unknown> = {},
): LeadBridgeConfig {
  return LeadBridgeConfig.parse({
    tenants: [
      {
        id: 'acme',
        hubspot: { accessToken: 'pat-na1-test', baseUrl, ...hubspot },
        salesforce: {
          orgId: '00D000000000000AAA',
          accessToken: 'x',
          instanceUrl: 'https://x.my.salesforce.com',
        },
      },
    ],
    ...rest,
  });
}
