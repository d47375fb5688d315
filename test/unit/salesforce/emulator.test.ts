import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { idSuffix, isValidId, makeId } from '../../../connectors/salesforce/emulator/ids.ts';
import {
  startSalesforceEmulator,
  type SalesforceEmulator,
} from '../../../connectors/salesforce/emulator/index.ts';
import { compileQuery, project, runQuery } from '../../../connectors/salesforce/emulator/soql.ts';
import type { Row } from '../../../connectors/salesforce/emulator/validation.ts';

const rows: Row[] = [
  {
    Id: '00Q5g0000000001EAA',
    Status: 'Working - Contacted',
    SystemModstamp: '2026-01-01T00:00:00.000+0000',
    LeadBridge_Score__c: 10,
    Email: 'a@x.example',
    IsDeleted: false,
  },
  {
    Id: '00Q5g0000000002EAA',
    Status: 'Open - Not Contacted',
    SystemModstamp: '2026-01-01T00:00:00.000+0000',
    LeadBridge_Score__c: null,
    Email: 'B@y.example',
    IsDeleted: false,
  },
  {
    Id: '00Q5g0000000003EAA',
    Status: 'Closed - Not Converted',
    SystemModstamp: '2026-01-02T00:00:00.000+0000',
    LeadBridge_Score__c: 70,
    Email: null,
    IsDeleted: true,
  },
];
const ids = (soql: string, scanAll = false) => runQuery(compileQuery(soql), rows, scanAll).map((r) => r.Id);

describe('emulator SOQL subset', () => {
  it('evaluates keyset conditions with parentheses, date-time literals and Id ordering', () => {
    expect(
      ids(
        "SELECT Id FROM Lead WHERE (SystemModstamp > 2026-01-01T00:00:00Z OR (SystemModstamp = 2026-01-01T00:00:00Z AND Id > '00Q5g0000000001EAA')) ORDER BY SystemModstamp ASC, Id ASC",
        true,
      ),
    ).toEqual(['00Q5g0000000002EAA', '00Q5g0000000003EAA']);
  });

  it('hides deleted rows from query and shows them to queryAll', () => {
    expect(ids('SELECT Id FROM Lead')).toEqual(['00Q5g0000000001EAA', '00Q5g0000000002EAA']);
    expect(ids('SELECT Id FROM Lead WHERE IsDeleted = true', true)).toEqual(['00Q5g0000000003EAA']);
  });

  it('supports IN, NOT IN, NOT, LIKE (case-insensitive), null, numbers, ORDER BY DESC NULLS LAST and LIMIT', () => {
    expect(
      ids("SELECT Id FROM Lead WHERE Status IN ('Working - Contacted', 'Open - Not Contacted')"),
    ).toHaveLength(2);
    expect(ids("SELECT Id FROM Lead WHERE Status NOT IN ('Working - Contacted')")).toEqual([
      '00Q5g0000000002EAA',
    ]);
    expect(ids("SELECT Id FROM Lead WHERE NOT (Status = 'working - contacted')")).toEqual([
      '00Q5g0000000002EAA',
    ]);
    expect(ids("SELECT Id FROM Lead WHERE Email LIKE 'b@%'")).toEqual(['00Q5g0000000002EAA']);
    expect(ids('SELECT Id FROM Lead WHERE Email = null', true)).toEqual(['00Q5g0000000003EAA']);
    expect(
      ids('SELECT Id FROM Lead WHERE LeadBridge_Score__c >= 10 AND LeadBridge_Score__c < 70', true),
    ).toEqual(['00Q5g0000000001EAA']);
    expect(ids('SELECT Id FROM Lead ORDER BY LeadBridge_Score__c DESC NULLS LAST LIMIT 2', true)).toEqual([
      '00Q5g0000000003EAA',
      '00Q5g0000000001EAA',
    ]);
  });

  it('refuses unknown fields and objects with the REST error codes', () => {
    expect(() => compileQuery('SELECT Nope__c FROM Lead')).toThrow(
      expect.objectContaining({ errorCode: 'INVALID_FIELD' }),
    );
    expect(() => compileQuery('SELECT Id FROM Nope')).toThrow(
      expect.objectContaining({ errorCode: 'INVALID_TYPE' }),
    );
    expect(() => compileQuery('SELEKT Id')).toThrow(
      expect.objectContaining({ errorCode: 'MALFORMED_QUERY' }),
    );
  });

  it('refuses a statement longer than 100,000 characters (MALFORMED_QUERY), as Salesforce does', () => {
    const inList = (count: number) =>
      `SELECT Id FROM Lead WHERE Email IN (${Array.from({ length: count }, (_, i) => `'person-${i}@example.com'`).join(', ')})`;
    const under = inList(3_000);
    const over = inList(4_000);
    expect(under.length).toBeLessThanOrEqual(100_000);
    expect(over.length).toBeGreaterThan(100_000);
    expect(runQuery(compileQuery(under), rows, false)).toEqual([]);
    expect(() => compileQuery(over)).toThrow(expect.objectContaining({ errorCode: 'MALFORMED_QUERY' }));
  });

  it('matches Email IN (...) whatever the case of the stored address', () => {
    expect(ids("SELECT Id FROM Lead WHERE Email IN ('b@y.example', 'A@X.EXAMPLE')")).toEqual([
      '00Q5g0000000001EAA',
      '00Q5g0000000002EAA',
    ]);
  });

  it('selects parent fields through relationships as nested records, null for an empty lookup', () => {
    const contactId = '0035g0000000001AAA';
    const contact: Row = { Id: contactId, Email: 'c@example.com', IsDeleted: false };
    const converted: Row = { Id: '00Q5g0000000009EAA', ConvertedContactId: contactId };
    const open: Row = { Id: '00Q5g0000000010EAA', ConvertedContactId: null };
    const query = compileQuery('SELECT Id, ConvertedContact.Email, convertedcontact.Id FROM Lead');
    const parent = (id: string) => (id === contactId ? { type: 'Contact', row: contact } : undefined);
    expect(project(query, converted, '/v', parent)).toEqual({
      attributes: { type: 'Lead', url: '/v/sobjects/Lead/00Q5g0000000009EAA' },
      Id: converted.Id,
      ConvertedContact: {
        attributes: { type: 'Contact', url: '/v/sobjects/Contact/0035g0000000001AAA' },
        Email: 'c@example.com',
        Id: contactId,
      },
    });
    expect(project(query, open, '/v', parent)).toMatchObject({ ConvertedContact: null });
  });

  it('refuses relationships and parent fields the objects do not have, in Salesforce words', () => {
    expect(() => compileQuery('SELECT ConvertedContactId.Email FROM Lead')).toThrow(
      expect.objectContaining({
        errorCode: 'INVALID_FIELD',
        message: expect.stringContaining("Didn't understand relationship 'ConvertedContactId'"),
      }),
    );
    expect(() => compileQuery('SELECT ConvertedContact.Company FROM Lead')).toThrow(
      expect.objectContaining({
        errorCode: 'INVALID_FIELD',
        message: "No such column 'Company' on entity 'Contact'.",
      }),
    );
    // A bare org lacks LeadBridge's fields on Contact too.
    expect(() =>
      compileQuery(
        'SELECT ConvertedContact.LeadBridge_Score__c FROM Lead',
        new Set(['Contact.LeadBridge_Score__c']),
      ),
    ).toThrow(expect.objectContaining({ errorCode: 'INVALID_FIELD' }));
  });

  it('makes ids with the real 18-character case suffix, ordered by creation', () => {
    expect(idSuffix('001A0000006Vm9r')).toBe('IAC');
    expect(isValidId(makeId('00Q', 61))).toBe(true);
    expect(makeId('00Q', 9) < makeId('00Q', 10)).toBe(true);
    expect(makeId('00Q', 61) < makeId('00Q', 62)).toBe(true);
  });
});

describe('emulator wire format', () => {
  let emulator: SalesforceEmulator;
  const api = (path: string, init: RequestInit = {}, token = 'any-token') =>
    fetch(`${emulator.url}/services/data/v62.0${path}`, {
      ...init,
      headers: {
        authorization: `Bearer ${token}`,
        'content-type': 'application/json',
        ...(init.headers ?? {}),
      },
    });

  beforeAll(async () => {
    emulator = await startSalesforceEmulator({ seed: 11, seedCount: 30 });
  });
  afterAll(() => emulator.close());
  beforeEach(async () => {
    await fetch(`${emulator.url}/__emulator/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"dailyLimit":100000}',
    });
  });

  it('answers a composite of GET subrequests in one counted call, each subrequest with its own status', async () => {
    const statsOf = async () =>
      (await (await fetch(`${emulator.url}/__emulator/stats`)).json()) as {
        calls: Record<string, Record<string, number>>;
        total: number;
      };
    const before = await statsOf();
    const used = emulator.state.usage.used();
    const response = await api('/composite', {
      method: 'POST',
      body: JSON.stringify({
        compositeRequest: [
          {
            method: 'GET',
            url: `/services/data/v62.0/query?q=${encodeURIComponent('SELECT ApiName, IsConverted FROM LeadStatus')}`,
            referenceId: 'statuses',
          },
          { method: 'GET', url: '/services/data/v62.0/sobjects/Contact/describe', referenceId: 'contact' },
          { method: 'GET', url: '/services/data/v62.0/sobjects/Nope/describe', referenceId: 'nope' },
        ],
      }),
    });
    expect(response.status).toBe(200);
    const body = (await response.json()) as {
      compositeResponse: Array<{ body: unknown; httpStatusCode: number; referenceId: string }>;
    };
    expect(body.compositeResponse.map((answer) => [answer.referenceId, answer.httpStatusCode])).toEqual([
      ['statuses', 200],
      ['contact', 200],
      ['nope', 404],
    ]);
    expect(body.compositeResponse[0]?.body).toMatchObject({ done: true, totalSize: 4 });
    expect(body.compositeResponse[1]?.body).toMatchObject({ name: 'Contact' });
    const after = await statsOf();
    expect(after.total - before.total).toBe(1);
    expect(after.calls['POST /composite']).toEqual({ '200': 1 });
    expect(emulator.state.usage.used() - used).toBe(1);
  });

  it('refuses a composite of more than 25 subrequests or 5 queries, and writes it does not emulate', async () => {
    const describe = { method: 'GET', url: '/services/data/v62.0/sobjects/Lead/describe' };
    const query = { method: 'GET', url: '/services/data/v62.0/query?q=SELECT+Id+FROM+Lead' };
    const send = (compositeRequest: Array<Record<string, string>>) =>
      api('/composite', {
        method: 'POST',
        body: JSON.stringify({
          compositeRequest: compositeRequest.map((sub, i) => ({ ...sub, referenceId: `r${i}` })),
        }),
      });
    expect((await send(Array.from({ length: 26 }, () => describe))).status).toBe(400);
    expect((await send(Array.from({ length: 6 }, () => query))).status).toBe(400);
    expect((await send(Array.from({ length: 5 }, () => query))).status).toBe(200);
    expect((await send([{ method: 'POST', url: '/services/data/v62.0/sobjects/Lead' }])).status).toBe(400);
  });

  it('lists the versions it serves (31.0 to 67.0) and answers retired ones (21.0-30.0) with 410', async () => {
    const listing = (await (await fetch(`${emulator.url}/services/data/`)).json()) as Array<{
      version: string;
      url: string;
    }>;
    const versions = listing.map((entry) => entry.version);
    expect(versions[0]).toBe('31.0');
    expect(versions.at(-1)).toBe('67.0');
    expect(versions).toContain('66.0');
    expect(listing.find((entry) => entry.version === '66.0')?.url).toBe('/services/data/v66.0');
    for (const version of ['21.0', '30.0']) {
      const retired = await fetch(`${emulator.url}/services/data/v${version}/limits`, {
        headers: { authorization: 'Bearer t' },
      });
      expect(retired.status).toBe(410);
      expect(await retired.json()).toEqual([
        {
          errorCode: 'UNSUPPORTED_API_VERSION',
          message: expect.stringContaining(`${version} has been retired`),
        },
      ]);
    }
    // Every served version answers; 68.0 (Winter '27) is only in preview and unknown here.
    for (const version of ['31.0', '66.0', '67.0'])
      expect(
        (
          await fetch(`${emulator.url}/services/data/v${version}/limits`, {
            headers: { authorization: 'Bearer t' },
          })
        ).status,
      ).toBe(200);
    const preview = await fetch(`${emulator.url}/services/data/v68.0/limits`, {
      headers: { authorization: 'Bearer t' },
    });
    expect(preview.status).toBe(404);
  });

  it('answers a request without a token with Salesforce’s 401 body', async () => {
    const res = await fetch(`${emulator.url}/services/data/v62.0/limits`);
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual([
      { message: 'Session expired or invalid', errorCode: 'INVALID_SESSION_ID' },
    ]);
  });

  it('sends Sforce-Limit-Info and REQUEST_LIMIT_EXCEEDED when the daily limit is gone', async () => {
    const ok = await api('/limits');
    expect(ok.headers.get('sforce-limit-info')).toMatch(/^api-usage=\d+\/100000$/);
    await fetch(`${emulator.url}/__emulator/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"dailyLimit":5,"apiUsed":5}',
    });
    const refused = await api('/limits');
    expect(refused.status).toBe(403);
    expect(await refused.json()).toEqual([
      { message: 'TotalRequests Limit exceeded.', errorCode: 'REQUEST_LIMIT_EXCEEDED' },
    ]);
  });

  it('caps collections at 200 records and rolls back with allOrNone', async () => {
    const tooMany = await api('/composite/sobjects', {
      method: 'POST',
      body: JSON.stringify({
        allOrNone: false,
        records: Array.from({ length: 201 }, () => ({
          attributes: { type: 'Lead' },
          LastName: 'X',
          Company: 'Y',
        })),
      }),
    });
    expect(tooMany.status).toBe(400);
    expect(await tooMany.json()).toEqual([
      {
        message: 'record limit reached. cannot submit more than 200 records into this call',
        errorCode: 'EXCEEDED_ID_LIMIT',
      },
    ]);
    const before = emulator.state.store.rows('Lead').length;
    const rolledBack = await api('/composite/sobjects', {
      method: 'POST',
      body: JSON.stringify({
        allOrNone: true,
        records: [
          { attributes: { type: 'Lead' }, LastName: 'Ok', Company: 'Fine' },
          { attributes: { type: 'Lead' }, LastName: 'Bad', Company: 'Co', Status: 'Hot Lead' },
        ],
      }),
    });
    const results = (await rolledBack.json()) as Array<{
      success: boolean;
      errors: Array<{ statusCode: string }>;
    }>;
    expect(results.map((r) => [r.success, r.errors[0]?.statusCode])).toEqual([
      [false, 'ALL_OR_NONE_OPERATION_ROLLED_BACK'],
      [false, 'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST'],
    ]);
    expect(emulator.state.store.rows('Lead')).toHaveLength(before);
  });

  it('takes exactly 200 records in one collection call, one result per record in order', async () => {
    const res = await api('/composite/sobjects', {
      method: 'POST',
      body: JSON.stringify({
        allOrNone: false,
        records: Array.from({ length: 200 }, (_, i) => ({
          attributes: { type: 'Lead' },
          LastName: `L${i}`,
          // Every 50th record misses Company: its own error, at its own position.
          Company: i % 50 === 49 ? null : 'Co',
        })),
      }),
    });
    expect(res.status).toBe(200);
    const results = (await res.json()) as Array<{ success: boolean; errors: Array<{ statusCode: string }> }>;
    expect(results).toHaveLength(200);
    expect(results.flatMap((r, i) => (r.success ? [] : [[i, r.errors[0]?.statusCode]]))).toEqual(
      [49, 99, 149, 199].map((i) => [i, 'REQUIRED_FIELD_MISSING']),
    );
  });

  it('answers single-record writes as the REST API does: 201 with id, 204, and an error array', async () => {
    const created = await api('/sobjects/Lead', {
      method: 'POST',
      body: JSON.stringify({ LastName: 'Solo', Company: 'One Co' }),
    });
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as { id: string };
    expect(id).toMatch(/^00Q[a-zA-Z0-9]{15}$/);
    const updated = await api(`/sobjects/Lead/${id}`, {
      method: 'PATCH',
      body: JSON.stringify({ Status: 'Working - Contacted' }),
    });
    expect(updated.status).toBe(204);
    const refused = await api(`/sobjects/Lead/${id}`, {
      method: 'PATCH',
      body: JSON.stringify({ Status: 'Hot Lead' }),
    });
    expect(refused.status).toBe(400);
    expect(await refused.json()).toEqual([
      {
        message: 'Status: bad value for restricted picklist field: Hot Lead',
        errorCode: 'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST',
        fields: ['Status'],
      },
    ]);
    const missing = await api('/sobjects/Lead', { method: 'POST', body: JSON.stringify({ LastName: 'X' }) });
    expect(missing.status).toBe(400);
    expect(await missing.json()).toMatchObject([
      { errorCode: 'REQUIRED_FIELD_MISSING', fields: ['Company'] },
    ]);
    expect((await api('/sobjects/Nope', { method: 'POST', body: '{}' })).status).toBe(404);
  });

  it('returns `id` from the token endpoint and describes the LeadBridge fields and real statuses', async () => {
    const token = await fetch(`${emulator.url}/services/oauth2/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=refresh_token&refresh_token=rt&client_id=cid',
    });
    const body = (await token.json()) as Record<string, string>;
    expect(body.id).toBe(`${emulator.url}/id/${emulator.orgId}/${emulator.integrationUserId}`);
    expect(body.instance_url).toBe(emulator.url);
    const describe = (await (await api('/sobjects/Lead/describe', {}, body.access_token)).json()) as {
      fields: Array<{ name: string; picklistValues: Array<{ value: string }> }>;
    };
    expect(describe.fields.map((f) => f.name)).toEqual(
      expect.arrayContaining([
        'LeadBridge_Score__c',
        'LeadBridge_Stage__c',
        'Rejection_Reason__c',
        'LeadBridge_SLA_Due__c',
        'LeadBridge_SLA_Breached__c',
      ]),
    );
    expect(describe.fields.find((f) => f.name === 'Status')?.picklistValues.map((p) => p.value)).toEqual([
      'Open - Not Contacted',
      'Working - Contacted',
      'Closed - Converted',
      'Closed - Not Converted',
    ]);
  });

  it('seeds the same org for the same seed, with rejection reasons on some rejected leads', async () => {
    const other = await startSalesforceEmulator({ seed: 11, seedCount: 30 });
    try {
      const strip = (r: Row) => [r.Id, r.Email, r.Company, r.Status, r.Rejection_Reason__c];
      expect(other.state.store.rows('Lead').map(strip)).toEqual(
        emulator.state.store.rows('Lead').slice(0, 30).map(strip),
      );
    } finally {
      await other.close();
    }
    const big = await startSalesforceEmulator({ seed: 5, seedCount: 200 });
    try {
      const rejected = big.state.store.rows('Lead').filter((r) => r.Status === 'Closed - Not Converted');
      expect(rejected.some((r) => r.Rejection_Reason__c)).toBe(true);
      expect(big.state.store.rows('Lead').some((r) => r.IsConverted)).toBe(true);
    } finally {
      await big.close();
    }
  });
});
