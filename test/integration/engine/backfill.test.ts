import { Redis } from 'ioredis';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startHubSpotEmulator, type HubSpotEmulator } from '../../../connectors/hubspot/emulator/index.ts';
import {
  startSalesforceEmulator,
  type SalesforceEmulator,
} from '../../../connectors/salesforce/emulator/index.ts';
import { backfill } from '../../../jobs/backfill.ts';
import { pollPass } from '../../../jobs/poll-pass.ts';
import type { ChangeEvent } from '../../../src/domain/change-event.ts';
import { withDryRunEngine } from '../../../jobs/dry-run-engine.ts';
import type { ReconcileBatch } from '../../../jobs/engine.ts';
import { buildEngine, enginePrefixes } from '../../../jobs/engine-runtime.ts';
import { reconcileBatch } from '../../../jobs/reconcile/reconcile-batch.ts';
import { handToWorkers } from '../../../jobs/hand-to-workers.ts';
import { createReconcileQueue } from '../../../jobs/reconcile-queue.ts';
import { SyncState, type StateWrite, type StateWriteResult } from '../../../src/store/sync-state.ts';
import { parseConfig } from '../../../src/config/load.ts';
import { PermanentError } from '../../../src/errors/permanent-error.ts';
import { silentLogger } from '../../../src/log/logger.ts';
import { Metrics } from '../../../src/metrics/prometheus.ts';
import { createContact, deleteKeys, emulatorConfig, qualifiedContact } from '../../helpers/emulators.ts';

const TENANT = 'acme';
/** More than one HubSpot list page (100 per page). */
const CONTACTS = 130;
/** Salesforce leads, each with the email of a HubSpot contact above or of no one. */
const SF_LEADS = 4;

async function createLead(salesforce: SalesforceEmulator, email: string): Promise<void> {
  const response = await fetch(`${salesforce.url}/__emulator/leads`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      fields: { LastName: 'Rep', Company: 'Initech', Email: email, Status: 'Open - Not Contacted' },
    }),
  });
  if (!response.ok) throw new Error(`create lead: ${response.status} ${await response.text()}`);
}

/** Write calls the emulators served (HubSpot batch writes; Salesforce sObject Collections). */
function writeCalls(hubspot: HubSpotEmulator, salesforce: SalesforceEmulator): number {
  let total = 0;
  for (const [endpoint, byStatus] of hubspot.calls) {
    if (/batch\/(update|upsert|create)|^PATCH /.test(endpoint)) for (const n of byStatus.values()) total += n;
  }
  for (const [endpoint, byStatus] of Object.entries(salesforce.state.usage.stats().calls)) {
    if (/^(POST|PATCH|DELETE) \/composite\/sobjects$|^PATCH \/composite\/sobjects\/\w+\/\w+$/.test(endpoint))
      for (const n of Object.values(byStatus)) total += n;
  }
  return total;
}

function listCalls(hubspot: HubSpotEmulator): number {
  let total = 0;
  for (const [endpoint, byStatus] of hubspot.calls) {
    if (/^GET \/crm\/(v3\/objects|objects\/2026-09)\/contacts$/.test(endpoint))
      for (const n of byStatus.values()) total += n;
  }
  return total;
}

/** A worker that stores a state of its own for one person's lead just before every write of ours. */
class WorkerKeepsChanging extends SyncState {
  #email: string;
  #n = 0;
  constructor(redis: Redis, prefix: string, email: string) {
    super(redis, { prefix });
    this.#email = email;
  }
  override async writeMany(tenant: string, writes: StateWrite[]): Promise<StateWriteResult[]> {
    for (const write of writes) {
      if (write.state.base.email !== this.#email) continue;
      const current = await this.read(tenant, write.leadKey);
      const base = { ...write.state.base, phone: `+1 555 01${String(this.#n++ % 100).padStart(2, '0')}` };
      await super.writeMany(tenant, [
        { ...write, expectedVersion: current.version, state: { ...write.state, base } },
      ]);
    }
    return super.writeMany(tenant, writes);
  }
}

async function keysUnder(redis: Redis, prefix: string): Promise<string[]> {
  const found: string[] = [];
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    found.push(...keys);
    cursor = next;
  } while (cursor !== '0');
  return found;
}

describe('backfill against both emulators', () => {
  let hubspot: HubSpotEmulator;
  let salesforce: SalesforceEmulator;
  let redis: Redis;
  let base: string;
  let qualified: string;

  beforeEach(async () => {
    base = `test-backfill-${process.pid}-${Date.now()}`;
    hubspot = await startHubSpotEmulator({ port: 0, seed: 21, contacts: 0, webhookApiChanges: false });
    salesforce = await startSalesforceEmulator({ port: 0, seed: 21 });
    // Contacts below the MQL threshold (the generated ones may qualify without a Company, which
    // Salesforce refuses), then one that qualifies, last, so on the second page.
    for (let i = 0; i < CONTACTS; i++)
      await createContact(hubspot, { email: `p${i}@example.org`, firstname: 'P', lifecyclestage: 'lead' });
    qualified = await createContact(hubspot, qualifiedContact('ada-backfill@analytical.example'));
    // Leads a rep entered in Salesforce; the first is the same person as HubSpot's p0@example.org.
    for (let i = 0; i < SF_LEADS; i++) await createLead(salesforce, `p${i * 50}@example.org`);
    redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { maxRetriesPerRequest: 1 });
  });

  afterEach(async () => {
    await deleteKeys(redis, `${base}:`);
    await redis.quit();
    await hubspot.close();
    await salesforce.close();
  });

  function deps() {
    return {
      redis,
      logger: silentLogger(),
      metrics: new Metrics({ collectDefaults: false }),
      prefixes: enginePrefixes(base),
    };
  }

  async function runtime() {
    const config = parseConfig(emulatorConfig(hubspot, salesforce), {});
    const { HubSpotConnector } = await import('../../../connectors/hubspot/connector.ts');
    await new HubSpotConnector(config.tenants[0]!, config).install({ dryRun: false });
    return { config, runtime: buildEngine(config, deps()) };
  }

  it('a second full pass over leads a rep already worked in Salesforce writes nothing', async () => {
    // Seeded leads carry every default status, closed and converted ones included, with the custom
    // fields blank: the first pass fills them in, the second finds both sides equal.
    const seeded = await fetch(`${salesforce.url}/__emulator/seed`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ count: 20 }),
    });
    expect(seeded.ok).toBe(true);
    const { runtime: engine } = await runtime();
    const first = await backfill(engine, reconcileBatch, { batchSize: 100 });
    expect(first.records.salesforce).toBeGreaterThanOrEqual(20);
    const writesAfterFirst = writeCalls(hubspot, salesforce);
    expect(writesAfterFirst).toBeGreaterThan(0);

    const second = await backfill(engine, reconcileBatch, { batchSize: 100, restart: true });
    expect(second.written).toEqual({ hubspot: 0, salesforce: 0 });
    expect(writeCalls(hubspot, salesforce)).toBe(writesAfterFirst);
  });

  it('resumes after an interruption from the last reconciled page, then clears its checkpoint', async () => {
    const { runtime: engine } = await runtime();
    let calls = 0;
    const failSecond: ReconcileBatch = async (...args) => {
      calls += 1;
      if (calls === 2) throw new PermanentError('interrupted', 'TEST_INTERRUPT');
      return reconcileBatch(...args);
    };
    const first = await backfill(engine, failSecond, { batchSize: 100 });
    expect(first.complete).toBe(false);
    expect(first.records.hubspot).toBe(CONTACTS + 1);
    // The second page's records are reported, with the error's code, not dropped.
    expect(first.failures).toHaveLength(CONTACTS + 1 - 100);
    expect(first.failures.every((failure) => failure.code === 'TEST_INTERRUPT')).toBe(true);
    const checkpoint = await engine.engine.cursors.getBackfill(TENANT, 'hubspot');
    expect(checkpoint).toMatchObject({ processed: 100, done: false });
    expect(checkpoint?.after).toBeTruthy();

    const listsBefore = listCalls(hubspot);
    const second = await backfill(engine, reconcileBatch, { batchSize: 100 });
    expect(second.complete).toBe(true);
    expect(second.failures).toEqual([]);
    expect(second.resumed).toEqual([{ tenant: TENANT, system: 'hubspot', processed: 100 }]);
    // Only the second page was read again: the first one is behind the checkpoint. (The first run went
    // on to Salesforce and created a contact for each Salesforce lead without one: p150, on that page.)
    expect(hubspot.store.contacts.size).toBe(CONTACTS + 1 + 1);
    expect(second.records.hubspot).toBe(hubspot.store.contacts.size - 100);
    expect(listCalls(hubspot) - listsBefore).toBe(1);
    // Salesforce finished in the first run (its checkpoint said done): not read again.
    expect(first.records.salesforce).toBe(SF_LEADS);
    expect(second.records.salesforce).toBe(0);
    expect(await engine.engine.cursors.getBackfill(TENANT, 'hubspot')).toBeNull();
    expect(await engine.engine.cursors.getBackfill(TENANT, 'salesforce')).toBeNull();

    // A HubSpot contact and a Salesforce lead of one person were linked as one lead, by email.
    const p0 = await engine.engine.links.find(TENANT, 'email', 'p0@example.org');
    expect(p0?.hubspot).toBeTruthy();
    expect(p0?.salesforceLead).toBeTruthy();

    // The qualifying contact (on the second page) reached Salesforce; a full re-run writes nothing.
    const leads = salesforce.state.store.rows('Lead');
    expect(leads.some((lead) => lead.Email === 'ada-backfill@analytical.example')).toBe(true);
    const writes = writeCalls(hubspot, salesforce);
    const again = await backfill(engine, reconcileBatch);
    expect(again.written).toEqual({ hubspot: 0, salesforce: 0 });
    expect(writeCalls(hubspot, salesforce)).toBe(writes);
  });

  it('commits the poll cursors it covered: edits made after it are polled even after the overlap window', async () => {
    const { runtime: engine } = await runtime();
    const startedAt = Date.now();
    const run = await backfill(engine, reconcileBatch, { batchSize: 100 });
    expect(run.complete).toBe(true);
    const hubspotCursor = await engine.engine.cursors.getCursor(TENANT, 'hubspot');
    const salesforceCursor = await engine.engine.cursors.getCursor(TENANT, 'salesforce');
    expect(hubspotCursor).not.toBeNull();
    expect(salesforceCursor).not.toBeNull();
    // HubSpot: from the backfill's start, less the poll overlap (2m by default).
    expect(Date.parse(hubspotCursor!.modifiedAt)).toBeGreaterThanOrEqual(startedAt - 120_000);
    expect(Date.parse(hubspotCursor!.modifiedAt)).toBeLessThanOrEqual(Date.now() - 120_000);

    // A person edits both sides after the backfill (in a later second: SystemModstamp has no
    // milliseconds), and the first poll runs an hour later.
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    const lead = salesforce.state.store.rows('Lead')[0]!;
    const edit = await fetch(`${salesforce.url}/__emulator/leads/${String(lead.Id)}/edit`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ fields: { Title: 'Head of Ops' } }),
    });
    expect(edit.ok).toBe(true);
    const patched = await fetch(`${hubspot.url}/__emulator/contacts/${qualified}`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ properties: { jobtitle: 'CTO' } }),
    });
    expect(patched.ok).toBe(true);
    const later = Date.now() + 3_600_000;
    engine.engine.now = () => new Date(later);
    const seen: ChangeEvent[] = [];
    const sink = async (events: ChangeEvent[]) => {
      seen.push(...events);
    };
    await pollPass({ engine: engine.engine, sink }, TENANT, 'salesforce');
    await pollPass({ engine: engine.engine, sink }, TENANT, 'hubspot');
    const ids = seen.map((event) => event.objectId);
    expect(ids).toContain(String(lead.Id));
    expect(ids).toContain(qualified);
  });

  it('hands the workers a lead a worker kept changing meanwhile, instead of failing', async () => {
    const { config, runtime: engine } = await runtime();
    engine.engine.state = new WorkerKeepsChanging(redis, `${base}:store`, 'ada-backfill@analytical.example');
    const queue = createReconcileQueue(redis, silentLogger(), base);
    try {
      const summary = await backfill(engine, reconcileBatch, {
        batchSize: 100,
        handOver: handToWorkers(engine, queue),
      });
      expect(summary.failures).toEqual([]);
      expect(summary.complete).toBe(true);
      expect(summary.handedToWorkers).toBe(1);
      // The workers find the lead pending, with a reconcile job to take it.
      const link = await engine.engine.links.find(TENANT, 'hubspot', qualified);
      const pending = await engine.pending.popDue(TENANT, Date.now() + 1_000, 10);
      expect(pending).toEqual([
        expect.objectContaining({ system: 'hubspot', id: qualified, leadKey: link!.leadKey }),
      ]);
      expect(await queue.count()).toBeGreaterThanOrEqual(1);
      expect(config.tenants[0]!.id).toBe(TENANT);
    } finally {
      await queue.close();
    }
  });

  it('--dry-run plans the patches but writes nothing to the tenants or to the state', async () => {
    const { config } = await runtime();
    const writesBefore = writeCalls(hubspot, salesforce);
    const leadsBefore = salesforce.state.store.rows('Lead').length;
    const run = await withDryRunEngine(config, deps(), (dry) => backfill(dry, reconcileBatch));

    expect(run.result.complete).toBe(true);
    expect(run.result.records).toEqual({ hubspot: CONTACTS + 1, salesforce: SF_LEADS });
    const create = run.planned.find(
      (patch) => patch.system === 'salesforce' && patch.fields.email === 'ada-backfill@analytical.example',
    );
    expect(create).toMatchObject({ tenant: TENANT, recordId: null });
    expect(create?.fields).toMatchObject({ score: 60, stage: 'mql' });
    expect(run.planned.some((patch) => patch.system === 'hubspot' && patch.recordId === qualified)).toBe(
      true,
    );
    expect(run.result.created.salesforce).toBeGreaterThanOrEqual(1);
    const listed = run.planned.map((patch) => JSON.stringify(patch));
    expect(new Set(listed).size).toBe(listed.length);

    expect(writeCalls(hubspot, salesforce)).toBe(writesBefore);
    expect(salesforce.state.store.rows('Lead')).toHaveLength(leadsBefore);
    expect(await keysUnder(redis, `${base}:store`)).toEqual([]);
  });
});
