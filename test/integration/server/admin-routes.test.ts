import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createIngestQueue, type IngestQueue } from '../../../jobs/ingest-queue.ts';
import { LeadBridgeConfig } from '../../../src/config/schema.ts';
import { silentLogger } from '../../../src/log/logger.ts';
import { Metrics } from '../../../src/metrics/prometheus.ts';
import { MAX_FAILURES_PER_CLIENT } from '../../../src/server/admin-sessions.ts';
import { createApp } from '../../../src/server/app.ts';

const prefix = `lbtest-admin-${process.pid}-${Date.now()}`;
const TOKEN = 'adm-9Kx2Qw7Lp4Zr8Tn3Vb6Mc1Hy';
const config = LeadBridgeConfig.parse({
  tenants: [
    {
      id: 'acme',
      hubspot: { accessToken: 't' },
      salesforce: { orgId: '00D000000000000AAA', accessToken: 't', instanceUrl: 'https://x.example' },
    },
  ],
});

function sessionCookie(setCookie: string[] | string | undefined): string {
  const header = Array.isArray(setCookie) ? setCookie[0] : setCookie;
  return (header ?? '').split(';')[0] ?? '';
}

describe('admin routes', () => {
  let redis: Redis;
  let ingestQueue: IngestQueue;
  let reconcileQueue: Queue;
  let run = 0;

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
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      if (keys.length > 0) await redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
    await redis.quit();
  });

  /** Each app gets its own throttle keys unless `shared`, so one test's failures do not lock out the next. */
  const app = (adminToken: string | undefined, options: { publicUrl?: string; shared?: boolean } = {}) =>
    createApp({
      config,
      redis,
      ingestQueue,
      metrics: new Metrics({ collectDefaults: false }),
      logger: silentLogger(),
      adminToken,
      redisPrefix: options.shared ? prefix : `${prefix}:${(run += 1)}`,
      dashboardQueues: [reconcileQueue],
      ...(options.publicUrl ? { publicUrl: options.publicUrl } : {}),
    });

  it('refuses the queue dashboard without the admin token, or with a wrong one', async () => {
    const server = app(TOKEN);
    const anonymous = await request(server).get('/admin/queues/api/queues');
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers['www-authenticate']).toMatch(/^Bearer/);
    expect(
      (await request(server).get('/admin/queues/api/queues').set('authorization', 'Bearer wrong')).status,
    ).toBe(401);
  });

  it('turns the admin routes off with a missing, placeholder or short token, saying why', async () => {
    const cases: Array<[string | undefined, RegExp]> = [
      [undefined, /not set/],
      ['change-me', /placeholder/],
      ['change-me-change-me-change-me', /placeholder/],
      ['k2Q9wLp4Zr8Tn3V', /shorter than 24/],
    ];
    for (const [token, why] of cases) {
      const server = app(token);
      const response = await request(server)
        .get('/admin/queues/api/queues')
        .set('authorization', `Bearer ${token ?? 'x'}`);
      expect(response.status).toBe(503);
      expect(response.body.error).toMatch(/LEADBRIDGE_ADMIN_TOKEN/);
      expect(response.body.error).toMatch(why);
      const signIn = await request(server)
        .post('/login')
        .type('form')
        .send({ token: token ?? 'x' });
      expect(signIn.status).toBe(503);
      expect(signIn.headers['set-cookie']).toBeUndefined();
    }
  });

  it('no longer accepts the token in the query string', async () => {
    const response = await request(app(TOKEN)).get(`/admin/queues/api/queues?token=${TOKEN}`);
    expect(response.status).toBe(401);
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
    const response = await request(app(TOKEN))
      .get('/admin/queues/api/queues')
      .set('authorization', `Bearer ${TOKEN}`);
    expect(response.status).toBe(200);
    const names = (response.body.queues as Array<{ name: string; counts: Record<string, number> }>).map(
      (queue) => queue.name,
    );
    expect(names).toEqual(expect.arrayContaining(['leadbridge-ingest', 'leadbridge-reconcile']));
    const ingest = response.body.queues.find((queue: { name: string }) => queue.name === 'leadbridge-ingest');
    expect(ingest.counts.waiting).toBe(1);
  });

  it('sends a browser to the sign-in page, and the session cookie opens the dashboard and its API', async () => {
    const server = app(TOKEN);
    const page = await request(server).get('/admin/queues').set('accept', 'text/html');
    expect(page.status).toBe(303);
    expect(page.headers.location).toBe('/login?next=%2Fadmin%2Fqueues');
    const login = await request(server).get('/login?next=%2Fadmin%2Fqueues');
    expect(login.status).toBe(200);
    expect(login.text).toMatch(/<form method="post" action="\/login">/);
    expect(login.text).not.toMatch(/<script/);

    const wrong = await request(server)
      .post('/login')
      .type('form')
      .send({ token: 'nope', next: '/admin/queues' });
    expect(wrong.status).toBe(401);
    expect(wrong.headers['set-cookie']).toBeUndefined();

    const signedIn = await request(server)
      .post('/login')
      .type('form')
      .send({ token: TOKEN, next: '/admin/queues' });
    expect(signedIn.status).toBe(303);
    expect(signedIn.headers.location).toBe('/admin/queues');
    const setCookie = String(signedIn.headers['set-cookie']);
    expect(setCookie).toMatch(/HttpOnly/);
    expect(setCookie).toMatch(/SameSite=Strict/);
    expect(setCookie).not.toMatch(/Secure/);
    expect(setCookie).not.toContain(TOKEN);
    const cookie = sessionCookie(signedIn.headers['set-cookie']);

    const dashboard = await request(server).get('/admin/queues').set('cookie', cookie);
    expect(dashboard.status).toBe(200);
    expect(dashboard.text).toMatch(/<html/i);
    expect(dashboard.text).not.toMatch(/fonts\.googleapis|https?:\/\//);
    expect((await request(server).get('/admin/queues/api/queues').set('cookie', cookie)).status).toBe(200);

    const logout = await request(server).post('/logout').set('cookie', cookie);
    expect(logout.status).toBe(303);
    expect((await request(server).get('/admin/queues/api/queues').set('cookie', cookie)).status).toBe(401);
  });

  it('marks the cookie Secure behind TLS and only ever redirects to a path on this server', async () => {
    const server = app(TOKEN, { publicUrl: 'https://leadbridge.example.com' });
    for (const next of ['https://evil.example/', '//evil.example/x', '/\\evil.example']) {
      const response = await request(server).post('/login').type('form').send({ token: TOKEN, next });
      expect(response.status).toBe(303);
      expect(response.headers.location).toBe('/report');
      expect(String(response.headers['set-cookie'])).toMatch(/; Secure/);
    }
    const crossSite = await request(server)
      .post('/login')
      .set('origin', 'https://evil.example')
      .type('form')
      .send({ token: TOKEN });
    expect(crossSite.status).toBe(403);
  });

  it('throttles failed attempts: after the limit even the right token waits', async () => {
    const server = app(TOKEN, { shared: true });
    for (let i = 0; i < MAX_FAILURES_PER_CLIENT; i += 1) {
      const response = await request(server)
        .get('/api/leads/x/explain')
        .set('authorization', `Bearer wrong-${i}`);
      expect(response.status).toBe(401);
    }
    const blocked = await request(server).post('/login').type('form').send({ token: TOKEN });
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
    const api = await request(server).get('/admin/queues/api/queues').set('authorization', `Bearer ${TOKEN}`);
    expect(api.status).toBe(429);
  });

  it('sends security headers on every route, with a CSP the pages satisfy', async () => {
    const server = app(TOKEN);
    for (const path of ['/healthz', '/login', '/metrics', '/nowhere']) {
      const response = await request(server).get(path);
      expect(response.headers['x-content-type-options']).toBe('nosniff');
      expect(response.headers['referrer-policy']).toBe('same-origin');
      expect(response.headers['content-security-policy']).toMatch(/frame-ancestors 'none'/);
      expect(response.headers['content-security-policy']).toMatch(/default-src 'self'/);
      expect(response.headers['x-powered-by']).toBeUndefined();
    }
  });
});
