import { describe, expect, it } from 'vitest';
import { runCli, startCli, stop } from '../helpers/cli.ts';
import { createContact, useInstalledFixture } from './operator-fixture.ts';

interface Status {
  total: { backlog: number; failingRecords: number; overdueLeads: number };
  tenants: Array<{
    tenant: string;
    polls: Record<'hubspot' | 'salesforce', { lastSuccessAt: string | null }>;
    backlog: number;
    budget: { salesforce: { used: number; left: number; forecast: string } | null };
    failing: {
      records: number;
      groups: Array<{
        system: string;
        code: string;
        fix: string;
        count: number;
        records: Array<{ hubspotId: string }>;
      }>;
    };
    overdue: { leads: number; byOwner: Array<{ owner: string; count: number }> };
  }>;
}

const ADMIN_TOKEN = 'status-admin-token';

/** The gate lets a lead through without a company, which every Salesforce Lead requires; follow-up due in 1 s. */
const CONFIG = `
handoff: { requiredFields: [email] }
sla: { followUpWithin: 1s }
`;

describe('leadbridge status and retry (built CLI), /status, /settings and the status gauges', () => {
  const suite = useInstalledFixture('status', {}, { extra: CONFIG });

  it('lists the records that did not sync by cause with the fix, re-queues them once fixed, and the server shows the same', async () => {
    const { hubspot, env, configFile } = suite;
    const noCompany = await createContact(hubspot, {
      email: 'nocompany@example.org',
      firstname: 'Nora',
      lastname: 'Nocompany',
      lifecyclestage: 'marketingqualifiedlead',
    });
    await createContact(hubspot, {
      email: 'waiting@example.org',
      firstname: 'Walt',
      lastname: 'Waiting',
      company: 'Waiting Co',
      lifecyclestage: 'marketingqualifiedlead',
    });

    const sync = await runCli(['sync', '--once', '--config', configFile], env, 60_000);
    expect(sync.code, sync.stdout + sync.stderr).toBe(1);
    // Said once: not `REQUIRED_FIELD_MISSING: REQUIRED_FIELD_MISSING: … [Company] [Company]`.
    expect(sync.stdout).toMatch(/ REQUIRED_FIELD_MISSING: Required fields are missing: \[Company\]$/m);
    expect(sync.stdout).not.toMatch(/REQUIRED_FIELD_MISSING: REQUIRED_FIELD_MISSING|\[Company\] \[Company\]/);
    await new Promise((resolve) => setTimeout(resolve, 1_200));

    const text = await runCli(['status', '--config', configFile], env, 60_000);
    expect(text.code, text.stdout + text.stderr).toBe(1);
    expect(text.stdout).toMatch(/salesforce REQUIRED_FIELD_MISSING: 1 record\(s\)/);
    expect(text.stdout).toMatch(/fix: fill the field the message names/);
    expect(text.stdout).toContain('nocompany@example.org');

    const json = await runCli(['status', '--json', '--tenant', 'acme', '--config', configFile], env, 60_000);
    const status = JSON.parse(json.stdout) as Status;
    const acme = status.tenants[0]!;
    expect(acme.polls.hubspot.lastSuccessAt).not.toBeNull();
    expect(acme.polls.salesforce.lastSuccessAt).not.toBeNull();
    expect(acme.failing.records).toBe(1);
    expect(acme.failing.groups[0]).toMatchObject({
      system: 'salesforce',
      code: 'REQUIRED_FIELD_MISSING',
      count: 1,
    });
    expect(acme.failing.groups[0]?.records[0]?.hubspotId).toBe(noCompany);
    // Both leads were handed off and nobody followed up; the one Salesforce refused has no owner there yet.
    expect(acme.overdue.leads).toBe(2);
    expect(
      acme.overdue.byOwner
        .map(({ owner, count }) => ({ owner, count }))
        .sort((a, b) => a.owner.localeCompare(b.owner)),
    ).toEqual([
      { owner: '(no Salesforce record)', count: 1 },
      { owner: suite.salesforce.repUserId, count: 1 },
    ]);
    expect(acme.budget.salesforce?.used).toBeGreaterThan(0);
    expect(status.total).toEqual({ backlog: 0, failingRecords: 1, overdueLeads: 2 });

    // The server's pages and gauges say the same.
    const server = await startCli(
      ['serve', '--port', '0', '--config', configFile],
      { ...env, LEADBRIDGE_ADMIN_TOKEN: ADMIN_TOKEN },
      /listening on (http:\/\/\S+)/,
    );
    try {
      const url = server.match[1];
      const auth = { authorization: `Bearer ${ADMIN_TOKEN}` };
      expect((await fetch(`${url}/status.json`)).status).toBe(401);
      expect((await fetch(`${url}/settings`)).status).toBe(401);
      const served = (await (await fetch(`${url}/status.json`, { headers: auth })).json()) as Status;
      expect(served.total).toEqual(status.total);
      const page = await (await fetch(`${url}/status`, { headers: auth })).text();
      expect(page).toMatch(/data-testid="acme-failing">1</);
      expect(page).toMatch(/data-testid="acme-overdue">2</);
      const settings = await (await fetch(`${url}/settings`, { headers: auth })).text();
      expect(settings).toContain('prefer_salesforce_unless_blank');
      expect(settings).toContain('vp-title');
      const metrics = await (await fetch(`${url}/metrics`)).text();
      expect(metrics).toMatch(/^leadbridge_backlog_records\{tenant="acme"\} 0$/m);
      expect(metrics).toMatch(/^leadbridge_overdue_leads\{tenant="acme"\} 2$/m);
      expect(metrics).toMatch(
        /^leadbridge_last_successful_poll_timestamp_seconds\{tenant="acme",system="hubspot"\} \d+$/m,
      );
      expect(metrics).toMatch(/^leadbridge_api_budget_left\{tenant="acme",system="salesforce"\} \d+$/m);
      expect(metrics).toMatch(
        /# HELP leadbridge_leads_reconciled_total .*changed: at least one patch written/,
      );
    } finally {
      await stop(server.child);
    }

    // The admin fixes the record in HubSpot and retries just that cause.
    const edit = await fetch(`${hubspot.url}/__emulator/contacts/${noCompany}`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ properties: { company: 'Found Co' } }),
    });
    expect(edit.ok).toBe(true);
    const retry = await runCli(
      ['retry', '--code', 'REQUIRED_FIELD_MISSING', '--config', configFile],
      env,
      60_000,
    );
    expect(retry.code, retry.stdout + retry.stderr).toBe(0);
    expect(retry.stdout).toMatch(/acme: 1 record\(s\) re-queued \(REQUIRED_FIELD_MISSING\)/);
    const again = await runCli(['sync', '--once', '--config', configFile], env, 60_000);
    expect(again.code, again.stdout + again.stderr).toBe(0);
    const after = JSON.parse(
      (await runCli(['status', '--json', '--config', configFile], env, 60_000)).stdout,
    ) as Status;
    expect(after.total.failingRecords).toBe(0);
  });

  it('status and retry take --tenant with the one unknown-tenant wording', async () => {
    for (const command of ['status', 'retry']) {
      const result = await runCli([command, '--tenant', 'nope', '--config', suite.configFile], suite.env);
      expect(result.code).toBe(2);
      expect(result.stderr.trim()).toBe('--tenant: unknown tenant "nope"; configured: acme');
    }
  });
});
