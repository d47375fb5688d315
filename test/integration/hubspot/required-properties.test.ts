import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HubSpotConnector } from '../../../connectors/hubspot/connector.ts';
import { startHubSpotEmulator, type HubSpotEmulator } from '../../../connectors/hubspot/emulator/index.ts';
import { PermanentError } from '../../../src/errors/index.ts';
import { InMemoryApiCallRecorder } from '../../../src/metrics/api-calls.ts';
import { hubspotConfig } from './helpers.ts';

// HubSpot write validation from API version 2026-09: creates must carry the portal's required properties.

let emulator: HubSpotEmulator;

beforeAll(async () => {
  emulator = await startHubSpotEmulator({
    seed: 3,
    contacts: 5,
    now: () => Date.parse('2026-11-30T12:00:00Z'),
  });
});
afterAll(async () => {
  await emulator.close();
});

async function requireProperties(properties: string[]): Promise<void> {
  const response = await fetch(`${emulator.url}/__emulator/required-properties`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ properties }),
  });
  expect(response.status).toBe(200);
}

function connectorAt(apiVersion: string, recorder = new InMemoryApiCallRecorder()) {
  const config = hubspotConfig(emulator.url, { apiVersion });
  return { connector: new HubSpotConnector(config.tenants[0]!, config, { recorder }), recorder };
}

describe('required properties on HubSpot creates', () => {
  it('at 2026-09 refuses a create without a required property with HubSpot\u2019s 400 VALIDATION_ERROR body', async () => {
    await requireProperties(['company']);
    const response = await fetch(`${emulator.url}/crm/objects/2026-09/contacts/batch/upsert`, {
      method: 'POST',
      headers: { authorization: 'Bearer t', 'content-type': 'application/json' },
      body: JSON.stringify({
        inputs: [{ id: 'nocompany@x.example', idProperty: 'email', properties: { firstname: 'N' } }],
      }),
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({
      status: 'error',
      category: 'VALIDATION_ERROR',
      message: expect.stringContaining('Property values were not valid'),
      errors: [{ code: 'REQUIRED_PROPERTY_MISSING', context: { propertyName: ['company'] } }],
    });
    // The same create at the legacy version is not validated; updates never are.
    const legacy = await fetch(`${emulator.url}/crm/v3/objects/contacts/batch/upsert`, {
      method: 'POST',
      headers: { authorization: 'Bearer t', 'content-type': 'application/json' },
      body: JSON.stringify({
        inputs: [{ id: 'legacy@x.example', idProperty: 'email', properties: { firstname: 'L' } }],
      }),
    });
    expect(legacy.status).toBe(200);
  });

  it('makes a refused create a per-record error with its fix, written once, not retried; the rest of the batch goes through', async () => {
    await requireProperties(['company']);
    const { connector, recorder } = connectorAt('2026-09');
    const outcomes = await connector.write([
      { fields: { email: 'ok1@x.example', firstName: 'A', company: 'Acme' } },
      { fields: { email: 'missing@x.example', firstName: 'B' } },
      { fields: { email: 'ok2@x.example', firstName: 'C', company: 'Beta' } },
      { id: '51000000001', fields: { firstName: 'Updated' } },
    ]);
    expect(outcomes[0]).toMatchObject({ ok: true, created: true });
    expect(outcomes[2]).toMatchObject({ ok: true, created: true });
    expect(outcomes[3]).toMatchObject({ ok: true, id: '51000000001' });
    const refused = outcomes[1] as { ok: false; error: PermanentError };
    expect(refused.ok).toBe(false);
    expect(refused.error).toBeInstanceOf(PermanentError);
    expect(refused.error.code).toBe('REQUIRED_PROPERTY_MISSING');
    expect(refused.error.status).toBe(400);
    expect(refused.error.message).toContain('company');
    expect(refused.error.fix).toMatch(/fill company on the Salesforce lead/);
    expect(refused.error.fix).toMatch(/handoff\.requiredFields/);
    expect(emulator.store.findByEmail('missing@x.example')).toBeUndefined();
    // HubSpot refuses the whole batch without naming the record, so it is halved until the culprit stands
    // alone ([3] -> [2] + [1] -> [1] + [1]): 5 calls, 3 refusals, and nothing sent again after that. (An
    // upsert by email may match an existing contact, which needs no required property, so LeadBridge cannot
    // refuse it up front.)
    const upserts = recorder.count({ endpoint: 'POST /crm/objects/2026-09/contacts/batch/upsert' });
    expect(upserts).toBe(5);
    expect(recorder.count({ status: 400 })).toBe(3);
    expect(recorder.count({ status: 500 }) + recorder.count({ status: 429 })).toBe(0);
  });

  it('install/doctor read the portal\u2019s required properties and name the ones LeadBridge never fills', async () => {
    await requireProperties(['company', 'hs_persona_custom']);
    const { connector } = connectorAt('2026-09');
    const check = (await connector.checkSetup()).find((c) => c.name === 'hubspot required properties');
    expect(check).toMatchObject({ ok: false, detail: expect.stringContaining('hs_persona_custom') });
    expect(check?.fix).toMatch(/map hs_persona_custom in fields\[\]/);
    await requireProperties(['company']);
    expect(
      (await connector.checkSetup()).find((c) => c.name === 'hubspot required properties'),
    ).toMatchObject({
      ok: true,
      detail: expect.stringContaining('company required on creation'),
    });
    const legacy = connectorAt('v3').connector;
    expect((await legacy.checkSetup()).find((c) => c.name === 'hubspot required properties')).toMatchObject({
      ok: true,
      detail: expect.stringContaining('not enforced on API creates at version v3'),
    });
    await requireProperties([]);
  });
});
