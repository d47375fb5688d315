import {
  readWebhookSettings,
  readWebhookSubscriptions,
  type WebhookSubscription,
} from '../../../connectors/hubspot/webhook-settings.ts';
import type { LeadBridgeConfig } from '../../config/schema.ts';
import { PROBE_TIMEOUT_MS, type DoctorCheck } from './doctor-checks.ts';

type Tenant = LeadBridgeConfig['tenants'][number];

/** Contact events LeadBridge acts on (connectors/hubspot/webhook-events.ts); restore is optional. */
const REQUIRED_EVENTS = ['contact.creation', 'contact.deletion', 'contact.merge', 'contact.privacyDeletion'];

/** Where HubSpot must send its webhook batches. */
export function hubspotTargetUrl(publicUrl: string | undefined): string {
  return `${publicUrl ? publicUrl.replace(/\/+$/, '') : '$LEADBRIDGE_PUBLIC_URL'}/webhooks/hubspot`;
}

/** Where the Flow's outbound message action must point. */
export function salesforceEndpointUrl(publicUrl: string | undefined): string {
  return `${publicUrl ? publicUrl.replace(/\/+$/, '') : '$LEADBRIDGE_PUBLIC_URL'}/webhooks/salesforce`;
}

/** HubSpot properties whose changes LeadBridge must hear about: the mapped ones and the lifecycle ones. */
export function watchedProperties(config: LeadBridgeConfig): string[] {
  const mapped = config.fields
    .filter((field) => field.hubspot !== undefined && field.ownership !== 'none')
    .map((field) => field.hubspot!);
  return [...new Set([...mapped, 'lifecyclestage', 'hs_lead_status'])];
}

/** The set-up a person does in HubSpot, in one sentence (install and doctor print it). */
export function hubspotWebhookGuide(config: LeadBridgeConfig, publicUrl: string | undefined): string {
  return `in your HubSpot app's Webhooks settings set the target URL to ${hubspotTargetUrl(publicUrl)} and subscribe to contact creation, deletion, merge, restore and privacy deletion, and to property changes of ${watchedProperties(config).join(', ')}`;
}

/** The set-up a person does in Salesforce (Workflow Rules are retired: a record-triggered Flow it is). */
export function salesforceOutboundGuide(publicUrl: string | undefined): string {
  return `in Salesforce Setup > Flows create a record-triggered Flow on Lead (created or updated) with an Outbound Message action whose Endpoint URL is ${salesforceEndpointUrl(publicUrl)} and whose fields include Id; activate it (Workflow Rules are retired)`;
}

function missingSubscriptions(config: LeadBridgeConfig, subscriptions: WebhookSubscription[]): string[] {
  const active = subscriptions.filter((sub) => sub.active);
  const has = (type: string, property?: string) =>
    active.some(
      (sub) =>
        (sub.subscriptionType === type || sub.subscriptionType === type.replace(/^contact\./, 'object.')) &&
        (property === undefined || sub.propertyName === property),
    );
  return [
    ...REQUIRED_EVENTS.filter((type) => !has(type)),
    ...watchedProperties(config)
      .filter((property) => !has('contact.propertyChange', property))
      .map((property) => `contact.propertyChange ${property}`),
  ];
}

/**
 * What doctor can verify of a tenant's HubSpot webhooks. Only a public app's webhooks have an API (with
 * the developer API key); a private app's are set in the UI, so then doctor says what to set up.
 */
export async function checkHubSpotWebhooks(
  config: LeadBridgeConfig,
  tenant: Tenant,
  publicUrl: string | undefined,
): Promise<DoctorCheck[]> {
  const group = `${tenant.id} hubspot`;
  const { appId, developerApiKey, baseUrl } = tenant.hubspot;
  if (appId === undefined || developerApiKey === undefined) {
    return [
      {
        group,
        name: 'webhook subscription',
        status: 'skip',
        detail: `cannot be read with a private app's token: ${hubspotWebhookGuide(config, publicUrl)} (set tenants[].hubspot.appId and developerApiKey of a public app to have doctor check it)`,
      },
    ];
  }
  const access = { baseUrl, appId, developerApiKey };
  const checks: DoctorCheck[] = [];
  try {
    const settings = await readWebhookSettings(access);
    const expected = hubspotTargetUrl(publicUrl);
    if (settings === null) {
      checks.push({
        group,
        name: 'webhook target URL',
        status: 'fail',
        detail: `app ${appId} has no webhook target URL: HubSpot sends no webhooks`,
        fix: `set the app's webhook target URL to ${expected}`,
      });
    } else if (publicUrl && settings.targetUrl.replace(/\/+$/, '') !== expected) {
      checks.push({
        group,
        name: 'webhook target URL',
        status: 'fail',
        detail: `app ${appId} sends webhooks to ${settings.targetUrl}, not to ${expected}`,
        fix: `set the app's webhook target URL to ${expected} (or correct LEADBRIDGE_PUBLIC_URL)`,
      });
    } else {
      checks.push({
        group,
        name: 'webhook target URL',
        status: publicUrl ? 'pass' : 'warn',
        detail: `app ${appId} sends webhooks to ${settings.targetUrl}`,
        ...(publicUrl
          ? {}
          : { fix: 'set LEADBRIDGE_PUBLIC_URL so doctor can compare it with the target URL' }),
      });
    }
    const missing = missingSubscriptions(config, await readWebhookSubscriptions(access));
    checks.push(
      missing.length === 0
        ? {
            group,
            name: 'webhook subscriptions',
            status: 'pass',
            detail: 'every contact event and watched property',
          }
        : {
            group,
            name: 'webhook subscriptions',
            status: 'fail',
            detail: `no active subscription for ${missing.join(', ')}: those changes arrive only by polling`,
            fix: `add the subscriptions in the app's Webhooks settings (${missing.join(', ')})`,
          },
    );
  } catch (error) {
    checks.push({
      group,
      name: 'webhook subscription',
      status: 'fail',
      detail: (error as Error).message,
      fix: 'check tenants[].hubspot.appId and developerApiKey (the developer account that owns the app)',
    });
  }
  return checks;
}

/**
 * The outbound-message endpoint answers from LEADBRIDGE_PUBLIC_URL (a 4xx from LeadBridge for the empty
 * probe is fine; 404 or a proxy's 5xx is not). The Flow itself cannot be read without the Tooling API, so
 * the detail says how to set it up.
 */
export async function checkSalesforceOutboundEndpoint(
  publicUrl: string | undefined,
  fetchImpl: typeof fetch = fetch,
): Promise<DoctorCheck> {
  const group = 'webhooks';
  const name = 'salesforce outbound message endpoint';
  if (!publicUrl) return { group, name, status: 'skip', detail: salesforceOutboundGuide(undefined) };
  const url = salesforceEndpointUrl(publicUrl);
  try {
    const response = await fetchImpl(url, {
      method: 'POST',
      headers: { 'content-type': 'text/xml; charset=utf-8' },
      body: '<probe/>',
      signal: AbortSignal.timeout(PROBE_TIMEOUT_MS),
    });
    await response.body?.cancel();
    const routed = response.status !== 404 && response.status !== 405 && response.status < 502;
    return routed
      ? {
          group,
          name,
          status: 'pass',
          detail: `POST ${url}: LeadBridge answers (${response.status}); ${salesforceOutboundGuide(publicUrl)}`,
        }
      : {
          group,
          name,
          status: 'fail',
          detail: `POST ${url}: ${response.status}`,
          fix: 'route /webhooks/salesforce on LEADBRIDGE_PUBLIC_URL to `leadbridge serve` (proxy, tunnel)',
        };
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause?.code;
    return {
      group,
      name,
      status: 'fail',
      detail: `POST ${url}: ${cause ?? (error as Error).message}`,
      fix: 'start `leadbridge serve` and make LEADBRIDGE_PUBLIC_URL point at it (DNS, proxy, firewall)',
    };
  }
}
