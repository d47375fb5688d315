import { Redis } from 'ioredis';
import request from 'supertest';
import { afterAll, describe, expect, it } from 'vitest';
import { buildOutboundEnvelope } from '../../../connectors/salesforce/emulator/outbound-envelope.ts';
import type { IngestQueue } from '../../../jobs/ingest-queue.ts';
import { LeadBridgeConfig } from '../../../src/config/schema.ts';
import type { ChangeEvent } from '../../../src/domain/change-event.ts';
import { silentLogger } from '../../../src/log/logger.ts';
import { Metrics } from '../../../src/metrics/prometheus.ts';
import { createApp } from '../../../src/server/app.ts';

const SECRET = 'om-3f9a1c7e5b2d8f4a6c0e9b1d7a3f5c2e';
const SECRET_ORG = '00D5g000004LBdgEAG';
const OPEN_ORG = '00D5g000004XYZ1EAC';

describe('POST /webhooks/salesforce/<outboundMessageSecret>', () => {
  const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { maxRetriesPerRequest: null });
  afterAll(() => redis.quit());
  const enqueued: ChangeEvent[] = [];
  const queue = {
    addBulk: async (jobs: Array<{ data: { events: ChangeEvent[] } }>) => {
      enqueued.push(...jobs.flatMap((job) => job.data.events));
      return jobs;
    },
  } as unknown as IngestQueue;
  const salesforce = (orgId: string, extra: Record<string, unknown> = {}) => ({
    orgId,
    accessToken: 'x',
    instanceUrl: 'https://x.my.salesforce.com',
    ...extra,
  });
  const app = createApp({
    config: LeadBridgeConfig.parse({
      tenants: [
        {
          id: 'guarded',
          hubspot: { accessToken: 't' },
          salesforce: salesforce(SECRET_ORG, { outboundMessageSecret: SECRET }),
        },
        { id: 'open', hubspot: { accessToken: 't' }, salesforce: salesforce(OPEN_ORG) },
      ],
    }),
    redis,
    ingestQueue: queue,
    metrics: new Metrics({ collectDefaults: false }),
    logger: silentLogger(),
    redisPrefix: `lbtest-om-secret-${process.pid}`,
  });
  const envelope = (organizationId: string) =>
    buildOutboundEnvelope({
      organizationId,
      actionId: '04k5g000000CaSNAA0',
      baseUrl: 'https://x.my.salesforce.com',
      apiVersion: '62.0',
      notifications: [{ id: '04l5g00000C2XqHAAV', objectType: 'Lead', fields: { Id: '00Q5g00000bS2eOEAS' } }],
    });
  const post = (path: string, body: string) =>
    request(app).post(path).set('content-type', 'text/xml; charset=utf-8').send(body);

  it('accepts the org only on its secret path', async () => {
    const response = await post(`/webhooks/salesforce/${SECRET}`, envelope(SECRET_ORG));
    expect(response.status).toBe(200);
    expect(enqueued.map((event) => event.tenant)).toEqual(['guarded']);
  });

  it('refuses it on the plain path, on a wrong secret, and refuses other orgs on its secret path', async () => {
    enqueued.length = 0;
    expect((await post('/webhooks/salesforce', envelope(SECRET_ORG))).status).toBe(403);
    expect((await post(`/webhooks/salesforce/${SECRET.slice(0, -1)}x`, envelope(SECRET_ORG))).status).toBe(
      404,
    );
    expect((await post(`/webhooks/salesforce/${SECRET}`, envelope(OPEN_ORG))).status).toBe(403);
    expect(enqueued).toEqual([]);
  });

  it('keeps the plain path for orgs without a secret', async () => {
    expect((await post('/webhooks/salesforce', envelope(OPEN_ORG))).status).toBe(200);
    expect(enqueued.map((event) => event.tenant)).toEqual(['open']);
  });

  it('refuses a secret that is too short or not URL-safe in the config', () => {
    const parse = (secret: string) =>
      LeadBridgeConfig.safeParse({
        tenants: [
          {
            id: 'a',
            hubspot: { accessToken: 't' },
            salesforce: salesforce(SECRET_ORG, { outboundMessageSecret: secret }),
          },
        ],
      }).success;
    expect(parse('short')).toBe(false);
    expect(parse('has/slash-and-is-long-enough-000')).toBe(false);
    expect(parse(SECRET)).toBe(true);
  });
});
