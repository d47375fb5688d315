import { Redis } from 'ioredis';
import { createConnectors, type TenantConnectors } from '../../../connectors/index.ts';
import { startHubSpotEmulator, type HubSpotEmulator } from '../../../connectors/hubspot/emulator/index.ts';
import {
  startSalesforceEmulator,
  type SalesforceEmulator,
} from '../../../connectors/salesforce/emulator/index.ts';
import type { EngineDeps } from '../../../jobs/engine.ts';
import { parseConfig } from '../../../src/config/load.ts';
import { silentLogger } from '../../../src/log/logger.ts';
import { InMemoryApiCallRecorder, type ApiCall } from '../../../src/metrics/api-calls.ts';
import { Metrics } from '../../../src/metrics/prometheus.ts';
import { AuditTrail } from '../../../src/store/audit-trail.ts';
import { CursorStore } from '../../../src/store/cursors.ts';
import { LeadLinks } from '../../../src/store/lead-links.ts';
import { SyncState } from '../../../src/store/sync-state.ts';

export const TENANT = 'acme';

/**
 * Scoring for the tests: a VP title (fit, 30) and a phone number (engagement, 30) make 60, over the
 * default MQL threshold of 50; either alone stays below it.
 */
const SCORING = `
scoring:
  mqlThreshold: 50
  rules:
    - { id: vp-title, category: fit, field: title, op: contains, value: VP, points: 30 }
    - { id: has-phone, category: engagement, field: phone, op: exists, points: 30 }
`;

/** Both emulators in-process, real Redis under a prefix of its own, the engine's deps wired as in a worker. */
export interface Harness {
  hubspot: HubSpotEmulator;
  salesforce: SalesforceEmulator;
  redis: Redis;
  connectors: TenantConnectors;
  recorder: InMemoryApiCallRecorder;
  deps: EngineDeps;
  metrics: Metrics;
  prefix: string;
  close(): Promise<void>;
}

export async function startHarness(name: string): Promise<Harness> {
  const prefix = `test-reconcile-${name}-${process.pid}-${Date.now()}`;
  const hubspot = await startHubSpotEmulator({ port: 0, seed: 11, contacts: 0, webhookApiChanges: false });
  const salesforce = await startSalesforceEmulator({ port: 0, seed: 11 });
  const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { maxRetriesPerRequest: 1 });
  const config = parseConfig(
    `
tenants:
  - id: ${TENANT}
    hubspot: { accessToken: emulator-token, baseUrl: ${hubspot.url} }
    salesforce:
      loginUrl: ${salesforce.url}
      clientId: emulator-client
      refreshToken: emulator-refresh
      orgId: ${salesforce.orgId}
${SCORING}`,
    {},
  );
  const recorder = new InMemoryApiCallRecorder();
  const logger = silentLogger();
  const registry = createConnectors(config, { redis, keyPrefix: `${prefix}:conn:`, recorder, logger });
  const connectors = registry.get(TENANT);
  if (!connectors) throw new Error('no connectors for the test tenant');
  await connectors.hubspot.install({ dryRun: false });
  recorder.reset();
  const store = { prefix: `${prefix}:store` };
  const links = new LeadLinks(redis, store);
  const metrics = new Metrics({ collectDefaults: false });
  const deps: EngineDeps = {
    config,
    connectors: registry,
    links,
    state: new SyncState(redis, store),
    cursors: new CursorStore(redis, store),
    audit: new AuditTrail(redis, links, store),
    metrics,
    logger,
    now: () => new Date(),
  };
  return {
    hubspot,
    salesforce,
    redis,
    connectors,
    recorder,
    deps,
    metrics,
    prefix,
    async close() {
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
        if (keys.length > 0) await redis.del(...keys);
        cursor = next;
      } while (cursor !== '0');
      await redis.quit();
      await hubspot.close();
      await salesforce.close();
    },
  };
}

/**
 * API calls that change data: HubSpot batch update/upsert/create; Salesforce sObject Collections create
 * (`POST /composite/sobjects`) and update (`PATCH`). `POST /composite/sobjects/Lead` is a retrieve (a read).
 */
export function isWrite(call: ApiCall): boolean {
  if (call.system === 'hubspot') return /batch\/(update|upsert|create)|^PATCH /.test(call.endpoint);
  return /^(POST|PATCH|DELETE) \/composite\/sobjects$/.test(call.endpoint);
}

export function writeCalls(recorder: InMemoryApiCallRecorder): ApiCall[] {
  return recorder.calls.filter(isWrite);
}

/** A contact a marketer (or a form) created in HubSpot's UI; returns its id. */
export async function createContact(hubspot: HubSpotEmulator, properties: Record<string, string>) {
  const response = await fetch(`${hubspot.url}/__emulator/contacts`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ properties }),
  });
  if (!response.ok) throw new Error(`create contact: ${response.status} ${await response.text()}`);
  return ((await response.json()) as { id: string }).id;
}

export async function editContact(hubspot: HubSpotEmulator, id: string, properties: Record<string, string>) {
  const response = await fetch(`${hubspot.url}/__emulator/contacts/${id}`, {
    method: 'PATCH',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ properties }),
  });
  if (!response.ok) throw new Error(`edit contact: ${response.status} ${await response.text()}`);
}

export async function contactProperties(hubspot: HubSpotEmulator, id: string) {
  const response = await fetch(`${hubspot.url}/__emulator/contacts/${id}`);
  if (!response.ok) throw new Error(`read contact: ${response.status}`);
  return ((await response.json()) as { properties: Record<string, string | null> }).properties;
}

/** A rep's edit of a Lead in Salesforce's UI (status, rejection reason, other fields). */
export async function repEditsLead(
  salesforce: SalesforceEmulator,
  id: string,
  body: Record<string, unknown>,
) {
  const response = await fetch(`${salesforce.url}/__emulator/leads/${id}/edit`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`edit lead: ${response.status} ${await response.text()}`);
}

export async function salesforceRecord(salesforce: SalesforceEmulator, type: string, id: string) {
  const response = await fetch(`${salesforce.url}/__emulator/records/${type}/${id}`);
  if (!response.ok) throw new Error(`read ${type}: ${response.status}`);
  return (await response.json()) as Record<string, unknown>;
}

export async function setFaults(url: string, faults: Record<string, unknown>) {
  const response = await fetch(`${url}/__emulator/faults`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(faults),
  });
  if (!response.ok) throw new Error(`faults: ${response.status} ${await response.text()}`);
}

/** A lead that passes the default handoff gate (email, names, company) and scores 60 (> 50). */
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

/** Scores 0 (no VP title, no phone): a known lead, below the MQL threshold. */
export function plainContact(email: string): Record<string, string> {
  return { email, firstname: 'Grace', lastname: 'Hopper', company: 'Navy', lifecyclestage: 'lead' };
}
