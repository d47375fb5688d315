import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createIngestQueue, type IngestQueue } from '../../../jobs/ingest-queue.ts';
import { LeadBridgeConfig } from '../../../src/config/schema.ts';
import { silentLogger } from '../../../src/log/logger.ts';
import { Metrics } from '../../../src/metrics/prometheus.ts';
import { createApp } from '../../../src/server/app.ts';

const prefix = `lbtest-admin-${process.pid}`;
const config = LeadBridgeConfig.parse({
  tenants: [
    {
      id: 'acme',
      hubspot: { accessToken: 't' },
      salesforce: { orgId: '00D000000000000AAA', accessToken: 't', instanceUrl: 'https://x.example' },
    },
  ],
});

describe('admin routes', () => {
  let redis: Redis;
  let ingestQueue: IngestQueue;
  let reconcileQueue: Queue;

  beforeAll(() => {
    redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { maxRetriesPerRequest: null });
    ingestQueue = createIngestQueue(redis, silentLogger(), prefix);
    reconcileQueue = new Queue('leadbridge-reconcile', { connection: redis, prefix });
  });

  afterAll(async () => {
    await ingestQueue.obliterate({ force: true });
    await reconcileQueue.obliterate({ force: true });
    await ingestQueue.close();
    await reconcileQueue.close();
    await redis.quit();
  });

  const app = (adminToken: string | undefined) =>
    createApp({
      config,
      redis,
      ingestQueue,
      metrics: new Metrics({ collectDefaults: false }),
      logger: silentLogger(),
      adminToken,
      dashboardQueues: [reconcileQueue],
    });

  it('refuses the queue dashboard without the admin token, or with a wrong one', async () => {
    const server = app('s3cret-token');
    const anonymous = await request(server).get('/admin/queues/api/queues');
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers['www-authenticate']).toMatch(/^Bearer/);
    expect(
      (await request(server).get('/admin/queues/api/queues').set('authorization', 'Bearer wrong')).status,
    ).toBe(401);
  });

  it('answers 401 on admin routes when no admin token is configured at all', async () => {
    const response = await request(app(undefined))
      .get('/admin/queues/api/queues')
      .set('authorization', 'Bearer x');
    expect(response.status).toBe(401);
    expect(response.body.error).toMatch(/LEADBRIDGE_ADMIN_TOKEN/);
  });

  it('lists the ingest and reconcile queues with their job counts for the admin', async () => {
    await ingestQueue.add('hubspot-updated', {
      tenant: 'acme',
      system: 'hubspot',
      objectId: '101',
      occurredAt: new Date().toISOString(),
      kind: 'updated',
      source: 'webhook',
      dedupKey: 'k1',
    });
    const response = await request(app('s3cret-token'))
      .get('/admin/queues/api/queues')
      .set('authorization', 'Bearer s3cret-token');
    expect(response.status).toBe(200);
    const names = (response.body.queues as Array<{ name: string; counts: Record<string, number> }>).map(
      (queue) => queue.name,
    );
    expect(names).toEqual(expect.arrayContaining(['leadbridge-ingest', 'leadbridge-reconcile']));
    const ingest = response.body.queues.find((queue: { name: string }) => queue.name === 'leadbridge-ingest');
    expect(ingest.counts.waiting).toBe(1);
  });

  it('serves the dashboard page to a browser that passes the token in the query', async () => {
    const response = await request(app('s3cret-token')).get('/admin/queues?token=s3cret-token');
    expect(response.status).toBe(200);
    expect(response.text).toMatch(/<html/i);
  });
});
