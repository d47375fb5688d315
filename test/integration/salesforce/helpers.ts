import { SalesforceConnector } from '../../../connectors/salesforce/connector.ts';
import type { SalesforceEmulator } from '../../../connectors/salesforce/emulator/index.ts';
import { MemoryBudgetStore } from '../../../connectors/salesforce/budget-store.ts';
import { MemorySeenStore } from '../../../connectors/salesforce/seen-store.ts';
import { MemoryTokenStore } from '../../../connectors/salesforce/token-store.ts';
import { LeadBridgeConfig } from '../../../src/config/schema.ts';
import { InMemoryApiCallRecorder } from '../../../src/metrics/api-calls.ts';

export function configFor(emulator: SalesforceEmulator, salesforce: Record<string, unknown> = {}) {
  return LeadBridgeConfig.parse({
    tenants: [
      {
        id: 'acme',
        hubspot: { accessToken: 'hs' },
        salesforce: {
          loginUrl: emulator.url,
          clientId: 'leadbridge-app',
          clientSecret: 'secret',
          refreshToken: 'rt-acme',
          orgId: emulator.orgId,
          ...salesforce,
        },
      },
    ],
  });
}

export function connectorFor(
  emulator: SalesforceEmulator,
  options: { pageSize?: number; salesforce?: Record<string, unknown> } = {},
) {
  const config = configFor(emulator, options.salesforce);
  const recorder = new InMemoryApiCallRecorder();
  const tokens = new MemoryTokenStore();
  const connector = new SalesforceConnector({
    config,
    tenant: config.tenants[0] as (typeof config.tenants)[number],
    recorder,
    stores: { tokens, budget: new MemoryBudgetStore(), seen: new MemorySeenStore() },
    retry: { sleep: async () => {}, random: () => 0 },
    ...(options.pageSize ? { pageSize: options.pageSize } : {}),
  });
  return { connector, recorder, tokens, config };
}

export async function control(
  emulator: SalesforceEmulator,
  path: string,
  body?: unknown,
): Promise<Record<string, unknown>> {
  const res = await fetch(`${emulator.url}/__emulator/${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const json = (await res.json()) as Record<string, unknown>;
  if (!res.ok) throw new Error(`${path}: ${res.status} ${JSON.stringify(json)}`);
  return json;
}

export async function stats(emulator: SalesforceEmulator) {
  return (await control(emulator, 'stats')) as {
    calls: Record<string, Record<string, number>>;
    total: number;
    apiUsage: { used: number; limit: number };
  };
}
