import nock from 'nock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ApiBudget } from '../../../connectors/salesforce/budget.ts';
import { MemoryBudgetStore } from '../../../connectors/salesforce/budget-store.ts';
import { SalesforceClient } from '../../../connectors/salesforce/client.ts';
import { MemoryTokenStore } from '../../../connectors/salesforce/token-store.ts';
import { SalesforceTenantConfig } from '../../../src/config/tenant-schema.ts';
import { PermanentError, RateLimitedError, RetryableError } from '../../../src/errors/index.ts';
import { InMemoryApiCallRecorder } from '../../../src/metrics/api-calls.ts';

const LOGIN = 'https://login.example.test';
const INSTANCE = 'https://acme.my.salesforce.com';
const ORG = '00D5g000004LBdgEAG';
const USER = '0055g0000000001AAA';
// The default API version (no apiVersion in the config): 66.0, Spring '26.
const API = '/services/data/v66.0';
const LIMIT_HEADER = { 'Sforce-Limit-Info': 'api-usage=120/100000' };

function setup(overrides: Partial<Record<string, string>> = {}) {
  const config = SalesforceTenantConfig.parse({
    loginUrl: LOGIN,
    clientId: 'cid',
    clientSecret: 'csecret',
    refreshToken: 'rt-1',
    orgId: ORG,
    ...overrides,
  });
  const recorder = new InMemoryApiCallRecorder();
  const tokens = new MemoryTokenStore();
  const budget = new ApiBudget({ tenant: 'acme', share: 0.8, store: new MemoryBudgetStore() });
  const client = new SalesforceClient({
    tenant: 'acme',
    config,
    budget,
    recorder,
    tokenStore: tokens,
    retry: { sleep: async () => {}, random: () => 0 },
  });
  return { client, recorder, tokens, budget };
}

const tokenResponse = (token: string) => ({
  access_token: token,
  instance_url: INSTANCE,
  id: `${LOGIN}/id/${ORG}/${USER}`,
  token_type: 'Bearer',
  issued_at: '1767225600000',
  signature: 'c2ln',
});

/** The refresh POST jsforce sends: form-encoded grant with the connected app's credentials. */
function expectRefresh(scope: nock.Scope, token: string) {
  return scope
    .post('/services/oauth2/token', (body) => {
      const form = new URLSearchParams(body as unknown as string);
      return (
        form.get('grant_type') === 'refresh_token' &&
        form.get('refresh_token') === 'rt-1' &&
        form.get('client_id') === 'cid' &&
        form.get('client_secret') === 'csecret'
      );
    })
    .matchHeader('content-type', /application\/x-www-form-urlencoded/)
    .reply(200, tokenResponse(token));
}

describe('SalesforceClient over jsforce (nock)', () => {
  beforeAll(() => nock.disableNetConnect());
  afterEach(() => nock.cleanAll());
  afterAll(() => nock.enableNetConnect());

  it('refreshes first when it has only a refresh token, keeps the session, and names itself in Sforce-Call-Options', async () => {
    const { client, tokens, recorder } = setup();
    const login = expectRefresh(nock(LOGIN), 'tok-A');
    const api = nock(INSTANCE)
      .get(`${API}/query`)
      .query({ q: 'SELECT ApiName, IsConverted, IsDefault FROM LeadStatus' })
      .matchHeader('authorization', 'Bearer tok-A')
      .matchHeader('sforce-call-options', 'client=leadbridge')
      .reply(
        200,
        {
          totalSize: 1,
          done: true,
          records: [
            {
              attributes: { type: 'LeadStatus' },
              ApiName: 'Open - Not Contacted',
              IsConverted: false,
              IsDefault: true,
            },
          ],
        },
        LIMIT_HEADER,
      );
    expect(await client.leadStatuses()).toEqual([
      { ApiName: 'Open - Not Contacted', IsConverted: false, IsDefault: true },
    ]);
    login.done();
    api.done();
    expect(await tokens.load('acme')).toMatchObject({ accessToken: 'tok-A', instanceUrl: INSTANCE });
    expect(await client.integrationUserId()).toBe(USER);
    expect(recorder.calls.map((c) => `${c.endpoint} ${c.status}`)).toEqual([
      'POST /services/oauth2/token 200',
      'GET /query 200',
    ]);
  });

  it('tries to start again after a failed first refresh instead of keeping the failure', async () => {
    const { client } = setup();
    const down = nock(LOGIN)
      .post('/services/oauth2/token')
      .reply(503, { error: 'temporarily_unavailable', error_description: 'try later' });
    const first = await client.init().catch((err: unknown) => err);
    expect(first).toBeInstanceOf(Error);
    down.done();
    const login = expectRefresh(nock(LOGIN), 'tok-C');
    await client.init();
    login.done();
    expect(client.conn.accessToken).toBe('tok-C');
  });

  it('reuses the session another client of the same tenant refreshed, without refreshing again', async () => {
    const { client, tokens } = setup();
    const login = expectRefresh(nock(LOGIN), 'tok-D');
    await client.init();
    login.done();
    // A second worker (same tenant, same store): no token call is intercepted, so a refresh would fail.
    const budget = new ApiBudget({ tenant: 'acme', share: 0.8, store: new MemoryBudgetStore() });
    const config = SalesforceTenantConfig.parse({
      loginUrl: LOGIN,
      clientId: 'cid',
      clientSecret: 'csecret',
      refreshToken: 'rt-1',
      orgId: ORG,
    });
    const other = new SalesforceClient({ tenant: 'acme', config, budget, tokenStore: tokens });
    const api = nock(INSTANCE)
      .get(`${API}/limits`)
      .matchHeader('authorization', 'Bearer tok-D')
      .reply(200, { DailyApiRequests: { Max: 1000, Remaining: 900 } }, LIMIT_HEADER);
    await other.limits();
    api.done();
    // Another tenant sharing the store does not get acme's session.
    const foreign = new SalesforceClient({ tenant: 'globex', config, budget, tokenStore: tokens });
    const globexLogin = expectRefresh(nock(LOGIN), 'tok-G');
    await foreign.init();
    globexLogin.done();
    expect((await tokens.load('globex'))?.accessToken).toBe('tok-G');
    expect((await tokens.load('acme'))?.accessToken).toBe('tok-D');
  });

  it('follows nextRecordsUrl and uses queryAll for scanAll', async () => {
    const { client } = setup({ accessToken: 'tok', instanceUrl: INSTANCE });
    const soql = 'SELECT Id, IsDeleted FROM Lead ORDER BY SystemModstamp ASC, Id ASC';
    const api = nock(INSTANCE)
      .get(`${API}/queryAll`)
      .query({ q: soql })
      .reply(200, {
        totalSize: 3,
        done: false,
        nextRecordsUrl: `${API}/query/01gD0000002HU6KIAW-2`,
        records: [
          { attributes: { type: 'Lead' }, Id: '00Q5g0000000001EAA', IsDeleted: false },
          { attributes: { type: 'Lead' }, Id: '00Q5g0000000002EAA', IsDeleted: true },
        ],
      })
      .get(`${API}/query/01gD0000002HU6KIAW-2`)
      .reply(200, {
        totalSize: 3,
        done: true,
        records: [{ attributes: { type: 'Lead' }, Id: '00Q5g0000000003EAA', IsDeleted: false }],
      });
    const rows = await client.query(soql, { scanAll: true });
    api.done();
    expect(rows).toEqual([
      { Id: '00Q5g0000000001EAA', IsDeleted: false },
      { Id: '00Q5g0000000002EAA', IsDeleted: true },
      { Id: '00Q5g0000000003EAA', IsDeleted: false },
    ]);
  });

  it('reads by id through the collections retrieve, dropping ids Salesforce no longer has', async () => {
    const { client } = setup({ accessToken: 'tok', instanceUrl: INSTANCE });
    const api = nock(INSTANCE)
      .post(`${API}/composite/sobjects/Lead`, {
        ids: ['00Q5g0000000001EAA', '00Q5g0000000009EAA'],
        fields: ['Id', 'Email'],
      })
      .reply(200, [{ attributes: { type: 'Lead' }, Id: '00Q5g0000000001EAA', Email: 'a@b.example' }, null]);
    expect(
      await client.retrieve('Lead', ['00Q5g0000000001EAA', '00Q5g0000000009EAA'], ['Id', 'Email']),
    ).toEqual([{ Id: '00Q5g0000000001EAA', Email: 'a@b.example' }]);
    api.done();
  });

  it('sends GETs as one composite call and fails as the first failed subrequest would, classified', async () => {
    const { client } = setup({ accessToken: 'tok', instanceUrl: INSTANCE });
    const request = {
      allOrNone: false,
      compositeRequest: [
        { method: 'GET', url: `${API}/sobjects/Contact/describe`, referenceId: 'contact' },
        { method: 'GET', url: `${API}/sobjects/Nope/describe`, referenceId: 'nope' },
      ],
    };
    const paths = { contact: '/sobjects/Contact/describe', nope: '/sobjects/Nope/describe' };
    const answer = (status: number, body: unknown) => ({
      compositeResponse: [
        {
          body: { name: 'Contact', fields: [] },
          httpHeaders: {},
          httpStatusCode: 200,
          referenceId: 'contact',
        },
        { body, httpHeaders: {}, httpStatusCode: status, referenceId: 'nope' },
      ],
    });
    const api = nock(INSTANCE)
      .post(`${API}/composite`, request)
      .reply(200, answer(404, [{ errorCode: 'NOT_FOUND', message: 'The requested resource does not exist' }]))
      .post(`${API}/composite`, request)
      .reply(200, answer(503, [{ errorCode: 'SERVER_UNAVAILABLE', message: 'down' }]))
      .post(`${API}/composite`, {
        allOrNone: false,
        compositeRequest: [request.compositeRequest[0]],
      })
      .reply(200, { compositeResponse: [answer(0, null).compositeResponse[0]] });

    const missing = await client.compositeGet(paths).catch((err: unknown) => err);
    expect(missing).toBeInstanceOf(PermanentError);
    expect((missing as PermanentError).code).toBe('NOT_FOUND');
    expect(await client.compositeGet(paths).catch((err: unknown) => err)).toBeInstanceOf(RetryableError);
    expect(await client.compositeGet({ contact: paths.contact })).toEqual({
      contact: { name: 'Contact', fields: [] },
    });
    api.done();
  });

  it('writes 450 records as three collection PATCHes of 200, 200 and 50 with allOrNone=false', async () => {
    const { client } = setup({ accessToken: 'tok', instanceUrl: INSTANCE });
    const records = Array.from({ length: 450 }, (_, i) => ({
      Id: `00Q5g${String(i).padStart(10, '0')}EAA`,
      LeadBridge_Score__c: i,
    }));
    const sizes: number[] = [];
    const bodies: Array<{ records: Array<{ id: string }> }> = [];
    const api = nock(INSTANCE)
      .patch(
        `${API}/composite/sobjects`,
        (body: { allOrNone: boolean; records: Array<Record<string, unknown>> }) => {
          sizes.push(body.records.length);
          bodies.push(body as unknown as { records: Array<{ id: string }> });
          return (
            body.allOrNone === false &&
            body.records.every(
              (r) => (r.attributes as { type: string }).type === 'Lead' && typeof r.id === 'string',
            )
          );
        },
      )
      .times(3)
      .reply(200, () => (bodies.at(-1)?.records ?? []).map((r) => ({ id: r.id, success: true, errors: [] })));
    const results = await client.update('Lead', records);
    api.done();
    expect(sizes).toEqual([200, 200, 50]);
    expect(results).toHaveLength(450);
    expect(results[449]).toEqual({ id: records[449]?.Id, success: true, errors: [] });
  });

  it('sends the exact collection create body jsforce builds', async () => {
    const { client } = setup({ accessToken: 'tok', instanceUrl: INSTANCE });
    const api = nock(INSTANCE)
      .post(`${API}/composite/sobjects`, {
        allOrNone: false,
        records: [{ attributes: { type: 'Lead' }, LastName: 'Nguyen', Company: 'Northwind Inc.' }],
      })
      .reply(200, [{ id: '00Q5g0000000042EAA', success: true, errors: [] }]);
    expect(await client.create('Lead', [{ LastName: 'Nguyen', Company: 'Northwind Inc.' }])).toEqual([
      { id: '00Q5g0000000042EAA', success: true, errors: [] },
    ]);
    api.done();
  });

  it('retries a collection PATCH that got a 503 (jsforce never retries PATCH) and counts both calls', async () => {
    const { client, recorder } = setup({ accessToken: 'tok', instanceUrl: INSTANCE });
    const api = nock(INSTANCE)
      .patch(`${API}/composite/sobjects`)
      .reply(503, [{ message: 'Server temporarily unavailable', errorCode: 'SERVER_UNAVAILABLE' }])
      .patch(`${API}/composite/sobjects`)
      .reply(200, [{ id: '00Q5g0000000001EAA', success: true, errors: [] }]);
    expect(
      await client.update('Lead', [{ Id: '00Q5g0000000001EAA', Status: 'Working - Contacted' }]),
    ).toHaveLength(1);
    api.done();
    expect(recorder.calls.map((c) => c.status)).toEqual([503, 200]);
  });

  it('never sends a create again after a failure that may have saved it, but does after a 503', async () => {
    const { client } = setup({ accessToken: 'tok', instanceUrl: INSTANCE });
    const record = { LastName: 'Nguyen', Company: 'Northwind Inc.' };
    // A gateway timeout: Salesforce may well have saved the records behind it. (nock's replyWithError does
    // not reach jsforce's undici fetch, so the ambiguous failure is a 504 here.)
    const timeout = nock(INSTANCE)
      .post(`${API}/composite/sobjects`)
      .reply(504, '<html><body>Gateway Timeout</body></html>', { 'content-type': 'text/html' });
    const second = nock(INSTANCE)
      .post(`${API}/composite/sobjects`)
      .reply(200, [{ id: '00Q5g0000000042EAA', success: true, errors: [] }]);
    await expect(client.create('Lead', [record])).rejects.toBeInstanceOf(RetryableError);
    timeout.done();
    expect(second.isDone()).toBe(false);
    nock.cleanAll();

    const unavailable = nock(INSTANCE)
      .post(`${API}/composite/sobjects`)
      .reply(503, [{ message: 'Server temporarily unavailable', errorCode: 'SERVER_UNAVAILABLE' }])
      .post(`${API}/composite/sobjects`)
      .reply(200, [{ id: '00Q5g0000000043EAA', success: true, errors: [] }]);
    expect(await client.create('Lead', [record])).toEqual([
      { id: '00Q5g0000000043EAA', success: true, errors: [] },
    ]);
    unavailable.done();

    // An update is idempotent: the same gateway timeout is simply retried.
    const update = nock(INSTANCE)
      .patch(`${API}/composite/sobjects`)
      .reply(504, '<html><body>Gateway Timeout</body></html>', { 'content-type': 'text/html' })
      .patch(`${API}/composite/sobjects`)
      .reply(200, [{ id: '00Q5g0000000043EAA', success: true, errors: [] }]);
    expect(await client.update('Lead', [{ Id: '00Q5g0000000043EAA', Title: 'CTO' }])).toHaveLength(1);
    update.done();
  });

  it('refreshes on 401 INVALID_SESSION_ID, retries once, and keeps the new session', async () => {
    const { client, tokens } = setup({ accessToken: 'stale', instanceUrl: INSTANCE });
    const login = expectRefresh(nock(LOGIN), 'tok-B');
    const api = nock(INSTANCE)
      .get(`${API}/sobjects/Lead/describe`)
      .matchHeader('authorization', 'Bearer stale')
      .reply(401, [{ message: 'Session expired or invalid', errorCode: 'INVALID_SESSION_ID' }])
      .get(`${API}/sobjects/Lead/describe`)
      .matchHeader('authorization', 'Bearer tok-B')
      .reply(200, {
        name: 'Lead',
        fields: [
          { name: 'Rejection_Reason__c', type: 'string', updateable: true, createable: true, custom: true },
        ],
      });
    const describe = await client.describe('Lead');
    expect(describe.fields.map((f) => f.name)).toEqual(['Rejection_Reason__c']);
    login.done();
    api.done();
    expect((await tokens.load('acme'))?.accessToken).toBe('tok-B');
  });

  it('turns 403 REQUEST_LIMIT_EXCEEDED into a pause: a RateLimitedError, then no further calls', async () => {
    const { client, budget } = setup({ accessToken: 'tok', instanceUrl: INSTANCE });
    const api = nock(INSTANCE)
      .get(`${API}/query`)
      .query(true)
      .reply(403, [{ message: 'TotalRequests Limit exceeded.', errorCode: 'REQUEST_LIMIT_EXCEEDED' }], {
        'Sforce-Limit-Info': 'api-usage=100000/100000',
      });
    await expect(client.query('SELECT Id FROM Lead')).rejects.toSatisfy(
      (err) =>
        err instanceof RateLimitedError && err.policy === 'REQUEST_LIMIT_EXCEEDED' && err.waitMs >= 3_600_000,
    );
    api.done();
    expect((await budget.state())?.pausedUntil).toBeGreaterThan(Date.now());
    // Nothing is intercepted any more and the net is disconnected: a call would fail differently.
    await expect(client.beforeWork()).rejects.toSatisfy(
      (err) => err instanceof RateLimitedError && err.policy === 'LEADBRIDGE_BUDGET',
    );
  });

  it('stops new work once Sforce-Limit-Info shows the share used, probing /limits only when the reading is old', async () => {
    const { client } = setup({ accessToken: 'tok', instanceUrl: INSTANCE });
    const api = nock(INSTANCE)
      .get(`${API}/limits`)
      .reply(
        200,
        { DailyApiRequests: { Max: 1000, Remaining: 150 } },
        { 'Sforce-Limit-Info': 'api-usage=850/1000' },
      );
    await client.limits();
    api.done();
    await expect(client.beforeWork()).rejects.toBeInstanceOf(RateLimitedError);
  });
});
