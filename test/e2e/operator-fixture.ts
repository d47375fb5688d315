import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { startHubSpotEmulator, type HubSpotEmulator } from '../../connectors/hubspot/emulator/index.ts';
import {
  startSalesforceEmulator,
  type SalesforceEmulator,
} from '../../connectors/salesforce/emulator/index.ts';

/** Shared by the explain, doctor and install end-to-end tests: both emulators and a config file for them. */
export interface OperatorFixture {
  hubspot: HubSpotEmulator;
  salesforce: SalesforceEmulator;
  dir: string;
  /** Writes a config file for the emulators (plus `extra` YAML at the top level) and returns its path. */
  writeConfig(name: string, options?: { extra?: string; hubspotToken?: string }): string;
  env: Record<string, string>;
  close(): Promise<void>;
}

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** A VP title (fit, 30) and a phone number (engagement, 30): 60, over the MQL threshold of 50. */
const SCORING = `
scoring:
  mqlThreshold: 50
  rules:
    - { id: vp-title, category: fit, field: title, op: contains, value: VP, points: 30 }
    - { id: has-phone, category: engagement, field: phone, op: exists, points: 30 }
`;

export async function startOperatorFixture(
  name: string,
  options: { hubspotToken?: string } = {},
): Promise<OperatorFixture> {
  const prefix = `lbtest-e2e-${name}-${process.pid}-${Date.now()}`;
  const hubspot = await startHubSpotEmulator({
    port: 0,
    seed: 5,
    contacts: 0,
    ...(options.hubspotToken ? { token: options.hubspotToken } : {}),
  });
  const salesforce = await startSalesforceEmulator({ port: 0, seed: 5 });
  const dir = mkdtempSync(join(tmpdir(), `leadbridge-${name}-`));
  return {
    hubspot,
    salesforce,
    dir,
    env: { REDIS_URL, LEADBRIDGE_REDIS_PREFIX: prefix },
    writeConfig(file, config = {}) {
      const text = `
tenants:
  - id: acme
    hubspot: { accessToken: ${config.hubspotToken ?? 'emulator-token'}, baseUrl: ${hubspot.url} }
    salesforce:
      loginUrl: ${salesforce.url}
      clientId: emulator-client
      refreshToken: emulator-refresh
      orgId: ${salesforce.orgId}
${SCORING}
${config.extra ?? ''}
`;
      const path = join(dir, file);
      writeFileSync(path, text);
      return path;
    },
    async close() {
      const redis = new Redis(REDIS_URL);
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
        if (keys.length > 0) await redis.del(...keys);
        cursor = next;
      } while (cursor !== '0');
      await redis.quit();
      await hubspot.close();
      await salesforce.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** API calls the HubSpot emulator served whose endpoint matches, summed over statuses. */
export function hubspotCalls(hubspot: HubSpotEmulator, endpoint: RegExp): number {
  let total = 0;
  for (const [name, byStatus] of hubspot.calls) {
    if (endpoint.test(name)) for (const count of byStatus.values()) total += count;
  }
  return total;
}

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
