import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.ts';
import { hubspotCalls, startOperatorFixture, type OperatorFixture } from './operator-fixture.ts';

const TOKEN = 'install-private-app-token';
const PROPERTY_WRITES = /^POST \/crm\/(v3\/properties|properties\/2026-09)\//;
const PROPERTIES = [
  'leadbridge_score',
  'leadbridge_stage',
  'leadbridge_rejection_reason',
  'leadbridge_rejected_at',
  'leadbridge_sla_due_at',
  'leadbridge_sla_breached',
  'leadbridge_gate_reason',
];

describe('leadbridge install (built CLI) against both emulators', () => {
  let fixture: OperatorFixture;
  let configFile: string;

  beforeAll(async () => {
    fixture = await startOperatorFixture('install', { hubspotToken: TOKEN });
    configFile = fixture.writeConfig('leadbridge.config.yaml', { hubspotToken: TOKEN });
  });

  afterAll(async () => {
    await fixture.close();
  });

  const hasProperty = (name: string) => fixture.hubspot.store.properties.has(name);

  it('exits 2 and writes nothing when HubSpot refuses the token', async () => {
    const refused = fixture.writeConfig('refused.yaml', { hubspotToken: 'wrong-token' });
    const result = await runCli(['install', '--config', refused], fixture.env, 60_000);
    expect(result.code, result.stdout + result.stderr).toBe(2);
    expect(result.stdout).toMatch(/credentials refused; nothing was written/);
    expect(result.stdout).toMatch(/acme hubspot api access/);
    expect(result.stdout).toMatch(/fix: check tenants\[\]\.hubspot\.accessToken/);
    expect(hubspotCalls(fixture.hubspot, PROPERTY_WRITES)).toBe(0);
  });

  it('--dry-run lists the group and the six properties it would create, and writes nothing', async () => {
    const result = await runCli(['install', '--dry-run', '--config', configFile], fixture.env, 60_000);
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(result.stdout).toMatch(/dry run: nothing written/);
    expect(result.stdout).toMatch(/would create HubSpot property group leadbridge/);
    for (const name of PROPERTIES) {
      expect(result.stdout).toContain(`would create HubSpot contact property ${name}`);
    }
    expect(result.stdout).toMatch(/Salesforce: fields, statuses and API access are in place/);
    expect(hubspotCalls(fixture.hubspot, PROPERTY_WRITES)).toBe(0);
    for (const name of PROPERTIES) expect(hasProperty(name), name).toBe(false);
  });

  it('creates the group and the properties, and a second run creates nothing', async () => {
    const first = await runCli(['install', '--json', '--config', configFile], fixture.env, 60_000);
    expect(first.code, first.stdout + first.stderr).toBe(0);
    const report = JSON.parse(first.stdout) as {
      ok: boolean;
      tenants: Array<{ hubspot: Array<{ action: string; name: string; done: boolean }> }>;
    };
    expect(report.ok).toBe(true);
    expect(report.tenants[0]!.hubspot).toEqual([
      { action: 'create_group', name: 'leadbridge', done: true },
      ...PROPERTIES.map((name) => ({ action: 'create_property', name, done: true })),
    ]);
    expect(hubspotCalls(fixture.hubspot, PROPERTY_WRITES)).toBe(1 + PROPERTIES.length);
    for (const name of PROPERTIES) expect(hasProperty(name), name).toBe(true);

    const second = await runCli(['install', '--config', configFile], fixture.env, 60_000);
    expect(second.code, second.stdout + second.stderr).toBe(0);
    expect(second.stdout).toMatch(/HubSpot: the leadbridge group and properties are in place/);
    expect(second.stdout).toMatch(/everything LeadBridge needs is in place/);
    expect(hubspotCalls(fixture.hubspot, PROPERTY_WRITES)).toBe(1 + PROPERTIES.length);
  });

  it('exits 1 and names the Salesforce field to add, with its type, when the org lacks it', async () => {
    const renamed = fixture.writeConfig('renamed.yaml', {
      hubspotToken: TOKEN,
      extra: 'customFields:\n  salesforce:\n    score: LB_Fit_Score__c\n    slaBreached: LB_Late__c\n',
    });
    const result = await runCli(['install', '--config', renamed], fixture.env, 60_000);
    expect(result.code, result.stdout + result.stderr).toBe(1);
    expect(result.stdout).toMatch(/Setup > Object Manager > Lead > Fields & Relationships/);
    expect(result.stdout).toMatch(/LB_Fit_Score__c\s+Number \(18, 0\)/);
    expect(result.stdout).toMatch(/LB_Late__c\s+Checkbox/);
    expect(result.stdout).not.toMatch(/LeadBridge_Stage__c\s+Text/);
    expect(result.stdout).toMatch(/not ready/);
  });

  it('exits 2 naming the field when the config is bad', async () => {
    const bad = fixture.writeConfig('bad.yaml', { extra: 'sync: { pollInterval: often }\n' });
    const result = await runCli(['install', '--config', bad], fixture.env, 30_000);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/sync\.pollInterval/);
  });
});
