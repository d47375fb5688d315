import { describe, expect, it } from 'vitest';
import { runCli, startCli, stop } from '../helpers/cli.ts';
import { createContact, giveDefaultRepAHubSpotSeat, useInstalledFixture } from './operator-fixture.ts';

interface Status {
  total: {
    backlog: number;
    failingRecords: number;
    overdueLeads: number;
    duplicates: number;
    parkedWrites: number;
  };
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

/** Passes the admin token policy (24+ characters, no placeholder words), else the admin routes answer 503. */
const ADMIN_TOKEN = 'sts-5Kx8Qm2Rv7Lp3Wz9Hd4Nb6Tc';

/** Follow-up due in 1 s. */
const CONFIG = `
sla: { followUpWithin: 1s }
`;

/** Lead.Title holds 128 characters: the gate cannot see that, Salesforce refuses the Lead (STRING_TOO_LONG). */
const LONG_TITLE = `VP of ${'very '.repeat(30)}long titles`;

describe('leadbridge status and retry (built CLI), /status, /settings and the status gauges', () => {
  const suite = useInstalledFixture('status', {}, { extra: CONFIG });

  it('lists the records that did not sync by cause with the fix, re-queues them once fixed, and the server shows the same', async () => {
    const { hubspot, env, configFile } = suite;
    // `sync --once` runs the owner step of each handoff: give the org's default rep a HubSpot seat, so the
    // only record failing here is the one Salesforce refuses (not an unknown HubSpot owner).
    giveDefaultRepAHubSpotSeat(hubspot);
    // Both pass the gate (VP title and phone score 60; every required field is there).
    const longTitle = await createContact(hubspot, {
      email: 'longtitle@example.org',
      firstname: 'Lena',
      lastname: 'Longtitle',
      company: 'Verbose Inc',
      jobtitle: LONG_TITLE,
      phone: '+44 20 7946 0001',
      lifecyclestage: 'marketingqualifiedlead',
    });
    await createContact(hubspot, {
      email: 'waiting@example.org',
      firstname: 'Walt',
      lastname: 'Waiting',
      company: 'Waiting Co',
      jobtitle: 'VP Sales',
      phone: '+44 20 7946 0002',
      lifecyclestage: 'marketingqualifiedlead',
    });

    const sync = await runCli(['sync', '--once', '--config', configFile], env, 60_000);
    expect(sync.code, sync.stdout + sync.stderr).toBe(1);
    // Said once: not `STRING_TOO_LONG: STRING_TOO_LONG: Title: … Title: …`.
    expect(sync.stdout).toMatch(/ STRING_TOO_LONG: Title: data value too large: .*\(max length=128\)$/m);
    expect(sync.stdout).not.toMatch(/STRING_TOO_LONG: STRING_TOO_LONG|Title: .*Title: /);
    await new Promise((resolve) => setTimeout(resolve, 1_200));

    const text = await runCli(['status', '--config', configFile], env, 60_000);
    expect(text.code, text.stdout + text.stderr).toBe(1);
    expect(text.stdout).toMatch(/salesforce STRING_TOO_LONG: 1 record\(s\)/);
    expect(text.stdout).toMatch(/fix: the value is longer than the Salesforce field allows/);
    expect(text.stdout).toContain('longtitle@example.org');

    const json = await runCli(['status', '--json', '--tenant', 'acme', '--config', configFile], env, 60_000);
    const status = JSON.parse(json.stdout) as Status;
    const acme = status.tenants[0]!;
    expect(acme.polls.hubspot.lastSuccessAt).not.toBeNull();
    expect(acme.polls.salesforce.lastSuccessAt).not.toBeNull();
    expect(acme.failing.records).toBe(1);
    expect(acme.failing.groups[0]).toMatchObject({
      system: 'salesforce',
      code: 'STRING_TOO_LONG',
      count: 1,
    });
    expect(acme.failing.groups[0]?.records[0]?.hubspotId).toBe(longTitle);
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
    // The refused create is parked (not sent again until the record or the config changes).
    expect(status.total).toEqual({
      backlog: 0,
      failingRecords: 1,
      overdueLeads: 2,
      duplicates: 0,
      parkedWrites: 1,
    });

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
    const edit = await fetch(`${hubspot.url}/__emulator/contacts/${longTitle}`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ properties: { jobtitle: 'VP of long titles' } }),
    });
    expect(edit.ok).toBe(true);
    const retry = await runCli(['retry', '--code', 'STRING_TOO_LONG', '--config', configFile], env, 60_000);
    expect(retry.code, retry.stdout + retry.stderr).toBe(0);
    expect(retry.stdout).toMatch(/acme: 1 record\(s\) re-queued \(STRING_TOO_LONG\)/);
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
