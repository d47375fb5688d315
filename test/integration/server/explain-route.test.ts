import { Redis } from 'ioredis';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createIngestQueue, type IngestQueue } from '../../../jobs/ingest-queue.ts';
import { LeadBridgeConfig } from '../../../src/config/schema.ts';
import { silentLogger } from '../../../src/log/logger.ts';
import { Metrics } from '../../../src/metrics/prometheus.ts';
import { createApp } from '../../../src/server/app.ts';
import type { AuditEntry } from '../../../src/store/audit-entry.ts';
import { AuditTrail } from '../../../src/store/audit-trail.ts';
import { LeadLinks } from '../../../src/store/lead-links.ts';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const prefix = `lbtest-explain-route-${process.pid}-${Date.now()}`;
const TOKEN = 'xpl-4Rt8Yu2Io6Pa9Sd3Fg7Hj1Kl';

const tenant = (id: string) => ({
  id,
  hubspot: { accessToken: 't' },
  salesforce: { orgId: '00D000000000000AAA', accessToken: 't', instanceUrl: 'https://x.example' },
});
const config = LeadBridgeConfig.parse({ tenants: [tenant('acme'), tenant('globex')] });

const trail: AuditEntry[] = [
  {
    type: 'change_seen',
    at: '2025-03-04T09:15:00.000Z',
    system: 'hubspot',
    objectId: '101',
    source: 'webhook',
    kind: 'updated',
    occurredAt: '2025-03-04T09:14:58.000Z',
  },
  {
    type: 'decision',
    at: '2025-03-04T09:15:01.000Z',
    rule: 'mql_threshold',
    from: 'lead',
    to: 'mql',
    by: 'leadbridge',
    score: {
      score: 60,
      fired: [
        { id: 'vp-title', points: 30 },
        { id: 'has-phone', points: 30 },
      ],
    },
  },
  {
    type: 'patch_written',
    at: '2025-03-04T09:15:02.000Z',
    system: 'salesforce',
    recordId: '00Q000000000001AAA',
    fields: ['stage', 'score'],
    created: true,
  },
];

describe('GET /api/leads/:key/explain', () => {
  let redis: Redis;
  let ingestQueue: IngestQueue;
  let auditTrail: AuditTrail;
  let leadKey: string;

  beforeAll(async () => {
    redis = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
    ingestQueue = createIngestQueue(redis, silentLogger(), prefix);
    const store = { prefix: `${prefix}:store` };
    const links = new LeadLinks(redis, store);
    auditTrail = new AuditTrail(redis, links, store);
    const now = new Date('2025-03-04T09:15:00.000Z');
    const outcome = await links.link(
      'acme',
      { hubspot: '101', salesforceLead: '00Q000000000001AAA', email: 'Ada@Analytical.example' },
      now,
    );
    if (!outcome.ok) throw new Error(outcome.detail);
    leadKey = outcome.link.leadKey;
    await auditTrail.append('acme', leadKey, ...trail);
    // The same address is a lead in a second tenant too.
    const other = await links.link('globex', { hubspot: '555', email: 'ada@analytical.example' }, now);
    if (!other.ok) throw new Error(other.detail);
    await auditTrail.append('globex', other.link.leadKey, trail[0]!);
  });

  afterAll(async () => {
    await ingestQueue.obliterate({ force: true });
    await ingestQueue.close();
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      if (keys.length > 0) await redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
    await redis.quit();
  });

  const app = (withTrail = true) =>
    createApp({
      config,
      redis,
      ingestQueue,
      metrics: new Metrics({ collectDefaults: false }),
      logger: silentLogger(),
      adminToken: TOKEN,
      redisPrefix: prefix,
      ...(withTrail ? { auditTrail } : {}),
    });

  const get = (path: string) => request(app()).get(path).set('authorization', `Bearer ${TOKEN}`);

  it('needs the admin token', async () => {
    const response = await request(app()).get('/api/leads/101/explain');
    expect(response.status).toBe(401);
    expect(
      (await request(app()).get('/api/leads/101/explain').set('authorization', 'Bearer wrong')).status,
    ).toBe(401);
  });

  it("answers a HubSpot id with the lead's link and its whole trail, oldest first", async () => {
    const response = await get('/api/leads/101/explain?tenant=acme');
    expect(response.status).toBe(200);
    expect(response.body.query).toBe('101');
    expect(response.body.results).toHaveLength(1);
    const [result] = response.body.results;
    expect(result.tenant).toBe('acme');
    expect(result.link).toMatchObject({
      leadKey,
      hubspot: '101',
      salesforceLead: '00Q000000000001AAA',
      email: 'ada@analytical.example',
    });
    expect(result.entries).toEqual(trail);
    expect(result.unreadable).toEqual([]);
  });

  it('finds the same lead by Salesforce id, by lead key and by email in any case', async () => {
    for (const key of ['00Q000000000001AAA', leadKey, 'ADA@analytical.EXAMPLE']) {
      const response = await get(`/api/leads/${encodeURIComponent(key)}/explain?tenant=acme`);
      expect(response.status, key).toBe(200);
      expect(response.body.results[0].link.leadKey).toBe(leadKey);
    }
  });

  it('searches every tenant when none is named', async () => {
    const response = await get('/api/leads/ada%40analytical.example/explain');
    expect(response.status).toBe(200);
    expect(response.body.results.map((result: { tenant: string }) => result.tenant)).toEqual([
      'acme',
      'globex',
    ]);
    expect(response.body.results[1].entries).toHaveLength(1);
  });

  it('keeps only the most recent entries with ?limit=', async () => {
    const response = await get('/api/leads/101/explain?tenant=acme&limit=2');
    expect(response.status).toBe(200);
    expect(response.body.results[0].entries.map((entry: AuditEntry) => entry.type)).toEqual([
      'decision',
      'patch_written',
    ]);
  });

  it('lists an entry that no longer parses instead of hiding it', async () => {
    await redis.rpush(
      auditTrail.key('globex', (await get('/api/leads/555/explain')).body.results[0].link.leadKey),
      '{broken',
    );
    const response = await get('/api/leads/555/explain?tenant=globex');
    expect(response.status).toBe(200);
    expect(response.body.results[0].entries).toHaveLength(1);
    expect(response.body.results[0].unreadable).toEqual([{ position: 1, reason: 'not JSON' }]);
  });

  it('answers 404 for an unknown lead, and for a lead of another tenant', async () => {
    const unknown = await get('/api/leads/nobody%40example.org/explain');
    expect(unknown.status).toBe(404);
    expect(unknown.body.error).toMatch(/no lead matches "nobody@example.org"/);
    expect((await get('/api/leads/555/explain?tenant=acme')).status).toBe(404);
  });

  it('answers 400 for an unknown tenant or a bad limit', async () => {
    const tenantResponse = await get('/api/leads/101/explain?tenant=initech');
    expect(tenantResponse.status).toBe(400);
    expect(tenantResponse.body.error).toMatch(/acme, globex/);
    expect((await get('/api/leads/101/explain?limit=0')).status).toBe(400);
    expect((await get('/api/leads/101/explain?limit=abc')).status).toBe(400);
  });

  it('answers 503 when the server was built without the store', async () => {
    const response = await request(app(false))
      .get('/api/leads/101/explain')
      .set('authorization', `Bearer ${TOKEN}`);
    expect(response.status).toBe(503);
  });
});
