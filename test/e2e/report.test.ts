import { describe, expect, it } from 'vitest';
import type { FunnelReport } from '../../src/domain/report-schema.ts';
import { runCli } from '../helpers/cli.ts';
import { postJson as post } from '../helpers/emulators.ts';
import { useInstalledFixture } from './operator-fixture.ts';

const SLA = `
sla:
  followUpWithin: 1h
  salesReadyLeadsPerMonth: 40
`;

const qualified = (email: string, lastname: string) => ({
  email,
  firstname: 'Test',
  lastname,
  company: `${lastname} Ltd`,
  jobtitle: 'VP Sales',
  phone: '+44 20 7946 0000',
  lifecyclestage: 'lead',
});

describe('leadbridge report (built CLI) after sync --once against both emulators', () => {
  const suite = useInstalledFixture('report', { seed: 7 }, { extra: SLA });

  it('counts the handoffs, what sales did with them and why it rejected one', async () => {
    const { hubspot, salesforce, env, configFile } = suite;
    for (const [email, name] of [
      ['ada@analytical.example', 'Lovelace'],
      ['grace@cobol.example', 'Hopper'],
    ] as const) {
      await post(`${hubspot.url}/__emulator/contacts`, { properties: qualified(email, name) });
    }
    await post(`${hubspot.url}/__emulator/contacts`, {
      properties: { email: 'bob@example.org', firstname: 'Bob', lifecyclestage: 'lead' },
    });
    const first = await runCli(['sync', '--once', '--config', configFile], env, 60_000);
    expect(first.code, first.stdout + first.stderr).toBe(0);

    // Sales works one lead and rejects the other, with a reason, in Salesforce. Its timestamps have whole
    // seconds: an answer stamped in the second of the handoff would read as earlier than the handoff (the
    // CLI now exits within that second), so the rep answers in the next one, as any rep does.
    await new Promise((resolve) => setTimeout(resolve, 1000 - (Date.now() % 1000) + 20));
    const leads = salesforce.state.store.rows('Lead');
    expect(leads).toHaveLength(2);
    const byEmail = (email: string) => String(leads.find((lead) => lead.Email === email)?.Id);
    await post(`${salesforce.url}/__emulator/leads/${byEmail('ada@analytical.example')}/edit`, {
      Status: 'Working - Contacted',
    });
    await post(`${salesforce.url}/__emulator/leads/${byEmail('grace@cobol.example')}/edit`, {
      Status: 'Closed - Not Converted',
      Rejection_Reason__c: '  No budget this year ',
    });
    const second = await runCli(['sync', '--once', '--config', configFile], env, 60_000);
    expect(second.code, second.stdout + second.stderr).toBe(0);

    const json = await runCli(['report', '--json', '--config', configFile], env, 30_000);
    expect(json.code, json.stdout + json.stderr).toBe(0);
    const report = JSON.parse(json.stdout) as FunnelReport;
    expect(report.tenants.map((tenant) => tenant.tenant)).toEqual(['acme']);
    const { total } = report;
    expect(total.leads).toBe(3);
    expect(total.unreadable).toBe(0);
    expect(total.funnel.map((step) => [step.stage, step.reached])).toEqual([
      ['subscriber', 3],
      ['lead', 3],
      ['mql', 2],
      ['sql', 1],
      ['opportunity', 0],
      ['customer', 0],
    ]);
    expect(total.handoff).toMatchObject({
      passedToSales: 2,
      accepted: 1,
      rejected: 1,
      waitingForFeedback: 0,
    });
    expect(total.rejections.reasons).toEqual([{ reason: 'No budget this year', count: 1 }]);
    // Both were handed off and answered within seconds: measured, within the hour, no breach.
    expect(total.followUp).toMatchObject({ measured: 2, withinSla: 2, withinSlaShare: 1 });
    expect(total.followUp.medianMs).toBeGreaterThan(0);
    expect(total.followUp.medianMs).toBeLessThan(120_000);
    expect(total.sla).toEqual({ followUpBreaches: 0, feedbackBreaches: 0, leadsBreached: 0, overdueNow: 0 });
    expect(total.salesReady).toMatchObject({ delivered: 2, target: 40 });

    const text = await runCli(['report', '--config', configFile], env, 30_000);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(/Tenant: acme, 3 leads/);
    expect(text.stdout).toMatch(/^\s*mql \(handoff\)\s+2\s+67%\s+█+$/m);
    expect(text.stdout).toMatch(/^Passed to sales\s+2\s+accepted 1, rejected 1/m);
    expect(text.stdout).toMatch(/^\s+No budget this year\s+1\s+█+$/m);
  });

  it('exits 2 naming the tenants for an unknown --tenant, and for a bad --since', async () => {
    const { env, configFile } = suite;
    const unknown = await runCli(['report', '--tenant', 'initech', '--config', configFile], env);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/--tenant: unknown tenant "initech"; configured: acme/);
    const since = await runCli(['report', '--since', 'lately', '--config', configFile], env);
    expect(since.code).toBe(2);
    expect(since.stderr).toMatch(/--since lately/);
  });
});
