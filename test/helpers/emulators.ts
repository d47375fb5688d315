import type { Redis } from 'ioredis';
import type { HubSpotEmulator } from '../../connectors/hubspot/emulator/index.ts';
import type { SalesforceEmulator } from '../../connectors/salesforce/emulator/index.ts';

/**
 * Scoring for the tests: a VP title (fit, 30) and a phone number (engagement, 30) make 60, over the
 * MQL threshold of 50; either alone stays below it.
 */
export const TEST_SCORING = `
scoring:
  mqlThreshold: 50
  rules:
    - { id: vp-title, category: fit, field: title, op: contains, value: VP, points: 30 }
    - { id: has-phone, category: engagement, field: phone, op: exists, points: 30 }
`;

export interface EmulatorConfigOptions {
  /** HubSpot private app token; the emulator's default accepts `emulator-token`. */
  hubspotToken?: string;
  /** Include {@link TEST_SCORING}; default true. */
  scoring?: boolean;
  /** YAML appended at the top level. */
  extra?: string;
}

/** A one-tenant (`acme`) config whose connectors point at the two emulators. */
export function emulatorConfig(
  hubspot: HubSpotEmulator,
  salesforce: SalesforceEmulator,
  options: EmulatorConfigOptions = {},
): string {
  return `
tenants:
  - id: acme
    hubspot: { accessToken: ${options.hubspotToken ?? 'emulator-token'}, baseUrl: ${hubspot.url} }
    salesforce:
      loginUrl: ${salesforce.url}
      clientId: emulator-client
      refreshToken: emulator-refresh
      orgId: ${salesforce.orgId}
${options.scoring === false ? '' : TEST_SCORING}
${options.extra ?? ''}
`;
}

/** Deletes every key that starts with `prefix` (SCAN, not KEYS: the Redis is shared). */
export async function deleteKeys(redis: Redis, prefix: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    if (keys.length > 0) await redis.del(...keys);
    cursor = next;
  } while (cursor !== '0');
}

/** POSTs JSON to an emulator control route and returns the parsed answer; throws on a non-2xx status. */
export async function postJson(url: string, body: unknown = {}): Promise<unknown> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`${url}: ${response.status} ${await response.text()}`);
  return response.json();
}

/** A contact a marketer (or a form) created in HubSpot's UI; returns its id. */
export async function createContact(
  hubspot: HubSpotEmulator,
  properties: Record<string, string>,
): Promise<string> {
  const response = await fetch(`${hubspot.url}/__emulator/contacts`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ properties }),
  });
  if (!response.ok) throw new Error(`create contact: ${response.status} ${await response.text()}`);
  return ((await response.json()) as { id: string }).id;
}

/** A HubSpot lead that passes the default handoff gate (email, names, company) and scores 60 (> 50). */
export function qualifiedContact(email: string): Record<string, string> {
  return {
    email,
    firstname: 'Ada',
    lastname: 'Lovelace',
    company: 'Analytical Engines',
    jobtitle: 'VP Engineering',
    phone: '+44 20 7946 0000',
    lifecyclestage: 'lead',
  };
}
