import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  startSalesforceEmulator,
  type SalesforceEmulator,
} from '../../../connectors/salesforce/emulator/index.ts';

type Result = {
  id?: string;
  success: boolean;
  created?: boolean;
  errors: Array<{ statusCode: string; message: string; fields: string[] }>;
};

describe('Salesforce emulator: sObject Collections upsert on an external id', () => {
  let emulator: SalesforceEmulator;
  const api = (path: string, init: RequestInit = {}) =>
    fetch(`${emulator.url}/services/data/v62.0${path}`, {
      ...init,
      headers: { authorization: 'Bearer any', 'content-type': 'application/json' },
    });
  const upsert = async (records: Array<Record<string, unknown>>, field = 'LeadBridge_Key__c') => {
    const res = await api(`/composite/sobjects/Lead/${field}`, {
      method: 'PATCH',
      body: JSON.stringify({
        allOrNone: false,
        records: records.map((record) => ({ attributes: { type: 'Lead' }, ...record })),
      }),
    });
    return { status: res.status, body: (await res.json()) as Result[] };
  };
  const leadsWithKey = (key: string) =>
    emulator.state.store.rows('Lead').filter((row) => row.LeadBridge_Key__c === key && !row.IsDeleted);

  beforeAll(async () => {
    emulator = await startSalesforceEmulator({ seed: 3, seedCount: 0 });
  });
  afterAll(() => emulator.close());
  beforeEach(async () => {
    await fetch(`${emulator.url}/__emulator/reset`, { method: 'POST' });
  });

  it('inserts on a new key (created: true) and updates the same record on a repeat (created: false)', async () => {
    const first = await upsert([{ LeadBridge_Key__c: 'lb_a1', LastName: 'Lovelace', Company: 'AE' }]);
    expect(first.status).toBe(200);
    expect(first.body).toEqual([
      { id: expect.stringMatching(/^00Q/), success: true, errors: [], created: true },
    ]);
    const again = await upsert([{ LeadBridge_Key__c: 'lb_a1', LastName: 'Byron', Company: 'AE' }]);
    expect(again.body).toEqual([{ id: first.body[0]?.id, success: true, errors: [], created: false }]);
    expect(leadsWithKey('lb_a1')).toHaveLength(1);
    expect(leadsWithKey('lb_a1')[0]?.LastName).toBe('Byron');
  });

  it('gives each record its own result: a key twice in one request fails both, a bad record fails alone', async () => {
    const { body } = await upsert([
      { LeadBridge_Key__c: 'lb_dup', LastName: 'One', Company: 'C' },
      { LeadBridge_Key__c: 'lb_ok', LastName: 'Two', Company: 'C' },
      { LeadBridge_Key__c: 'LB_DUP', LastName: 'Three', Company: 'C' },
      { LeadBridge_Key__c: 'lb_bad', LastName: 'Four' },
      { LastName: 'No key', Company: 'C' },
    ]);
    expect(body.map((r) => [r.success, r.created, r.errors[0]?.statusCode])).toEqual([
      [false, undefined, 'DUPLICATE_EXTERNAL_ID'],
      [true, true, undefined],
      [false, undefined, 'DUPLICATE_EXTERNAL_ID'],
      [false, undefined, 'REQUIRED_FIELD_MISSING'],
      [false, undefined, 'MISSING_ARGUMENT'],
    ]);
    expect(body[0]?.errors[0]?.message).toBe('Duplicate external id specified: lb_dup');
    expect(leadsWithKey('lb_dup')).toHaveLength(0);
  });

  it('refuses a field that is not an external id, and keeps the key unique on plain creates', async () => {
    const notExternal = await upsert([{ Email: 'a@b.example', LastName: 'X', Company: 'C' }], 'Email');
    expect(notExternal.status).toBe(404);
    await upsert([{ LeadBridge_Key__c: 'lb_taken', LastName: 'X', Company: 'C' }]);
    const res = await api('/composite/sobjects', {
      method: 'POST',
      body: JSON.stringify({
        allOrNone: false,
        records: [
          { attributes: { type: 'Lead' }, LeadBridge_Key__c: 'lb_taken', LastName: 'Y', Company: 'C' },
        ],
      }),
    });
    const [result] = (await res.json()) as Result[];
    expect(result?.success).toBe(false);
    expect(result?.errors[0]?.statusCode).toBe('DUPLICATE_VALUE');
    expect(leadsWithKey('lb_taken')).toHaveLength(1);
  });

  it('describes the key as unique and an external id', async () => {
    const res = await api('/sobjects/Lead/describe');
    const describe = (await res.json()) as {
      fields: Array<{ name: string; unique: boolean; externalId: boolean }>;
    };
    expect(describe.fields.find((f) => f.name === 'LeadBridge_Key__c')).toMatchObject({
      unique: true,
      externalId: true,
    });
  });

  it('does not convert-update: a key matching a converted Lead fails with CANNOT_UPDATE_CONVERTED_LEAD', async () => {
    const { body } = await upsert([{ LeadBridge_Key__c: 'lb_conv', LastName: 'X', Company: 'C' }]);
    emulator.state.store.convertLead(body[0]?.id as string, {
      createOpportunity: false,
      context: { userId: emulator.state.store.repUserId },
    });
    const again = await upsert([{ LeadBridge_Key__c: 'lb_conv', LastName: 'Z', Company: 'C' }]);
    expect(again.body[0]).toMatchObject({ success: false, id: body[0]?.id });
    expect(again.body[0]?.errors[0]?.statusCode).toBe('CANNOT_UPDATE_CONVERTED_LEAD');
  });
});
