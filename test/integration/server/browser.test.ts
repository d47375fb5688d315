import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createIngestQueue, type IngestQueue } from '../../../jobs/ingest-queue.ts';
import { LeadBridgeConfig } from '../../../src/config/schema.ts';
import { silentLogger } from '../../../src/log/logger.ts';
import { Metrics } from '../../../src/metrics/prometheus.ts';
import { createApp } from '../../../src/server/app.ts';
import { browserAvailable, launchBrowser } from '../../helpers/browser.ts';
import { deleteKeys } from '../../helpers/emulators.ts';
import { listen } from '../../helpers/hostile-app.ts';

const TOKEN = 'brw-5Gt9Hy3Ju7Ki1Lo6Pa2Sd8Fq';

describe.skipIf(!browserAvailable())('admin pages in a real browser (headless Chromium)', () => {
  const prefix = `lbtest-browser-${process.pid}-${Date.now()}`;
  let redis: Redis;
  let ingestQueue: IngestQueue;
  let reconcileQueue: Queue;
  let server: Awaited<ReturnType<typeof listen>>;
  let browser: Browser;

  beforeAll(async () => {
    redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { maxRetriesPerRequest: null });
    ingestQueue = createIngestQueue(redis, silentLogger(), prefix);
    reconcileQueue = new Queue('leadbridge-reconcile', { connection: redis, prefix });
    await ingestQueue.add('hubspot-updated', {
      tenant: 'acme',
      system: 'hubspot',
      objectId: '101',
      occurredAt: new Date().toISOString(),
      kind: 'updated',
      source: 'webhook',
      dedupKey: 'browser-1',
    });
    const app = createApp({
      config: LeadBridgeConfig.parse({
        tenants: [
          {
            id: 'acme',
            hubspot: { accessToken: 't' },
            salesforce: { orgId: '00D000000000000AAA', accessToken: 't', instanceUrl: 'https://x.example' },
          },
        ],
      }),
      redis,
      ingestQueue,
      metrics: new Metrics({ collectDefaults: false }),
      logger: silentLogger(),
      adminToken: TOKEN,
      redisPrefix: prefix,
      storePrefix: `${prefix}:store`,
      dashboardQueues: [reconcileQueue],
    });
    server = await listen(app);
    browser = await launchBrowser();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await ingestQueue.obliterate({ force: true });
    await reconcileQueue.obliterate({ force: true });
    await ingestQueue.close();
    await reconcileQueue.close();
    await deleteKeys(redis, prefix);
    await redis.quit();
  });

  /** A page that records CSP violations, console errors and every request to another origin. */
  async function watchedPage(): Promise<{ page: Page; problems: string[]; external: string[] }> {
    const context = await browser.newContext();
    const page = await context.newPage();
    const problems: string[] = [];
    const external: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(message.text());
    });
    page.on('pageerror', (error) => problems.push(error.message));
    page.on('request', (request) => {
      if (!request.url().startsWith(server.url) && !request.url().startsWith('data:'))
        external.push(request.url());
    });
    return { page, problems, external };
  }

  async function signIn(page: Page, path: string): Promise<void> {
    await page.goto(`${server.url}${path}`);
    expect(new URL(page.url()).pathname).toBe('/login');
    await page.fill('#token', TOKEN);
    await Promise.all([page.waitForURL(`${server.url}${path}`), page.click('button[type=submit]')]);
  }

  it('signs in at /login and loads the queue dashboard with its queues, within the CSP, nothing external', async () => {
    const { page, problems, external } = await watchedPage();
    await page.goto(`${server.url}/login`);
    await page.fill('#token', 'not-the-token-at-all-000000');
    await page.click('button[type=submit]');
    await expect.poll(() => page.textContent('body')).toMatch(/not the admin token/);

    await signIn(page, '/admin/queues');
    const cookies = await page.context().cookies();
    expect(cookies.find((cookie) => cookie.name === 'lb_admin_session')).toMatchObject({
      httpOnly: true,
      sameSite: 'Strict',
    });
    // The dashboard is a React app: it only shows the queues once its scripts ran and its API answered.
    await page.getByText('leadbridge-ingest').first().waitFor({ timeout: 20_000 });
    await page.getByText('leadbridge-reconcile').first().waitFor({ timeout: 20_000 });
    expect(await page.textContent('body')).not.toMatch(/^\s*Loading\s*$/);
    expect(problems.filter((text) => /Content Security Policy|Refused to/.test(text))).toEqual([]);
    expect(external).toEqual([]);
    await page.context().close();
  }, 60_000);

  it('opens the report after signing in, within its CSP', async () => {
    const { page, problems, external } = await watchedPage();
    await signIn(page, '/report');
    await page.getByText('LeadBridge closed-loop report').first().waitFor();
    expect(problems).toEqual([]);
    expect(external).toEqual([]);
    await page.context().close();
  }, 60_000);
});
