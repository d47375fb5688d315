import nock from 'nock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { HubSpotClient } from '../../../connectors/hubspot/client.ts';
import { searchRequest } from '../../../connectors/hubspot/poll-window.ts';
import { listProperties } from '../../../connectors/hubspot/properties-client.ts';
import { PermanentError, RateLimitedError } from '../../../src/errors/index.ts';
import { InMemoryApiCallRecorder } from '../../../src/metrics/api-calls.ts';

const BASE = 'https://api.hubapi.example';
const contact = (id: string, properties: Record<string, string> = {}) => ({
  id,
  properties: { hs_object_id: id, ...properties },
  createdAt: '2024-11-12T16:00:00.000Z',
  updatedAt: '2024-11-12T16:00:01.000Z',
  archived: false,
});
const batch = (results: unknown[]) => ({
  status: 'COMPLETE',
  results,
  startedAt: '2024-11-12T16:00:00.000Z',
  completedAt: '2024-11-12T16:00:00.100Z',
});

function client(overrides: Partial<ConstructorParameters<typeof HubSpotClient>[0]> = {}) {
  const recorder = new InMemoryApiCallRecorder();
  const sleeps: number[] = [];
  const hubspot = new HubSpotClient({
    tenant: 'acme',
    accessToken: 'pat-na1-test',
    baseUrl: `${BASE}/`,
    recorder,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    ...overrides,
  });
  return { hubspot, recorder, sleeps };
}

beforeAll(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());
afterAll(() => nock.enableNetConnect());

describe('HubSpotClient requests', () => {
  it('upserts new contacts keyed by email with a bearer token, 100 per call', async () => {
    const { hubspot, recorder } = client();
    const inputs = Array.from({ length: 150 }, (_, i) => ({
      email: `lead${i}@acme.com`,
      properties: { firstname: `L${i}` },
    }));
    const bodies: unknown[] = [];
    const scope = nock(BASE, {
      reqheaders: { authorization: 'Bearer pat-na1-test', 'content-type': /application\/json/ },
    })
      .post('/crm/objects/2026-09/contacts/batch/upsert', (body) => {
        bodies.push(body);
        return true;
      })
      .times(2)
      .reply(200, () =>
        batch(
          (bodies.at(-1) as { inputs: Array<{ id: string }> }).inputs.map((input, i) => ({
            ...contact(String(1000 + i), { email: input.id }),
            new: true,
          })),
        ),
      );
    const result = await hubspot.batchUpsertByEmail(inputs);
    scope.done();
    expect(bodies).toHaveLength(2);
    expect(bodies[0]).toEqual({
      inputs: inputs
        .slice(0, 100)
        .map((input) => ({ id: input.email, idProperty: 'email', properties: input.properties })),
    });
    expect((bodies[1] as { inputs: unknown[] }).inputs).toHaveLength(50);
    expect(result.results).toHaveLength(150);
    expect(result.results[0]).toMatchObject({
      id: '1000',
      created: true,
      properties: { email: 'lead0@acme.com' },
    });
    expect(recorder.count({ endpoint: 'POST /crm/objects/2026-09/contacts/batch/upsert', status: 200 })).toBe(
      2,
    );
  });

  it('calls the legacy /crm/v3 paths when the tenant\u2019s apiVersion is v3, with the same body', async () => {
    const { hubspot, recorder } = client({ apiVersion: 'v3' });
    const scope = nock(BASE, { reqheaders: { authorization: 'Bearer pat-na1-test' } })
      .post('/crm/v3/objects/contacts/batch/upsert', {
        inputs: [{ id: 'a@acme.com', idProperty: 'email', properties: { firstname: 'A' } }],
      })
      .reply(200, batch([{ ...contact('7', { email: 'a@acme.com' }), new: false }]))
      .get('/crm/v3/properties/contacts')
      .query({ archived: 'false' })
      .reply(200, { results: [] });
    const result = await hubspot.batchUpsertByEmail([
      { email: 'a@acme.com', properties: { firstname: 'A' } },
    ]);
    await listProperties(hubspot);
    scope.done();
    expect(result.results[0]).toMatchObject({ id: '7', created: false });
    expect(recorder.count({ endpoint: 'POST /crm/v3/objects/contacts/batch/upsert', status: 200 })).toBe(1);
  });

  it('reads by id with the properties asked for and reports ids HubSpot no longer has', async () => {
    const { hubspot } = client();
    const scope = nock(BASE)
      .post('/crm/objects/2026-09/contacts/batch/read', {
        inputs: [{ id: '1' }, { id: '2' }],
        properties: ['email', 'lifecyclestage'],
        propertiesWithHistory: [],
      })
      .reply(207, {
        ...batch([contact('1', { email: 'a@b.co' })]),
        numErrors: 1,
        errors: [
          {
            status: 'error',
            category: 'OBJECT_NOT_FOUND',
            message: 'Could not get some CONTACT objects',
            context: { ids: ['2'] },
            errors: [],
            links: {},
          },
        ],
      });
    const result = await hubspot.batchRead(['1', '2'], ['email', 'lifecyclestage']);
    scope.done();
    expect(result.results.map((c) => c.id)).toEqual(['1']);
    expect(result.errors).toEqual([
      { ids: ['2'], category: 'OBJECT_NOT_FOUND', message: 'Could not get some CONTACT objects' },
    ]);
  });

  it('sends the keyset search exactly: one sort, the filters, limit 200, after 0', async () => {
    const { hubspot, recorder } = client();
    const scope = nock(BASE)
      .post('/crm/objects/2026-09/contacts/search', {
        filterGroups: [
          {
            filters: [
              { propertyName: 'lastmodifieddate', operator: 'EQ', value: '1731427200000' },
              { propertyName: 'hs_object_id', operator: 'GT', value: '51' },
            ],
          },
        ],
        sorts: ['hs_object_id'],
        properties: ['email', 'lastmodifieddate'],
        limit: 200,
        after: '0',
      })
      .reply(200, { total: 1, results: [contact('52', { lastmodifieddate: '2024-11-12T16:00:00.000Z' })] });
    const page = await hubspot.search(
      searchRequest({ at: 1731427200000, id: '51' }, 'drain', ['email', 'lastmodifieddate'], 200),
    );
    scope.done();
    expect(page).toMatchObject({ total: 1, after: undefined, results: [{ id: '52' }] });
    expect(recorder.count({ endpoint: 'POST /crm/objects/2026-09/contacts/search', status: 200 })).toBe(1);
  });

  it('moves a lifecycle stage backwards by clearing it in one call and setting it in a second', async () => {
    const { hubspot } = client();
    const scope = nock(BASE)
      .post('/crm/objects/2026-09/contacts/batch/update', {
        inputs: [{ id: '7', properties: { lifecyclestage: '' } }],
      })
      .reply(200, batch([contact('7')]))
      .post('/crm/objects/2026-09/contacts/batch/update', {
        inputs: [{ id: '7', properties: { lifecyclestage: 'lead', hs_lead_status: 'BAD_TIMING' } }],
      })
      .reply(200, batch([contact('7', { lifecyclestage: 'lead' })]));
    const result = await hubspot.setLifecycleBackward([
      { id: '7', properties: { lifecyclestage: 'lead', hs_lead_status: 'BAD_TIMING' } },
    ]);
    scope.done();
    expect(result.results[0]?.properties.lifecyclestage).toBe('lead');
  });

  it('waits out a ten-secondly 429 for as long as the response says, then retries', async () => {
    const { hubspot, recorder, sleeps } = client();
    const scope = nock(BASE)
      .get('/crm/objects/2026-09/contacts')
      .query(true)
      .reply(
        429,
        {
          status: 'error',
          message: 'You have reached your ten_secondly_rolling limit.',
          errorType: 'RATE_LIMIT',
          policyName: 'TEN_SECONDLY_ROLLING',
          correlationId: 'c',
        },
        { 'X-HubSpot-RateLimit-Interval-Milliseconds': '10000', 'X-HubSpot-RateLimit-Remaining': '0' },
      )
      .get('/crm/objects/2026-09/contacts')
      .query({ limit: '100', properties: 'email', archived: 'false' })
      .reply(200, { results: [contact('1')], paging: { next: { after: '2' } } });
    const page = await hubspot.listPage(undefined, ['email']);
    scope.done();
    expect(sleeps).toEqual([10_000]);
    expect(page.after).toBe('2');
    expect(recorder.count({ status: 429 })).toBe(1);
    expect(recorder.count({ status: 200 })).toBe(1);
  });

  it('throws a daily 429 as RateLimitedError instead of sleeping for an hour', async () => {
    const { hubspot, sleeps } = client();
    nock(BASE).post('/crm/objects/2026-09/contacts/batch/update').reply(429, {
      status: 'error',
      message: 'You have reached your daily limit.',
      errorType: 'RATE_LIMIT',
      policyName: 'DAILY',
      correlationId: 'c',
    });
    const error = await hubspot
      .batchUpdate([{ id: '1', properties: { firstname: 'x' } }])
      .catch((err: unknown) => err);
    expect(error).toBeInstanceOf(RateLimitedError);
    expect((error as RateLimitedError).policy).toBe('DAILY');
    expect(sleeps).toEqual([]);
  });

  it('classifies a refusal as PermanentError with HubSpot\u2019s category, and counts a failed connection as status 0', async () => {
    const { hubspot, recorder } = client();
    nock(BASE).post('/crm/objects/2026-09/contacts/batch/upsert').reply(400, {
      status: 'error',
      message: 'Property values were not valid',
      category: 'VALIDATION_ERROR',
      correlationId: 'c',
    });
    await expect(hubspot.batchUpsertByEmail([{ email: 'a@b.co', properties: {} }])).rejects.toMatchObject({
      name: 'PermanentError',
      code: 'VALIDATION_ERROR',
      status: 400,
    });
    nock(BASE)
      .post('/crm/objects/2026-09/contacts/batch/read')
      .replyWithError(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }));
    const error = await hubspot.batchRead(['1'], ['email']).catch((err: unknown) => err);
    expect(error).toMatchObject({ name: 'RetryableError', message: expect.stringContaining('ECONNRESET') });
    expect(recorder.count({ status: 0 })).toBe(1);
    expect(recorder.count({ status: 400 })).toBe(1);
    expect(PermanentError).toBeDefined();
  });
});

describe('HubSpotClient answers without a Content-Type', () => {
  // The SDK's typed methods cannot parse an error answer that names no Content-Type (an empty 503 from a
  // proxy, a bare 429) and threw a plain Error without the status, which was filed as permanent.
  it('classifies them by their status: 503 is transient, 429 is rate limited, 404 is permanent', async () => {
    const { hubspot, recorder } = client();
    const owners = () =>
      hubspot.call('GET /crm/v3/owners', 'standard', (sdk) =>
        sdk.crm.owners.ownersApi.getPageWithHttpInfo('rep@acme.com', undefined, 10, false),
      );
    nock(BASE).get('/crm/v3/owners/').query(true).reply(503, '');
    await expect(owners()).rejects.toMatchObject({
      name: 'RetryableError',
      message: expect.stringContaining('503'),
    });
    nock(BASE).get('/crm/v3/owners/').query(true).reply(429, '', { 'Retry-After': '2' });
    nock(BASE)
      .get('/crm/v3/owners/')
      .query(true)
      .reply(200, { results: [] }, { 'Content-Type': 'application/json' });
    await expect(owners()).resolves.toMatchObject({ httpStatusCode: 200 });
    nock(BASE).get('/crm/v3/owners/').query(true).reply(404, '');
    await expect(owners()).rejects.toMatchObject({ name: 'PermanentError', status: 404 });
    expect(recorder.count({ status: 503 })).toBe(1);
    expect(recorder.count({ status: 429 })).toBe(1);
  });
});

describe('HubSpotClient timeouts', () => {
  it('abandons a call HubSpot does not answer within requestTimeoutMs as a transient failure', async () => {
    const { hubspot, recorder } = client({ requestTimeoutMs: 200 });
    const scope = nock(BASE)
      .post('/crm/objects/2026-09/contacts/batch/read')
      .delay(5_000)
      .reply(200, batch([contact('1')]));
    const started = performance.now();
    const error = await hubspot.batchRead(['1'], ['email']).catch((err: unknown) => err);
    expect(performance.now() - started).toBeLessThan(2_000);
    expect(error).toMatchObject({ name: 'RetryableError', message: expect.stringContaining('TIMEOUT') });
    expect(recorder.count({ status: 0 })).toBe(1);
    scope.done();
  });
});
