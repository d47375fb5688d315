import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, startCli, stop } from '../helpers/cli.ts';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const EXAMPLE = ['--config', 'leadbridge.config.example.yaml'];

/** Every `${NAME}` / `${NAME:-default}` the example config reads. */
function exampleConfigVariables(): string[] {
  const text = readFileSync(new URL('../../leadbridge.config.example.yaml', import.meta.url), 'utf8')
    .split('\n')
    .filter((line) => !line.trimStart().startsWith('#'))
    .join('\n');
  return [...new Set([...text.matchAll(/\$\{([A-Z0-9_]+)/g)].map((match) => match[1]!))];
}

function exportsOf(output: string): Record<string, string> {
  return Object.fromEntries([...output.matchAll(/export ([A-Z0-9_]+)=(\S+)/g)].map((m) => [m[1]!, m[2]!]));
}

describe('emulators that can say no (built CLI)', () => {
  let emulate: Awaited<ReturnType<typeof startCli>>;
  let variables: Record<string, string>;

  beforeAll(async () => {
    emulate = await startCli(
      [
        'emulate',
        '--hubspot-port',
        '0',
        '--salesforce-port',
        '0',
        '--contacts',
        '0',
        '--leads',
        '3',
        '--token',
        'strict-token',
        '--salesforce-client-secret',
        'the-secret',
        '--bare',
      ],
      {},
      /Press Ctrl\+C/,
    );
    variables = exportsOf(emulate.output());
  });
  afterAll(async () => {
    await stop(emulate.child);
  });

  it('prints every variable the example config reads', () => {
    const missing = exampleConfigVariables().filter((name) => variables[name] === undefined);
    expect(missing).toEqual([]);
  });

  it('with the printed variables the example config gets through; a bare org lists every LeadBridge field to add', async () => {
    const result = await runCli(['install', '--dry-run', '--json', ...EXAMPLE], { ...variables, REDIS_URL });
    expect(result.code, result.stdout + result.stderr).toBe(1);
    const report = JSON.parse(result.stdout) as {
      credentialsRefused?: unknown;
      tenants: Array<{ salesforceFieldsToAdd: Array<{ apiName: string }> }>;
    };
    expect(report.credentialsRefused).toBeUndefined();
    expect(report.tenants[0]?.salesforceFieldsToAdd.map((field) => field.apiName).sort()).toEqual([
      'LeadBridge_Key__c',
      'LeadBridge_SLA_Breached__c',
      'LeadBridge_SLA_Due__c',
      'LeadBridge_Score__c',
      'LeadBridge_Stage__c',
      'Rejection_Reason__c',
    ]);
  });

  it.each([
    ['SALESFORCE_REFRESH_TOKEN', 'stale-refresh-token', /expired access\/refresh token/],
    ['SALESFORCE_CLIENT_SECRET', 'wrong-secret', /invalid client credentials/],
    ['SALESFORCE_CLIENT_ID', 'someone-elses-app', /client identifier invalid/],
  ])(
    'the Salesforce token endpoint refuses a bad %s: install exits 2, nothing written',
    async (name, value, why) => {
      const result = await runCli(['install', ...EXAMPLE], { ...variables, [name]: value, REDIS_URL });
      expect(result.code, result.stdout + result.stderr).toBe(2);
      expect(result.stdout).toMatch(/credentials refused; nothing was written/);
      expect(result.stdout).toMatch(why);
    },
  );

  it("answers with the vendor's own token-endpoint bodies", async () => {
    const url = `${variables.SALESFORCE_LOGIN_URL}/services/oauth2/token`;
    const post = (form: Record<string, string>) =>
      fetch(url, { method: 'POST', body: new URLSearchParams(form) }).then(async (response) => ({
        status: response.status,
        body: await response.json(),
      }));
    const base = {
      grant_type: 'refresh_token',
      client_id: 'emulator-client',
      client_secret: 'the-secret',
      refresh_token: 'emulator-refresh-token',
    };
    expect(await post({ ...base, client_secret: 'nope' })).toEqual({
      status: 400,
      body: { error: 'invalid_client', error_description: 'invalid client credentials' },
    });
    expect(await post({ ...base, refresh_token: 'nope' })).toEqual({
      status: 400,
      body: { error: 'invalid_grant', error_description: 'expired access/refresh token' },
    });
    expect((await post(base)).status).toBe(200);
  });
});
