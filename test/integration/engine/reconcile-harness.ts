import { Redis } from 'ioredis';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import { createConnectors, type TenantConnectors } from '../../../connectors/index.ts';
import { startHubSpotEmulator, type HubSpotEmulator } from '../../../connectors/hubspot/emulator/index.ts';
import {
  startSalesforceEmulator,
  type SalesforceEmulator,
} from '../../../connectors/salesforce/emulator/index.ts';
import type { EngineDeps } from '../../../jobs/engine.ts';
import { parseConfig } from '../../../src/config/load.ts';
import { HubSpotTenantConfig } from '../../../src/config/tenant-schema.ts';
import { silentLogger } from '../../../src/log/logger.ts';
import { InMemoryApiCallRecorder, type ApiCall } from '../../../src/metrics/api-calls.ts';
import { Metrics } from '../../../src/metrics/prometheus.ts';
import { AuditTrail } from '../../../src/store/audit-trail.ts';
import { CursorStore } from '../../../src/store/cursors.ts';
import { LeadLinks } from '../../../src/store/lead-links.ts';
import { LeadLedger } from '../../../src/store/lead-ledger.ts';
import { ParkedWrites } from '../../../src/store/parked-writes.ts';
import { SyncState } from '../../../src/store/sync-state.ts';
import { deleteKeys, emulatorConfig } from '../../helpers/emulators.ts';

export { createContact, qualifiedContact } from '../../helpers/emulators.ts';

export const TENANT = 'acme';

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

export interface HarnessOptions {
  /** YAML merged into the tenant's `hubspot` section, e.g. `{ leadsObject: { enabled: true } }`. */
  hubspot?: Record<string, unknown>;
}

export async function startHarness(name: string, options: HarnessOptions = {}): Promise<Harness> {
  const prefix = `test-reconcile-${name}-${process.pid}-${Date.now()}`;
  const hubspot = await startHubSpotEmulator({ port: 0, seed: 11, contacts: 0, webhookApiChanges: false });
  const salesforce = await startSalesforceEmulator({ port: 0, seed: 11 });
  const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { maxRetriesPerRequest: 1 });
  // emulatorConfig names its one tenant `acme`, which is TENANT.
  const config = parseConfig(emulatorConfig(hubspot, salesforce), {});
  if (options.hubspot) {
    const tenant = config.tenants[0]!;
    tenant.hubspot = HubSpotTenantConfig.parse({ ...tenant.hubspot, ...options.hubspot });
  }
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
    ledger: new LeadLedger(redis, store),
    cursors: new CursorStore(redis, store),
    audit: new AuditTrail(redis, links, store),
    metrics,
    logger,
    now: () => new Date(),
    parked: new ParkedWrites(redis, store),
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
      await deleteKeys(redis, `${prefix}:`);
      await redis.quit();
      await hubspot.close();
      await salesforce.close();
    },
  };
}

/**
 * Registers the suite's hooks: a harness started before its tests and closed after them, with the call
 * recorder reset before each test. `use` receives the started harness.
 */
export function useHarness(
  name: string,
  use: (harness: Harness) => void,
  options: HarnessOptions = {},
): void {
  let harness: Harness | undefined;
  beforeAll(async () => {
    harness = await startHarness(name, options);
    use(harness);
  });
  afterAll(async () => {
    await harness?.close();
  });
  beforeEach(() => {
    harness?.recorder.reset();
  });
}

/** Unique addresses per file run: `name-1@example.com`, `name-2@example.com`, … */
export function emailSequence(): (name: string) => string {
  let seq = 0;
  return (name) => `${name}-${++seq}@example.com`;
}

/**
 * API calls that change data: HubSpot batch update/upsert/create; Salesforce sObject Collections create
 * (`POST /composite/sobjects`), update (`PATCH`) and upsert (`PATCH /composite/sobjects/Lead/<key field>`).
 * `POST /composite/sobjects/Lead` is a retrieve (a read).
 */
export function isWrite(call: ApiCall): boolean {
  if (call.system === 'hubspot') return /batch\/(update|upsert|create)|^PATCH /.test(call.endpoint);
  return /^(POST|PATCH|DELETE) \/composite\/sobjects$|^PATCH \/composite\/sobjects\/\w+\/\w+$/.test(
    call.endpoint,
  );
}

export function writeCalls(recorder: InMemoryApiCallRecorder): ApiCall[] {
  return recorder.calls.filter(isWrite);
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

/** A Lead a rep enters in Salesforce's UI (Company and an open status unless `fields` say otherwise). */
export async function repCreatesLead(
  salesforce: SalesforceEmulator,
  fields: Record<string, unknown>,
): Promise<string> {
  const response = await fetch(`${salesforce.url}/__emulator/leads`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ fields: { Company: 'Initech', Status: 'Open - Not Contacted', ...fields } }),
  });
  if (!response.ok) throw new Error(`create lead: ${response.status} ${await response.text()}`);
  return ((await response.json()) as { id: string }).id;
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

/** Scores 0 (no VP title, no phone): a known lead, below the MQL threshold. */
export function plainContact(email: string): Record<string, string> {
  return { email, firstname: 'Grace', lastname: 'Hopper', company: 'Navy', lifecyclestage: 'lead' };
}
