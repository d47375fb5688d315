import nock from 'nock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_HUBSPOT_API_VERSION, hubspotPaths } from '../../../connectors/hubspot/api-version.ts';
import { HubSpotClient } from '../../../connectors/hubspot/client.ts';
import { writePatches } from '../../../connectors/hubspot/writer.ts';
import { LeadBridgeConfig } from '../../../src/config/schema.ts';

const BASE = 'https://api.hubapi.example';
const config = LeadBridgeConfig.parse({
  tenants: [
    {
      id: 'acme',
      hubspot: { accessToken: 't' },
      salesforce: {
        orgId: '00D000000000000AAA',
        accessToken: 'x',
        instanceUrl: 'https://x.my.salesforce.com',
      },
    },
  ],
  fields: [
    { canonical: 'email', hubspot: 'email', salesforce: 'Email' },
    { canonical: 'firstName', hubspot: 'firstname', salesforce: 'FirstName' },
  ],
});
const done = (results: unknown[]) => ({
  status: 'COMPLETE',
  results,
  startedAt: '2026-01-01T00:00:00.000Z',
  completedAt: '2026-01-01T00:00:00.100Z',
});

// The client's default API version (a dated one since 2026-09).
const PATHS = hubspotPaths(DEFAULT_HUBSPOT_API_VERSION);

beforeAll(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());
afterAll(() => nock.enableNetConnect());

describe('HubSpot writer: a create that races into 409 "already exists"', () => {
  it('resolves the conflict to the existing id and updates that contact instead of failing', async () => {
    const client = new HubSpotClient({
      tenant: 'acme',
      accessToken: 'pat',
      baseUrl: `${BASE}/`,
      sleep: async () => {},
    });
    const scope = nock(BASE)
      .post(`${PATHS.contacts}/batch/upsert`, {
        inputs: [
          {
            id: 'race@acme.example',
            idProperty: 'email',
            properties: { email: 'Race@Acme.example', firstname: 'Ada' },
          },
        ],
      })
      .reply(409, {
        status: 'error',
        message: 'Contact already exists. Existing ID: 777',
        correlationId: 'c0ffee',
        category: 'CONFLICT',
      })
      .post(`${PATHS.contacts}/batch/update`, {
        inputs: [{ id: '777', properties: { email: 'Race@Acme.example', firstname: 'Ada' } }],
      })
      .reply(
        200,
        done([
          {
            id: '777',
            properties: { hs_object_id: '777', email: 'race@acme.example', firstname: 'Ada' },
            createdAt: '2026-01-01T00:00:00.000Z',
            updatedAt: '2026-01-01T00:00:01.000Z',
            archived: false,
          },
        ]),
      );
    const outcomes = await writePatches(
      client,
      [{ fields: { email: 'Race@Acme.example', firstName: 'Ada' } }],
      config,
    );
    // What was written is what HubSpot stored (its answer), the email lower-cased: what its echo will carry.
    expect(outcomes).toEqual([
      {
        ok: true,
        id: '777',
        created: false,
        written: { email: 'race@acme.example', firstname: 'Ada' },
      },
    ]);
    scope.done();
  });
});
