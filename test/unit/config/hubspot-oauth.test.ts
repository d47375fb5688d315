import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/config/config-error.ts';
import { parseConfig } from '../../../src/config/load.ts';

const config = (hubspot: string) => `
tenants:
  - id: acme
    hubspot: ${hubspot}
    salesforce: { orgId: 00D000000000000AAA, accessToken: t, instanceUrl: https://acme.my.salesforce.com }
`;
const env = { HS_ID: 'cid', HS_SECRET: 'sec', HS_REFRESH: 'rt-1' };
const OAUTH =
  '{ oauth: { clientId: "${HS_ID}", clientSecret: "${HS_SECRET}", refreshToken: "${HS_REFRESH}" } }';

function problems(text: string, vars: Record<string, string> = env) {
  try {
    parseConfig(text, vars, 'test.yaml');
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return Object.fromEntries((error as ConfigError).problems.map((p) => [p.path, p.message]));
  }
  throw new Error('expected the config to be refused');
}

describe('tenants[].hubspot.oauth (a public app)', () => {
  it('takes the app credentials and refresh token from the environment, with no accessToken', () => {
    const hubspot = parseConfig(config(OAUTH), env).tenants[0]!.hubspot;
    expect(hubspot.oauth).toEqual({ clientId: 'cid', clientSecret: 'sec', refreshToken: 'rt-1' });
    expect(hubspot.accessToken).toBeUndefined();
  });

  it('refuses both an accessToken and oauth, and neither', () => {
    const both = OAUTH.replace('{ oauth:', '{ accessToken: pat, oauth:');
    expect(problems(config(both))['tenants[0].hubspot.oauth']).toMatch(/either accessToken .* or oauth/);
    expect(
      problems(config('{ baseUrl: "https://api.hubapi.com" }'))['tenants[0].hubspot.accessToken'],
    ).toMatch(/access token .* or, for a public app, oauth/);
  });

  it('names a missing refresh token', () => {
    const found = problems(config(OAUTH), { HS_ID: 'cid', HS_SECRET: 'sec' });
    expect(Object.keys(found)).toContain('tenants[0].hubspot.oauth.refreshToken');
  });

  it('verifies webhooks with the app secret of oauth when clientSecret is not set (a public app has one secret)', () => {
    const hubspot = parseConfig(config(OAUTH), env).tenants[0]!.hubspot;
    expect(hubspot.clientSecret).toBe('sec');
    const same = OAUTH.replace('{ oauth:', '{ clientSecret: "${HS_SECRET}", oauth:');
    expect(parseConfig(config(same), env).tenants[0]!.hubspot.clientSecret).toBe('sec');
  });

  it('refuses a clientSecret other than oauth.clientSecret, naming both fields', () => {
    const other = OAUTH.replace('{ oauth:', '{ clientSecret: other-secret, oauth:');
    const message = problems(config(other))['tenants[0].hubspot.clientSecret'];
    expect(message).toContain('tenants[].hubspot.clientSecret');
    expect(message).toContain('tenants[].hubspot.oauth.clientSecret');
    // No secret is echoed in the message.
    expect(message).not.toContain('other-secret');
    expect(message).not.toMatch(/\bsec\b/);
  });

  it('keeps a private app’s webhook secret as it is (no oauth)', () => {
    const hubspot = parseConfig(config('{ accessToken: pat, clientSecret: hooks }'), env).tenants[0]!.hubspot;
    expect(hubspot.clientSecret).toBe('hooks');
  });
});
