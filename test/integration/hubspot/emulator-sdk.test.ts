import { Client } from '@hubspot/api-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HubSpotClient } from '../../../connectors/hubspot/client.ts';
import { HubSpotConnector } from '../../../connectors/hubspot/connector.ts';
import { startHubSpotEmulator, type HubSpotEmulator } from '../../../connectors/hubspot/emulator/index.ts';
import type { PermanentError } from '../../../src/errors/index.ts';
import { InMemoryApiCallRecorder } from '../../../src/metrics/api-calls.ts';
import { hubspotPaths } from '../../../connectors/hubspot/api-version.ts';
import { hubspotConfig } from './helpers.ts';
import { conformanceProblems } from './openapi.ts';

const NOW = Date.parse('2026-11-30T12:00:00.000Z');

// The same suite at the dated version LeadBridge uses by default and at the legacy v3 paths.
describe.each(['2026-09', 'v3'])('the connector against the emulator at API version %s', (apiVersion) => {
  let emulator: HubSpotEmulator;
  let connector: HubSpotConnector;
  const recorder = new InMemoryApiCallRecorder();
  const paths = hubspotPaths(apiVersion);
  let clock = NOW;

  beforeAll(async () => {
    emulator = await startHubSpotEmulator({
      seed: 42,
      contacts: 250,
      recordExchanges: true,
      now: () => clock,
    });
    const config = hubspotConfig(emulator.url, { apiVersion });
    connector = new HubSpotConnector(config.tenants[0]!, config, { recorder });
  });
  afterAll(async () => {
    await emulator.close();
  });

  const call = (path: string, init: RequestInit = {}) => fetch(`${emulator.url}${path}`, init);
  const control = (path: string, body: unknown, method = 'POST') =>
    call(`/__emulator${path}`, {
      method,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    }).then((res) => res.json() as Promise<Record<string, unknown>>);

  it('answers a call without a bearer token with 401 in HubSpot\u2019s format', async () => {
    const res = await call(paths.contacts);
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({
      status: 'error',
      category: 'INVALID_AUTHENTICATION',
      message: expect.stringContaining('Authentication credentials not found'),
    });
  });

  it('requires the configured token when one is set', async () => {
    const strict = await startHubSpotEmulator({ token: 'right' });
    try {
      const wrong = new Client({ accessToken: 'wrong', basePath: strict.url, numberOfApiCallRetries: 0 });
      await expect(wrong.crm.contacts.basicApi.getPage(1)).rejects.toMatchObject({ code: 401 });
      const right = new Client({ accessToken: 'right', basePath: strict.url, numberOfApiCallRetries: 0 });
      await expect(right.crm.contacts.basicApi.getPage(1)).resolves.toMatchObject({ results: [] });
    } finally {
      await strict.close();
    }
  });

  it('installs the leadbridge group and properties once, and checkSetup passes after', async () => {
    expect((await connector.checkSetup()).some((check) => !check.ok)).toBe(true);
    expect(await connector.install({ dryRun: true })).toHaveLength(8);
    const actions = await connector.install({ dryRun: false });
    expect(actions.map((action) => action.name)).toEqual([
      'leadbridge',
      'leadbridge_score',
      'leadbridge_stage',
      'leadbridge_rejection_reason',
      'leadbridge_rejected_at',
      'leadbridge_sla_due_at',
      'leadbridge_sla_breached',
      'leadbridge_gate_reason',
    ]);
    expect(await connector.install({ dryRun: false })).toEqual([]);
    expect((await connector.checkSetup()).every((check) => check.ok)).toBe(true);
  });

  it('serves realistic seeded contacts, the same for the same seed', async () => {
    const [first] = await connector.read(['51000000001']);
    expect(first?.lead).toMatchObject({
      email: expect.stringMatching(/@/),
      firstName: expect.any(String),
      lastName: expect.any(String),
    });
    const again = await startHubSpotEmulator({ seed: 42, contacts: 3, now: () => NOW });
    try {
      expect(again.store.find('51000000001')?.properties).toEqual(
        emulator.store.find('51000000001')?.properties,
      );
    } finally {
      await again.close();
    }
    const emails = [...emulator.store.contacts.values()].map((contact) => contact.properties.email ?? '');
    const free = emails.filter((email) => /@(gmail|yahoo|outlook|hotmail|icloud|proton)\./.test(email));
    expect(free.length / emails.length).toBeGreaterThan(0.1);
    expect(free.length / emails.length).toBeLessThan(0.35);
    expect(
      new Set([...emulator.store.contacts.values()].map((c) => c.properties.lifecyclestage)).size,
    ).toBeGreaterThanOrEqual(5);
  });

  it('creates new contacts by upsert on email (never a 409), updates linked ones by id, in one call each', async () => {
    recorder.reset();
    clock += 1_000;
    const outcomes = await connector.write([
      { fields: { email: 'Ada.Lovelace@Analytical.example', firstName: 'Ada', score: 72, stage: 'mql' } },
      { fields: { email: 'ada.lovelace@analytical.example', lastName: 'Lovelace' } },
      { id: '51000000002', fields: { title: 'VP of Marketing', score: 40 } },
    ]);
    expect(outcomes[0]).toMatchObject({ ok: true, created: true });
    expect(outcomes[1]).toMatchObject({ ok: true, id: (outcomes[0] as { id: string }).id });
    expect(outcomes[2]).toEqual({
      ok: true,
      id: '51000000002',
      created: false,
      written: { jobtitle: 'VP of Marketing', leadbridge_score: '40' },
    });
    expect(recorder.count({ endpoint: `POST ${paths.contacts}/batch/upsert` })).toBe(1);
    expect(recorder.count({ endpoint: `POST ${paths.contacts}/batch/update` })).toBe(1);
    const [ada] = await connector.read([(outcomes[0] as { id: string }).id]);
    expect(ada?.lead).toMatchObject({ firstName: 'Ada', lastName: 'Lovelace', score: 72, stage: 'mql' });
    expect(ada?.modifiedAt).toBe(new Date(clock).toISOString());
    // What search-then-create races into: a plain create of an existing email.
    const sdk = new Client({ accessToken: 't', basePath: emulator.url, numberOfApiCallRetries: 0 });
    await expect(
      sdk.crm.contacts.basicApi.create({
        properties: { email: 'ada.lovelace@analytical.example' },
        associations: [],
      }),
    ).rejects.toMatchObject({
      code: 409,
      body: { category: 'CONFLICT', message: expect.stringContaining('Contact already exists') },
    });
  });

  it('refuses a backward lifecycle write, and the connector moves it back by clear-then-set', async () => {
    const id = '51000000003';
    emulator.store.update(emulator.store.find(id)!, { lifecyclestage: 'salesqualifiedlead' }, 'CRM_UI');
    const sdk = new Client({ accessToken: 't', basePath: emulator.url, numberOfApiCallRetries: 0 });
    await expect(
      sdk.crm.contacts.batchApi.update({ inputs: [{ id, properties: { lifecyclestage: 'lead' } }] }),
    ).rejects.toMatchObject({
      code: 400,
      body: {
        category: 'VALIDATION_ERROR',
        message: expect.stringContaining('lifecyclestage can only be set forward'),
      },
    });
    recorder.reset();
    const [outcome] = await connector.write([{ id, fields: { stage: 'recycled' }, backwardStageMove: true }]);
    expect(outcome).toEqual({
      ok: true,
      id,
      created: false,
      written: { lifecyclestage: 'lead', hs_lead_status: 'BAD_TIMING', leadbridge_stage: 'recycled' },
    });
    expect(emulator.store.find(id)?.properties).toMatchObject({
      lifecyclestage: 'lead',
      hs_lead_status: 'BAD_TIMING',
      leadbridge_stage: 'recycled',
    });
    expect(recorder.count({ endpoint: `POST ${paths.contacts}/batch/update`, status: 200 })).toBe(2);
  });

  it('sets backward moves in the same batches as plain updates: one clear call more, not two', async () => {
    await connector.install({ dryRun: false });
    const backwardId = '51000000006';
    emulator.store.update(
      emulator.store.find(backwardId)!,
      { lifecyclestage: 'salesqualifiedlead' },
      'CRM_UI',
    );
    const plain = Array.from({ length: 98 }, (_, i) => String(51000000100 + i));
    recorder.reset();
    const outcomes = await connector.write([
      ...plain.map((id) => ({ id, fields: { title: 'Analyst' } })),
      { id: backwardId, fields: { stage: 'recycled' }, backwardStageMove: true },
    ]);
    expect(outcomes.filter((outcome) => !outcome.ok)).toEqual([]);
    expect(emulator.store.find(backwardId)?.properties).toMatchObject({
      lifecyclestage: 'lead',
      leadbridge_stage: 'recycled',
    });
    expect(emulator.store.find(plain[0]!)?.properties.jobtitle).toBe('Analyst');
    // The clear, then 99 records in one batch (before: 98 plain, then clear and set apart).
    expect(recorder.count({ endpoint: `POST ${paths.contacts}/batch/update`, status: 200 })).toBe(2);
  });

  it('clears the lead status a side state set when the lead moves on from it', async () => {
    const id = '51000000003';
    expect(emulator.store.find(id)?.properties.hs_lead_status).toBe('BAD_TIMING');
    const [outcome] = await connector.write([{ id, fields: { stage: 'mql' }, previousStage: 'recycled' }]);
    expect(outcome).toEqual({
      ok: true,
      id,
      created: false,
      written: { lifecyclestage: 'marketingqualifiedlead', hs_lead_status: '', leadbridge_stage: 'mql' },
    });
    const [record] = await connector.read([id]);
    expect(record?.lead.stage).toBe('mql');
    expect(emulator.store.find(id)?.properties.hs_lead_status || null).toBeNull();
  });

  it('gives each record of a refused batch its own outcome', async () => {
    const outcomes = await connector.write([
      { id: '51000000004', fields: { firstName: 'Grace' } },
      { id: '51000000005', fields: { stage: 'subscriber' } },
      { id: '999', fields: { firstName: 'Nobody' } },
      { fields: { firstName: 'No email' } },
    ]);
    expect(outcomes[0]).toMatchObject({ ok: true, id: '51000000004' });
    expect(outcomes[1]).toMatchObject({ ok: false, id: '51000000005' });
    expect((outcomes[1] as { error: PermanentError }).error.code).toBe('INVALID_LIFECYCLE_STAGE_BACKWARD');
    expect((outcomes[2] as { error: PermanentError }).error.code).toBe('OBJECT_NOT_FOUND');
    expect((outcomes[3] as { error: PermanentError }).error.code).toBe('MISSING_EMAIL');
  });

  it('waits out a 429 for as long as the response says (really), then succeeds', async () => {
    // The portal's burst limit set to 2 per rolling 10 s: the third call is refused with
    // TEN_SECONDLY_ROLLING and X-HubSpot-RateLimit-Interval-Milliseconds 10000, waited out, retried.
    const sleeps: number[] = [];
    const client = new HubSpotClient({
      tenant: 'acme',
      accessToken: 't',
      baseUrl: emulator.url,
      apiVersion,
      recorder,
      sleep: async (ms) => {
        sleeps.push(ms);
        await new Promise((resolve) => setTimeout(resolve, ms));
      },
    });
    await control('/faults', { burstPer10s: 2 });
    recorder.reset();
    const started = Date.now();
    try {
      for (let i = 0; i < 3; i++)
        expect((await client.batchRead(['51000000001'], ['email'])).results).toHaveLength(1);
    } finally {
      await control('/faults', { burstPer10s: 100 });
    }
    expect(sleeps).toEqual([10_000]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(10_000);
    expect(recorder.count({ status: 429 })).toBe(1);
    expect(recorder.count({ status: 200 })).toBe(3);
    const stats = (await (await call('/__emulator/stats')).json()) as {
      calls: Record<string, Record<string, number>>;
    };
    expect(stats.calls[`POST ${paths.contacts}/batch/read`]?.['429']).toBe(1);
  });

  it('enforces the batch cap and the 10,000-result search cap with 400s', async () => {
    const sdk = new Client({ accessToken: 't', basePath: emulator.url, numberOfApiCallRetries: 0 });
    const inputs = Array.from({ length: 101 }, (_, i) => ({ id: String(51000000001 + i) }));
    await expect(
      sdk.crm.contacts.batchApi.read({ inputs, properties: [], propertiesWithHistory: [] }),
    ).rejects.toMatchObject({ code: 400 });
    const search = (after: string, limit: number) =>
      sdk.crm.contacts.searchApi.doSearch({
        filterGroups: [],
        sorts: ['hs_object_id'],
        properties: [],
        limit,
        after,
      });
    await expect(search('9800', 200)).resolves.toMatchObject({ total: expect.any(Number) });
    await expect(search('9900', 200)).rejects.toMatchObject({
      code: 400,
      body: { category: 'VALIDATION_ERROR' },
    });
    await expect(search('0', 201)).rejects.toMatchObject({ code: 400 });
  });

  it('keeps every request and response on the wire valid against HubSpot\u2019s OpenAPI specs', async () => {
    // Every call the connector makes goes through the wire at least once before the check.
    await connector.poll({ modifiedAt: '2000-01-01T00:00:00.000Z', id: '0' }, new Date(clock));
    await connector.poll(
      { modifiedAt: new Date(clock - 60_000).toISOString(), id: '51000000010' },
      new Date(clock),
    );
    await connector.backfill(null);
    await connector.read(['51000000001', '999']);
    await connector.write([
      { fields: { email: 'back@ward.example', stage: 'recycled' }, backwardStageMove: true },
    ]);
    const used = new Set(emulator.exchanges.map((exchange) => `${exchange.method} ${exchange.path}`));
    expect([...used]).toEqual(
      expect.arrayContaining([
        'GET /crm/v3/objects/contacts',
        'POST /crm/v3/objects/contacts/batch/read',
        'POST /crm/v3/objects/contacts/batch/update',
        'POST /crm/v3/objects/contacts/batch/upsert',
        'POST /crm/v3/objects/contacts/search',
        'GET /crm/v3/properties/{objectType}',
        'POST /crm/v3/properties/{objectType}',
        'GET /crm/v3/properties/{objectType}/groups/{groupName}',
        'POST /crm/v3/properties/{objectType}/groups',
      ]),
    );
    expect(emulator.exchanges.some((exchange) => Object.keys(exchange.query).length > 0)).toBe(true);
    const connectorVersions = new Set(
      emulator.exchanges.filter((e) => e.path.includes('{groupName}')).map((e) => e.version),
    );
    expect([...connectorVersions]).toEqual([apiVersion]);
    expect(emulator.exchanges.length).toBeGreaterThan(15);
    const statuses = new Set(emulator.exchanges.map((exchange) => exchange.status));
    expect([...statuses]).toEqual(expect.arrayContaining([200, 201, 207, 400, 401, 409, 429]));
    // The object-schemas spec (required properties) is not among the specs at hand; it is left out.
    const specified = emulator.exchanges.filter((e) => !e.path.startsWith('/crm-object-schemas/'));
    expect(conformanceProblems(specified)).toEqual([]);
  });

  it('has a conformance check that does catch what the specs refuse', () => {
    const list = emulator.exchanges.find(
      (exchange) => exchange.path === '/crm/v3/objects/contacts' && exchange.status === 200,
    )!;
    const upsert = emulator.exchanges.find((exchange) => exchange.path.endsWith('/batch/upsert'))!;
    const problems = conformanceProblems([
      { ...list, query: { limit: 'ten', sortBy: 'email' } },
      { ...list, responseBody: { results: 'none' } },
      { ...upsert, requestBody: { inputs: [{ properties: {} }] } },
      { ...list, status: 418 },
      { ...list, path: '/crm/v3/objects/leads' },
    ]);
    expect(problems).toEqual([
      expect.stringContaining('query parameter limit=ten'),
      expect.stringContaining('query parameter sortBy is not in the spec'),
      expect.stringContaining('200 response'),
      expect.stringContaining('200 request'),
      // Any other status falls under the spec's `default` response: HubSpot's Error body.
      expect.stringContaining('418 response'),
      expect.stringContaining('/crm/v3/objects/leads 200: not in the specs'),
    ]);
  });
});

describe('HubSpot API versions in the emulator', () => {
  const get = (url: string) => fetch(url, { headers: { authorization: 'Bearer t' } });

  it('serves dated and v3 paths alike, and answers an unknown or retired version with 404 in HubSpot\u2019s body', async () => {
    let clock = NOW;
    const emulator = await startHubSpotEmulator({ seed: 7, contacts: 3, now: () => clock });
    try {
      const dated = await get(`${emulator.url}/crm/objects/2026-09/contacts?limit=10`);
      const legacy = await get(`${emulator.url}/crm/v3/objects/contacts?limit=10`);
      expect(dated.status).toBe(200);
      expect(await dated.json()).toEqual(await legacy.json());
      const unknown = await get(`${emulator.url}/crm/objects/2025-09/contacts`);
      expect(unknown.status).toBe(404);
      expect(await unknown.json()).toMatchObject({
        status: 'error',
        category: 'OBJECT_NOT_FOUND',
        message: expect.stringContaining('2025-09 does not exist'),
        correlationId: expect.any(String),
      });
      // Not released yet on 2026-11-30.
      expect((await get(`${emulator.url}/crm/properties/2027-03/contacts`)).status).toBe(404);
      // October 2027: the legacy paths are past their support, 2026-09 is still served.
      clock = Date.parse('2027-10-01T00:00:00.000Z');
      const retired = await get(`${emulator.url}/crm/v3/objects/contacts`);
      expect(retired.status).toBe(404);
      expect(await retired.json()).toMatchObject({ message: expect.stringContaining('no longer supported') });
      expect((await get(`${emulator.url}/crm/objects/2026-09/contacts`)).status).toBe(200);
      // 18 months after its GA, 2026-09 is retired too.
      clock = Date.parse('2028-03-09T00:00:00.000Z');
      expect((await get(`${emulator.url}/crm/objects/2026-09/contacts`)).status).toBe(404);
    } finally {
      await emulator.close();
    }
  });

  it('makes the connector fail permanently (not retry) at a version the portal does not serve', async () => {
    const emulator = await startHubSpotEmulator({ seed: 7, contacts: 3, now: () => NOW });
    try {
      const config = hubspotConfig(emulator.url, { apiVersion: '2027-03' });
      const connector = new HubSpotConnector(config.tenants[0]!, config);
      await expect(connector.read(['51000000001'])).rejects.toMatchObject({
        name: 'PermanentError',
        status: 404,
      });
      expect(await connector.checkSetup()).toEqual([
        expect.objectContaining({
          name: 'hubspot api version',
          ok: false,
          fix: expect.stringContaining('hubspot.apiVersion'),
        }),
      ]);
    } finally {
      await emulator.close();
    }
  });
});
