import { readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.ts';
import { useInstalledFixture } from './operator-fixture.ts';

interface Check {
  group: string;
  name: string;
  status: 'pass' | 'warn' | 'fail' | 'skip';
  detail: string;
  fix?: string;
}

const DEV_KEY = 'dev-api-key';
const APP_ID = 4242;

async function doctor(configFile: string, env: Record<string, string>) {
  const result = await runCli(['doctor', '--json', '--config', configFile], env, 60_000);
  const report = JSON.parse(result.stdout) as { ok: boolean; checks: Check[] };
  return { code: result.code, report, find: (name: string) => report.checks.find((c) => c.name === name) };
}

describe('doctor checks the config against itself and the tenants (built CLI)', () => {
  const suite = useInstalledFixture('doctor-xref');

  it('passes the cross-reference checks for a consistent config', async () => {
    const { code, find } = await doctor(suite.configFile, suite.env);
    expect(code).toBe(0);
    expect(find('field references')?.status).toBe('pass');
    expect(find('orgId')).toMatchObject({ group: 'acme salesforce', status: 'pass' });
    expect(find('mapped property jobtitle')?.status).toBe('pass');
    expect(find('webhook subscription')?.status).toBe('skip');
    expect(find('webhook subscription')?.detail).toMatch(/target URL to .*\/webhooks\/hubspot/);
  });

  it('fails a scoring rule on a misspelled field, an unknown required field, a property the portal lacks, another org', async () => {
    const file = suite.fixture.writeConfig('typos.yaml', {
      scoring: false,
      extra: `
scoring:
  mqlThreshold: 50
  rules:
    - { id: vp-title, category: fit, field: titel, op: contains, value: VP, points: 30 }
handoff:
  requiredFields: [email, compnay]
fields:
  - { canonical: email, hubspot: email, salesforce: Email }
  - { canonical: company, hubspot: company, salesforce: Company }
  - { canonical: title, hubspot: jobtitel, salesforce: Title }
`,
    });
    const otherOrg = '00D5g000009ZZZZEAA';
    writeFileSync(file, readFileSync(file, 'utf8').replace(suite.salesforce.orgId, otherOrg));
    const { code, report, find } = await doctor(file, suite.env);
    expect(code).toBe(1);
    expect(report.ok).toBe(false);
    expect(find('scoring.rules[0].field')).toMatchObject({ group: 'config', status: 'fail' });
    expect(find('scoring.rules[0].field')?.fix).toMatch(/did you mean "title"\?/);
    expect(find('handoff.requiredFields[1]')?.fix).toMatch(/did you mean "company"\?/);
    expect(find('mapped property jobtitel')).toMatchObject({ group: 'acme hubspot', status: 'fail' });
    expect(find('mapped property jobtitel')?.detail).toMatch(/no such contact property/);
    expect(find('orgId')?.status).toBe('fail');
    expect(find('orgId')?.detail).toContain(`sign in to org ${suite.salesforce.orgId}`);
    expect(find('orgId')?.fix).toContain(suite.salesforce.orgId);
  });

  it("reads a public app's webhook target URL and subscriptions, and names what is missing", async () => {
    const file = suite.fixture.writeConfig('app.yaml');
    writeFileSync(
      file,
      readFileSync(file, 'utf8').replace(
        'hubspot: { accessToken: emulator-token,',
        `hubspot: { appId: ${APP_ID}, developerApiKey: ${DEV_KEY}, accessToken: emulator-token,`,
      ),
    );
    const publicUrl = 'http://127.0.0.1:1';
    const env = { ...suite.env, LEADBRIDGE_PUBLIC_URL: publicUrl };

    const none = await doctor(file, env);
    expect(none.find('webhook target URL')).toMatchObject({ status: 'fail' });
    expect(none.find('webhook target URL')?.fix).toContain(`${publicUrl}/webhooks/hubspot`);

    suite.hubspot.setWebhook({
      targetUrl: 'https://old-host.example/webhooks/hubspot',
      clientSecret: 's',
      portalId: 1,
      appId: APP_ID,
    });
    const wrong = await doctor(file, env);
    expect(wrong.find('webhook target URL')?.detail).toMatch(/sends webhooks to https:\/\/old-host/);
    expect(wrong.find('webhook subscriptions')?.status).toBe('pass');

    // Someone removed the phone subscription in the app's settings.
    const base = `${suite.hubspot.url}/webhooks/v3/${APP_ID}/subscriptions`;
    const list = (await (await fetch(`${base}?hapikey=${DEV_KEY}`)).json()) as {
      results: Array<{ id: number; propertyName?: string }>;
    };
    const phone = list.results.find((sub) => sub.propertyName === 'phone');
    await fetch(`${base}/${phone?.id}?hapikey=${DEV_KEY}`, { method: 'DELETE' });
    await fetch(`${suite.hubspot.url}/webhooks/v3/${APP_ID}/settings?hapikey=${DEV_KEY}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ targetUrl: `${publicUrl}/webhooks/hubspot` }),
    });
    const after = await doctor(file, env);
    expect(after.find('webhook target URL')?.status).toBe('pass');
    expect(after.find('webhook subscriptions')).toMatchObject({ status: 'fail' });
    expect(after.find('webhook subscriptions')?.detail).toContain('contact.propertyChange phone');
    expect(after.find('salesforce outbound message endpoint')?.status).toBe('fail');
  });

  it('install explains the HubSpot webhook subscription and the record-triggered Flow', async () => {
    const result = await runCli(['install', '--dry-run', '--config', suite.configFile], suite.env, 60_000);
    expect(result.stdout).toMatch(/HubSpot: in your HubSpot app's Webhooks settings set the target URL/);
    expect(result.stdout).toMatch(/record-triggered Flow on Lead .* Outbound Message action/);
    expect(result.stdout).toMatch(/Workflow Rules are retired/);
  });
});
