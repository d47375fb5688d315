import { Redis } from 'ioredis';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createIngestQueue, type IngestQueue } from '../../../jobs/ingest-queue.ts';
import { LeadBridgeConfig } from '../../../src/config/schema.ts';
import type { FunnelReport } from '../../../src/domain/report-schema.ts';
import { silentLogger } from '../../../src/log/logger.ts';
import { Metrics } from '../../../src/metrics/prometheus.ts';
import { createApp } from '../../../src/server/app.ts';
import { scanSyncStates } from '../../../src/store/sync-state-scan.ts';
import { SyncState, type LeadSyncState } from '../../../src/store/sync-state.ts';

const prefix = `lbtest-report-${process.pid}-${Date.now()}`;
const storePrefix = `${prefix}:store`;
const TOKEN = 'rpt-7Hq2Lw9Xz4Kc8Vb3Nm6Pd5Rs';
const now = new Date('2025-03-16T00:00:00.000Z');
const tenantConfig = (id: string) => ({
  id,
  hubspot: { accessToken: 't' },
  salesforce: { orgId: '00D000000000000AAA', accessToken: 't', instanceUrl: 'https://x.example' },
});
const config = LeadBridgeConfig.parse({
  tenants: [tenantConfig('acme'), tenantConfig('globex')],
  sla: { followUpWithin: '1h', salesReadyLeadsPerMonth: 10 },
});

function state(stage: string, timeline: LeadSyncState['timeline'] = {}, reason?: string): LeadSyncState {
  return {
    base: { email: `${stage}@example.org`, stage, rejectionReason: reason ?? null },
    timeline,
    lastDecision: null,
    syncedAt: now.toISOString(),
  };
}

describe('GET /report and /report.json', () => {
  let redis: Redis;
  let ingestQueue: IngestQueue;

  beforeAll(async () => {
    redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { maxRetriesPerRequest: null });
    ingestQueue = createIngestQueue(redis, silentLogger(), prefix);
    const states = new SyncState(redis, { prefix: storePrefix });
    const seed = (tenant: string, items: LeadSyncState[]) =>
      states.writeMany(
        tenant,
        items.map((item, i) => ({ leadKey: `lead-${i}`, expectedVersion: 0, state: item })),
      );
    await seed('acme', [
      state('lead'),
      state('sql', {
        handoffAt: '2025-03-10T09:00:00Z',
        firstFollowUpAt: '2025-03-10T09:30:00Z',
        feedbackAt: '2025-03-10T09:30:00Z',
      }),
      state(
        'rejected',
        {
          handoffAt: '2025-03-11T09:00:00Z',
          firstFollowUpAt: '2025-03-11T11:00:00Z',
          feedbackAt: '2025-03-11T11:00:00Z',
        },
        '<script>alert(1)</script> no budget',
      ),
      state('mql', { handoffAt: '2025-03-15T20:00:00Z' }),
    ]);
    await seed('globex', [state('subscriber'), state('mql', { handoffAt: '2025-03-14T08:00:00Z' })]);
    // A value no reader can parse: counted as unreadable, never guessed at.
    await redis.hset(states.key('acme'), 'broken', '3:{"base":');
  });

  afterAll(async () => {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      if (keys.length > 0) await redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
    await ingestQueue.close();
    await redis.quit();
  });

  const app = (deps: { storePrefix?: string } = { storePrefix }) =>
    createApp({
      config,
      redis,
      ingestQueue,
      metrics: new Metrics({ collectDefaults: false }),
      logger: silentLogger(),
      adminToken: TOKEN,
      redisPrefix: prefix,
      now: () => now,
      ...deps,
    });

  it('refuses both without the admin token', async () => {
    expect((await request(app()).get('/report')).status).toBe(401);
    expect((await request(app()).get('/report.json').set('authorization', 'Bearer nope')).status).toBe(401);
  });

  it('serves the figures as JSON, per tenant and in total', async () => {
    const response = await request(app()).get('/report.json').set('authorization', `Bearer ${TOKEN}`);
    expect(response.status).toBe(200);
    const report = response.body as FunnelReport;
    expect(report.generatedAt).toBe(now.toISOString());
    expect(report.tenants.map((tenant) => tenant.tenant)).toEqual(['acme', 'globex']);
    const acme = report.tenants[0]!;
    expect(acme.leads).toBe(4);
    expect(acme.unreadable).toBe(1);
    expect(acme.handoff).toMatchObject({ passedToSales: 3, accepted: 1, rejected: 1, waitingForFeedback: 1 });
    expect(acme.rejections.reasons).toEqual([{ reason: '<script>alert(1)</script> no budget', count: 1 }]);
    expect(acme.followUp).toMatchObject({ measured: 2, medianMs: 75 * 60_000, withinSla: 1 });
    expect(report.total.handoff.passedToSales).toBe(4);
    expect(report.total.salesReady).toMatchObject({ delivered: 4, target: 20 });
    expect(report.total.funnel.map((step) => step.reached)).toEqual([6, 5, 4, 1, 0, 0]);
  });

  it('filters by tenant and by period, and refuses unknown ones with 400', async () => {
    const globex = await request(app())
      .get(`/report.json?tenant=globex`)
      .set('authorization', `Bearer ${TOKEN}`);
    expect(globex.status).toBe(200);
    expect((globex.body as FunnelReport).tenants.map((tenant) => tenant.tenant)).toEqual(['globex']);
    const lastDay = await request(app()).get(`/report.json?since=1d`).set('authorization', `Bearer ${TOKEN}`);
    expect((lastDay.body as FunnelReport).total.handoff.passedToSales).toBe(1);
    expect(
      (await request(app()).get(`/report.json?tenant=initech`).set('authorization', `Bearer ${TOKEN}`))
        .status,
    ).toBe(400);
    expect(
      (await request(app()).get(`/report.json?since=soon`).set('authorization', `Bearer ${TOKEN}`)).status,
    ).toBe(400);
  });

  it('renders a self-contained page with SVG charts and escapes what people typed', async () => {
    const response = await request(app()).get('/report').set('authorization', `Bearer ${TOKEN}`);
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toMatch(/^text\/html/);
    expect(response.headers['content-security-policy']).toMatch(/default-src 'none'/);
    expect(response.headers['content-security-policy']).toMatch(/frame-ancestors 'none'/);
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    const html = response.text;
    expect(html).toMatch(/<svg[^>]*aria-label="Funnel: leads that reached each stage"/);
    expect(html).toMatch(/<svg[^>]*aria-label="Rejection reasons"/);
    expect(html).toContain('&#60;script&#62;alert(1)&#60;/script&#62; n…');
    expect(html).not.toContain('<script');
    expect(html).not.toMatch(/(src|href)="(https?:)?\/\//);
    expect(html).toMatch(/Per tenant/);
    expect(html).toMatch(/<td>globex<\/td>/);
  });

  it('answers 503 when the server was started without the store', async () => {
    expect((await request(app({})).get('/report.json').set('authorization', `Bearer ${TOKEN}`)).status).toBe(
      503,
    );
  });
});

describe('scanSyncStates', () => {
  let redis: Redis;
  const scanPrefix = `${prefix}:scan`;

  beforeAll(() => {
    redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
  });
  afterAll(async () => {
    await redis.del(new SyncState(redis, { prefix: scanPrefix }).key('big'));
    await redis.quit();
  });

  it('reads a large tenant in several batches, each lead once', async () => {
    const states = new SyncState(redis, { prefix: scanPrefix });
    const writes = Array.from({ length: 1_200 }, (_, i) => ({
      leadKey: `lead-${i}`,
      expectedVersion: 0,
      state: state(i % 2 === 0 ? 'lead' : 'mql'),
    }));
    await states.writeMany('big', writes);
    const seen: string[] = [];
    let batches = 0;
    for await (const batch of scanSyncStates(redis, 'big', { prefix: scanPrefix, batchSize: 100 })) {
      batches++;
      seen.push(...batch.states.map((entry) => entry.leadKey));
      expect(batch.corrupt).toEqual([]);
    }
    expect(batches).toBeGreaterThan(1);
    expect(new Set(seen).size).toBe(1_200);
    expect(seen).toHaveLength(1_200);
  });
});
