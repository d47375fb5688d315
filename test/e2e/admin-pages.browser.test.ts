import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserAvailable, launchBrowser } from '../helpers/browser.ts';
import { runCli, startCli, stop } from '../helpers/cli.ts';
import { createContact, giveDefaultRepAHubSpotSeat, useInstalledFixture } from './operator-fixture.ts';

// Admin routes need a token of 24+ characters that is not a placeholder.
const ADMIN_TOKEN = 'Zr8Kp2Wq5Nx7Lm3Vb9Tc4Hd6Jg';
const auth = { authorization: `Bearer ${ADMIN_TOKEN}` };

describe.skipIf(!browserAvailable())(
  'the admin pages in headless Chromium show the numbers of their JSON',
  () => {
    const suite = useInstalledFixture('browser', {}, { extra: 'sla: { followUpWithin: 1s }\n' });
    let browser: Browser;
    let server: Awaited<ReturnType<typeof startCli>>;
    let url: string;

    beforeAll(async () => {
      // Both pass the gate (VP title and phone score 60, every required field there); Salesforce refuses
      // the first one's title, longer than Lead.Title's 128 characters (STRING_TOO_LONG).
      await createContact(suite.hubspot, {
        email: 'longtitle@example.org',
        firstname: 'Lena',
        lastname: 'Longtitle',
        company: 'Verbose Inc',
        jobtitle: `VP of ${'very '.repeat(30)}long titles`,
        phone: '+44 20 7946 0001',
        lifecyclestage: 'marketingqualifiedlead',
      });
      await createContact(suite.hubspot, {
        email: 'waiting@example.org',
        firstname: 'Walt',
        lastname: 'Waiting',
        company: 'Waiting Co',
        jobtitle: 'VP Sales',
        phone: '+44 20 7946 0002',
        lifecyclestage: 'marketingqualifiedlead',
      });
      // `sync --once` runs the owner step: the default rep has a HubSpot seat, so only the long title fails.
      giveDefaultRepAHubSpotSeat(suite.hubspot);
      await runCli(['sync', '--once', '--config', suite.configFile], suite.env, 60_000);
      await new Promise((resolve) => setTimeout(resolve, 1_200));
      server = await startCli(
        ['serve', '--port', '0', '--config', suite.configFile],
        { ...suite.env, LEADBRIDGE_ADMIN_TOKEN: ADMIN_TOKEN },
        /listening on (http:\/\/\S+)/,
      );
      url = server.match[1]!;
      browser = await launchBrowser();
    }, 90_000);

    afterAll(async () => {
      await browser?.close();
      if (server) await stop(server.child);
    });

    async function open(path: string) {
      const context = await browser.newContext({ extraHTTPHeaders: auth });
      const page = await context.newPage();
      const response = await page.goto(`${url}${path}`);
      expect(response?.status()).toBe(200);
      return { page, close: () => context.close() };
    }

    const number = async (page: Page, testid: string) =>
      Number(await page.getByTestId(testid).first().textContent());

    it('/status', async () => {
      const json = (await (await fetch(`${url}/status.json`, { headers: auth })).json()) as {
        total: { backlog: number; failingRecords: number; overdueLeads: number };
        tenants: Array<{ backlog: number; failing: { records: number }; overdue: { leads: number } }>;
      };
      const { page, close } = await open('/status');
      try {
        expect(await page.title()).toMatch(/Sync status/);
        expect(await number(page, 'total-backlog')).toBe(json.total.backlog);
        expect(await number(page, 'total-failing')).toBe(json.total.failingRecords);
        expect(await number(page, 'total-overdue')).toBe(json.total.overdueLeads);
        expect(await number(page, 'acme-failing')).toBe(json.tenants[0]!.failing.records);
        expect(await number(page, 'acme-overdue')).toBe(json.tenants[0]!.overdue.leads);
        expect(await number(page, 'acme-failing-salesforce-STRING_TOO_LONG')).toBe(1);
        expect(json.total.failingRecords).toBe(1);
        expect(json.total.overdueLeads).toBe(2);
      } finally {
        await close();
      }
    });

    it('/settings', async () => {
      const json = (await (await fetch(`${url}/settings.json`, { headers: auth })).json()) as {
        scoring: { mqlThreshold: number; rules: unknown[] };
        fields: unknown[];
      };
      const { page, close } = await open('/settings');
      try {
        expect(await number(page, 'mql-threshold')).toBe(json.scoring.mqlThreshold);
        const tables = page.locator('table');
        // Tenants, field mappings, scoring rules, handoff and SLA.
        expect(await tables.nth(1).locator('tbody tr').count()).toBe(json.fields.length);
        expect(await tables.nth(2).locator('tbody tr').count()).toBe(json.scoring.rules.length);
        expect(await page.content()).not.toContain('emulator-token');
      } finally {
        await close();
      }
    });

    it('/report', async () => {
      const json = (await (await fetch(`${url}/report.json`, { headers: auth })).json()) as {
        total: { leads: number; handoff: { passedToSales: number } };
      };
      const { page, close } = await open('/report');
      try {
        // The one-tenant report shows the total's figures under its heading (`<n> leads`).
        const metas = await page.locator('p.meta').allTextContents();
        expect(metas).toContain(`${json.total.leads} leads`);
        expect(json.total.leads).toBe(2);
        expect(json.total.handoff.passedToSales).toBe(2);
      } finally {
        await close();
      }
    });
  },
);
