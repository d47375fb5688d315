import { HubSpotConnector } from '../connectors/hubspot/connector.ts';
import { startHubSpotEmulator } from '../connectors/hubspot/emulator/index.ts';
import { SalesforceConnector } from '../connectors/salesforce/connector.ts';
import { backfillCursor } from '../connectors/salesforce/cursor.ts';
import { startSalesforceEmulator } from '../connectors/salesforce/emulator/index.ts';
import type { PollCursor, SystemRecord } from '../connectors/types.ts';
import { parseConfig } from '../src/config/load.ts';
import { InMemoryApiCallRecorder } from '../src/metrics/api-calls.ts';
import type { ScenarioResult } from './scenario.ts';

// HubSpot: batch endpoints take 100 inputs, search pages hold 200. Salesforce: collections take 200 records,
// a query page holds up to 2,000 rows. These caps set the lower bounds the scenarios compare against.
const HUBSPOT_BATCH = 100;
const HUBSPOT_SEARCH_PAGE = 200;
const SALESFORCE_COLLECTION = 200;

async function post(url: string, body: unknown): Promise<unknown> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`${url}: ${response.status} ${await response.text()}`);
  return response.json();
}

/** API calls per lead for the HubSpot connector's batch paths, against the emulator with its rate limits lifted. */
export async function hubspotScenarios(contacts: number, massUpdate: number): Promise<ScenarioResult[]> {
  const emulator = await startHubSpotEmulator({
    port: 0,
    seed: 11,
    faults: { burstPer10s: 0, searchPerSecond: 0 },
  });
  const recorder = new InMemoryApiCallRecorder();
  try {
    const config = parseConfig(
      `tenants: [{ id: bench, hubspot: { accessToken: t, baseUrl: "${emulator.url}" }, salesforce: { orgId: 00D000000000000AAA, accessToken: t, instanceUrl: "https://x.example" } }]`,
      {},
    );
    const hubspot = new HubSpotConnector(config.tenants[0]!, config, { recorder });
    await post(`${emulator.url}/__emulator/seed`, { count: contacts });

    const records: SystemRecord[] = [];
    for (let after: string | null = null, first = true; first || after !== null; first = false) {
      const page = await hubspot.backfill(after);
      records.push(...page.records);
      after = page.after;
    }
    const backfillCalls = recorder.calls.length;

    recorder.reset();
    const outcomes = await hubspot.write(
      records.map((record) => ({ id: record.id, fields: { title: 'Benchmark' } })),
    );
    const writeCalls = recorder.calls.length;
    if (outcomes.some((outcome) => !outcome.ok)) throw new Error('HubSpot benchmark writes failed');

    await post(`${emulator.url}/__emulator/reset`, {});
    await post(`${emulator.url}/__emulator/seed`, { count: massUpdate });
    const start: PollCursor = { modifiedAt: new Date(Date.now() - 60_000).toISOString(), id: '0' };
    await new Promise((resolve) => setTimeout(resolve, 5));
    await post(`${emulator.url}/__emulator/mass-update`, {
      properties: { jobtitle: 'Month-end' },
      notify: false,
    });
    recorder.reset();
    const seen = new Set<string>();
    for (let cursor: PollCursor | null = start, pages = 0; ; pages += 1) {
      const page = await hubspot.poll(cursor, new Date(Date.now() + 10 * 60_000));
      for (const record of page.records) seen.add(record.id);
      cursor = page.next;
      if (page.done) break;
      if (pages > 10_000) throw new Error('the poller did not finish');
    }
    if (seen.size < massUpdate) throw new Error(`mass update: polled ${seen.size} of ${massUpdate}`);
    const pollCalls = recorder.calls.length;

    return [
      {
        name: 'hubspot backfill (list)',
        records: records.length,
        measured: backfillCalls,
        reference: Math.ceil(records.length / HUBSPOT_BATCH),
        referenceLabel: 'bound: 1 per 100',
        unit: 'calls',
      },
      {
        name: 'hubspot batch update',
        records: records.length,
        measured: writeCalls,
        reference: Math.ceil(records.length / HUBSPOT_BATCH),
        referenceLabel: 'bound: 1 per 100',
        unit: 'calls',
        note: `one call per contact would be ${records.length}`,
      },
      {
        name: 'hubspot poll, one shared timestamp',
        records: massUpdate,
        measured: pollCalls,
        reference: Math.ceil(massUpdate / HUBSPOT_SEARCH_PAGE),
        referenceLabel: 'bound: 1 per 200',
        unit: 'calls',
      },
    ];
  } finally {
    await emulator.close();
  }
}

/** API calls per lead for the Salesforce connector's collection writes and keyset poll. */
export async function salesforceScenarios(leads: number): Promise<ScenarioResult[]> {
  const emulator = await startSalesforceEmulator({ port: 0, seed: 11 });
  const recorder = new InMemoryApiCallRecorder();
  try {
    const config = parseConfig(
      `tenants: [{ id: bench, hubspot: { accessToken: t }, salesforce: { loginUrl: "${emulator.url}", instanceUrl: "${emulator.url}", accessToken: bench-token, orgId: ${emulator.orgId} } }]`,
      {},
    );
    const salesforce = new SalesforceConnector({ config, tenant: config.tenants[0]!, recorder });
    const patches = Array.from({ length: leads }, (_, index) => ({
      fields: {
        email: `bench${index}@example.com`,
        firstName: 'Bench',
        lastName: `Lead ${index}`,
        company: `Company ${index % 97}`,
      },
    }));
    const outcomes = await salesforce.write(patches);
    if (outcomes.some((outcome) => !outcome.ok)) throw new Error('Salesforce benchmark writes failed');
    const writeCalls = recorder.calls.filter((call) => call.endpoint.includes('composite')).length;

    recorder.reset();
    const seen = new Set<string>();
    for (let cursor: PollCursor | null = backfillCursor(), pages = 0; ; pages += 1) {
      const page = await salesforce.poll(cursor, new Date());
      for (const record of page.records) seen.add(record.id);
      cursor = page.next;
      if (page.done) break;
      if (pages > 10_000) throw new Error('the poller did not finish');
    }
    if (seen.size < leads) throw new Error(`salesforce poll: saw ${seen.size} of ${leads}`);
    const pollCalls = recorder.calls.length;

    return [
      {
        name: 'salesforce collections create',
        records: leads,
        measured: writeCalls,
        reference: Math.ceil(leads / SALESFORCE_COLLECTION),
        referenceLabel: 'bound: 1 per 200',
        unit: 'calls',
        note: `one call per lead would be ${leads}`,
      },
      {
        name: 'salesforce keyset poll (from start)',
        records: leads,
        measured: pollCalls,
        reference: Math.ceil(leads / SALESFORCE_COLLECTION),
        referenceLabel: 'bound: 1 per 200-row page',
        unit: 'calls',
      },
    ];
  } finally {
    await emulator.close();
  }
}
