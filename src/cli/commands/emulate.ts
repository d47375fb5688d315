import { startHubSpotEmulator, type HubSpotEmulator } from '../../../connectors/hubspot/emulator/index.ts';
import {
  DEFAULT_ORG_ID,
  startSalesforceEmulator,
  type SalesforceEmulator,
} from '../../../connectors/salesforce/emulator/index.ts';

export interface EmulateOptions {
  /** HubSpot emulator port; 0 picks a free one. */
  hubspotPort: number;
  /** Salesforce emulator port; 0 picks a free one. */
  salesforcePort: number;
  /** Seed of the generated data: the same seed gives the same contacts and leads. */
  seed: number;
  /** HubSpot contacts created at start. */
  contacts: number;
  /** Salesforce leads created at start. */
  leads: number;
  /** Bearer token both emulators require; unset accepts any non-empty one. */
  token?: string | undefined;
  /** Base URL of a LeadBridge server: HubSpot webhooks and Salesforce outbound messages are sent there. */
  deliverTo?: string | undefined;
  /** Secret that signs the HubSpot webhooks (the app's client secret). */
  clientSecret: string;
  /** HubSpot account id carried by the webhooks. */
  portalId: number;
  /** Salesforce org id carried by the outbound messages. */
  orgId: string;
  /** Start the Salesforce org without LeadBridge's custom fields (as before `install` and the admin's Setup work). */
  bare?: boolean | undefined;
  /** Connected app consumer key the Salesforce token endpoint accepts (enforced with `token` or when given). */
  salesforceClientId?: string | undefined;
  /** Consumer secret the token endpoint requires (enforced when given). */
  salesforceClientSecret?: string | undefined;
  /** Refresh token the token endpoint accepts (enforced with `token` or when given). */
  salesforceRefreshToken?: string | undefined;
}

const DEFAULT_SF_CLIENT_ID = 'emulator-client';
const DEFAULT_SF_CLIENT_SECRET = 'emulator-client-secret';
const DEFAULT_SF_REFRESH_TOKEN = 'emulator-refresh-token';

/**
 * What the Salesforce token endpoint checks: nothing but presence by default; with `--token` (or any
 * credential option) the client id and refresh token must be the printed ones, and the secret when given.
 */
function salesforceOAuth(options: EmulateOptions) {
  const strict =
    options.token !== undefined ||
    options.salesforceClientId !== undefined ||
    options.salesforceRefreshToken !== undefined ||
    options.salesforceClientSecret !== undefined;
  if (!strict) return {};
  return {
    clientId: options.salesforceClientId ?? DEFAULT_SF_CLIENT_ID,
    refreshToken: options.salesforceRefreshToken ?? DEFAULT_SF_REFRESH_TOKEN,
    ...(options.salesforceClientSecret ? { clientSecret: options.salesforceClientSecret } : {}),
  };
}

export interface RunningEmulators {
  hubspot: HubSpotEmulator;
  salesforce: SalesforceEmulator;
  close(): Promise<void>;
}

/** HubSpot's app id in the emulated webhooks; any number works, the receiver does not check it. */
const EMULATED_APP_ID = 1;

export async function startEmulators(options: EmulateOptions): Promise<RunningEmulators> {
  const target = options.deliverTo?.replace(/\/+$/, '');
  const hubspot = await startHubSpotEmulator({
    port: options.hubspotPort,
    seed: options.seed,
    contacts: options.contacts,
    ...(options.token ? { token: options.token } : {}),
    ...(target
      ? {
          webhook: {
            targetUrl: `${target}/webhooks/hubspot`,
            clientSecret: options.clientSecret,
            portalId: options.portalId,
            appId: EMULATED_APP_ID,
          },
        }
      : {}),
  });
  const salesforce = await startSalesforceEmulator({
    port: options.salesforcePort,
    seed: options.seed,
    seedCount: options.leads,
    orgId: options.orgId,
    oauth: salesforceOAuth(options),
    bare: options.bare ?? false,
    ...(options.token ? { token: options.token } : {}),
    ...(target ? { outboundMessages: { targetUrl: `${target}/webhooks/salesforce` } } : {}),
  });
  return {
    hubspot,
    salesforce,
    async close() {
      await Promise.all([hubspot.close(), salesforce.close()]);
    },
  };
}

/** What `leadbridge emulate` prints: where the emulators are and the variables that point LeadBridge at them. */
export function describeEmulators(emulators: RunningEmulators, options: EmulateOptions): string {
  const { hubspot, salesforce } = emulators;
  return [
    `HubSpot emulator     ${hubspot.url}   (controls: ${hubspot.url}/__emulator/stats)`,
    `Salesforce emulator  ${salesforce.url}   (controls: ${salesforce.url}/__emulator/stats)`,
    '',
    'Point LeadBridge at them:',
    `  export HUBSPOT_BASE_URL=${hubspot.url}`,
    `  export HUBSPOT_ACCESS_TOKEN=${options.token ?? 'emulator-token'}`,
    `  export HUBSPOT_CLIENT_SECRET=${options.clientSecret}`,
    `  export SALESFORCE_LOGIN_URL=${salesforce.url}`,
    `  export SALESFORCE_INSTANCE_URL=${salesforce.url}`,
    `  export SALESFORCE_ORG_ID=${salesforce.orgId}`,
    `  export SALESFORCE_CLIENT_ID=${options.salesforceClientId ?? DEFAULT_SF_CLIENT_ID}`,
    `  export SALESFORCE_CLIENT_SECRET=${options.salesforceClientSecret ?? DEFAULT_SF_CLIENT_SECRET}`,
    `  export SALESFORCE_REFRESH_TOKEN=${options.salesforceRefreshToken ?? DEFAULT_SF_REFRESH_TOKEN}`,
    ...(options.bare
      ? ["The Salesforce org has none of LeadBridge's custom fields: `leadbridge install` lists them."]
      : []),
    options.deliverTo
      ? `Webhooks and outbound messages go to ${options.deliverTo}.`
      : 'No webhook delivery (pass --deliver-to <leadbridge url> to send webhooks and outbound messages).',
    'Press Ctrl+C to stop.',
  ].join('\n');
}

export { DEFAULT_ORG_ID };
