import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.ts';
import { type OperatorFixture, useInstalledFixture } from './operator-fixture.ts';

const TOKEN = 'doctor-private-app-token';

interface Check {
  group: string;
  name: string;
  status: 'pass' | 'warn' | 'fail' | 'skip';
  detail: string;
  fix?: string;
}

/** A stand-in for a LeadBridge server behind LEADBRIDGE_PUBLIC_URL. */
function startHealthServer(status: number): Promise<Server> {
  return new Promise((resolve) => {
    const server = createServer((req, res) => {
      res.statusCode = req.url === '/healthz' ? status : req.url === '/webhooks/salesforce' ? 400 : 404;
      res.end('{}');
    });
    server.listen(0, '127.0.0.1', () => resolve(server));
  });
}

describe('leadbridge doctor (built CLI) against both emulators', () => {
  const suite = useInstalledFixture('doctor', { hubspotToken: TOKEN }, { hubspotToken: TOKEN });
  let fixture: OperatorFixture;
  let configFile: string;
  let health: Server;
  let publicUrl: string;

  beforeAll(async () => {
    ({ fixture, configFile } = suite);
    health = await startHealthServer(200);
    publicUrl = `http://127.0.0.1:${(health.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await new Promise((resolve) => health.close(resolve));
  });

  it('passes against healthy emulators: config, Redis, both APIs, webhook URL and API budget', async () => {
    const result = await runCli(
      ['doctor', '--config', configFile],
      { ...fixture.env, LEADBRIDGE_PUBLIC_URL: publicUrl },
      60_000,
    );
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(result.stdout).toMatch(/✔ config: loaded\s+.*1 tenant\(s\) \(acme\)/);
    expect(result.stdout).toMatch(/✔ redis: reachable\s+PONG/);
    expect(result.stdout).toMatch(/✔ acme hubspot: contact property leadbridge_score/);
    expect(result.stdout).toMatch(/✔ acme salesforce: credentials\s+signed in as user/);
    expect(result.stdout).toMatch(/✔ acme salesforce: apiBudget\s+\d+ of 100000 daily API calls used/);
    expect(result.stdout).toMatch(
      /✔ webhooks: public URL reachable\s+GET http:\/\/127\.0\.0\.1:\d+\/healthz: 200/,
    );
    expect(result.stdout).not.toMatch(/✖/);
    expect(result.stdout).toMatch(/all checks passed/);
  });

  it('--json lists every check with its status', async () => {
    const result = await runCli(['doctor', '--json', '--config', configFile], fixture.env, 60_000);
    expect(result.code, result.stdout + result.stderr).toBe(0);
    const report = JSON.parse(result.stdout) as { ok: boolean; checks: Check[] };
    expect(report.ok).toBe(true);
    const groups = new Set(report.checks.map((check) => check.group));
    expect([...groups]).toEqual([
      'config',
      'security',
      'redis',
      'acme hubspot',
      'acme salesforce',
      'webhooks',
    ]);
    // Without LEADBRIDGE_SECRET_KEY the tokens LeadBridge keeps in Redis are plain: a warning with the fix.
    const atRest = report.checks.find((check) => check.name === 'tokens at rest');
    expect(atRest).toMatchObject({ status: 'warn' });
    expect(atRest?.fix).toMatch(/LEADBRIDGE_SECRET_KEY/);
    // Without LEADBRIDGE_PUBLIC_URL the reachability check is skipped, not failed.
    expect(report.checks.find((check) => check.group === 'webhooks')?.status).toBe('skip');
    // The Redis persistence settings are read (or their refusal reported), never a failure.
    const persistence = report.checks.find((check) => check.name === 'persistence');
    expect(['pass', 'warn']).toContain(persistence?.status);
    if (persistence?.status === 'warn') expect(persistence.fix).toMatch(/appendonly yes/);
  });

  it('fails with exit 1 and the fix when HubSpot refuses the token', async () => {
    const refused = fixture.writeConfig('refused.yaml', { hubspotToken: 'revoked-token' });
    const result = await runCli(['doctor', '--config', refused], fixture.env, 60_000);
    expect(result.code, result.stdout + result.stderr).toBe(1);
    expect(result.stdout).toMatch(/✖ acme hubspot: api access/);
    expect(result.stdout).toMatch(/fix: check tenants\[\]\.hubspot\.accessToken/);
    expect(result.stdout).toMatch(/✔ acme salesforce: credentials/);
    expect(result.stdout).toMatch(/some checks failed/);
  });

  it('fails with exit 1 and the fix when a Salesforce custom field is missing', async () => {
    const renamed = fixture.writeConfig('renamed.yaml', {
      hubspotToken: TOKEN,
      extra: 'customFields:\n  salesforce:\n    stage: LB_Funnel_Stage__c\n',
    });
    const result = await runCli(['doctor', '--config', renamed], fixture.env, 60_000);
    expect(result.code, result.stdout + result.stderr).toBe(1);
    expect(result.stdout).toMatch(/✖ acme salesforce: Lead\.LB_Funnel_Stage__c\s+Lead has no field/);
    expect(result.stdout).toMatch(/fix: create the custom field LB_Funnel_Stage__c on Lead/);
  });

  it('fails when LEADBRIDGE_PUBLIC_URL does not answer /healthz with 200', async () => {
    const broken = await startHealthServer(503);
    try {
      const url = `http://127.0.0.1:${(broken.address() as AddressInfo).port}`;
      const result = await runCli(
        ['doctor', '--json', '--config', configFile],
        { ...fixture.env, LEADBRIDGE_PUBLIC_URL: url },
        60_000,
      );
      expect(result.code, result.stdout + result.stderr).toBe(1);
      const report = JSON.parse(result.stdout) as { ok: boolean; checks: Check[] };
      const webhook = report.checks.find((check) => check.group === 'webhooks');
      expect(webhook).toMatchObject({ status: 'fail', detail: `GET ${url}/healthz: 503` });
      expect(webhook?.fix).toMatch(/LEADBRIDGE_PUBLIC_URL/);
    } finally {
      await new Promise((resolve) => broken.close(resolve));
    }
  });

  it('fails with exit 1 when Redis does not answer, and still checks the APIs', async () => {
    const result = await runCli(
      ['doctor', '--config', configFile],
      { ...fixture.env, REDIS_URL: 'redis://127.0.0.1:1' },
      60_000,
    );
    expect(result.code, result.stdout + result.stderr).toBe(1);
    expect(result.stdout).toMatch(/✖ redis: reachable/);
    expect(result.stdout).toMatch(/fix: start Redis 7\+ or point REDIS_URL at it/);
    expect(result.stdout).toMatch(/✔ acme salesforce: credentials/);
  });

  it('exits 2 naming the field when the config is bad', async () => {
    const bad = fixture.writeConfig('bad.yaml', { extra: 'sla: { nonsense: true }\n' });
    const result = await runCli(['doctor', '--config', bad], fixture.env, 30_000);
    expect(result.code).toBe(2);
    expect(result.stdout).toMatch(/✖ config: .*bad\.yaml/);
    expect(result.stderr).toMatch(/sla/);
  });
});
