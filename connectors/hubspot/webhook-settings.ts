import { z } from 'zod';

// The legacy public app's webhooks API, authenticated with the developer API key:
// GET /webhooks/v3/{appId}/settings and GET /webhooks/v3/{appId}/subscriptions.
// https://developers.hubspot.com/docs/api/webhooks (Manage settings / subscriptions via API)
// Private apps have no such API: their webhooks are edited in the UI only.

export const WebhookSettings = z.looseObject({ targetUrl: z.string() });
export type WebhookSettings = z.infer<typeof WebhookSettings>;

export const WebhookSubscription = z.looseObject({
  id: z.union([z.number(), z.string()]),
  subscriptionType: z.string(),
  propertyName: z.string().optional(),
  active: z.boolean(),
});
export type WebhookSubscription = z.infer<typeof WebhookSubscription>;

export interface WebhookAppAccess {
  baseUrl: string;
  appId: number;
  developerApiKey: string;
}

/** Time allowed for each call, in milliseconds. */
const TIMEOUT_MS = 10_000;

async function getJson(access: WebhookAppAccess, path: string): Promise<unknown> {
  const url = new URL(`${access.baseUrl.replace(/\/+$/, '')}/webhooks/v3/${access.appId}/${path}`);
  url.searchParams.set('hapikey', access.developerApiKey);
  const response = await fetch(url, { signal: AbortSignal.timeout(TIMEOUT_MS) });
  const body = (await response.json().catch(() => ({}))) as { message?: string };
  if (!response.ok)
    throw new Error(
      `GET /webhooks/v3/${access.appId}/${path}: ${response.status} ${body.message ?? ''}`.trim(),
    );
  return body;
}

/** The app's webhook target URL (null when none is set: HubSpot answers 404). */
export async function readWebhookSettings(access: WebhookAppAccess): Promise<WebhookSettings | null> {
  try {
    return WebhookSettings.parse(await getJson(access, 'settings'));
  } catch (error) {
    if ((error as Error).message.includes(': 404')) return null;
    throw error;
  }
}

export async function readWebhookSubscriptions(access: WebhookAppAccess): Promise<WebhookSubscription[]> {
  return z.object({ results: z.array(WebhookSubscription) }).parse(await getJson(access, 'subscriptions'))
    .results;
}
