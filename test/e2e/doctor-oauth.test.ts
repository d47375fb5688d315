import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HubSpotConnector } from '../../connectors/hubspot/connector.ts';
import { startHubSpotEmulator, type HubSpotEmulator } from '../../connectors/hubspot/emulator/index.ts';
import {
  startSalesforceEmulator,
  type SalesforceEmulator,
} from '../../connectors/salesforce/emulator/index.ts';
import { parseConfig } from '../../src/config/load.ts';
import { runCli } from '../helpers/cli.ts';
import { createContact, deleteKeys, postJson, qualifiedContact, TEST_SCORING } from '../helpers/emulators.ts';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const APP = { clientId: 'cid-doctor', clientSecret: 'secret-doctor', refreshToken: 'rt-doctor-install' };

describe('leadbridge doctor and install with a HubSpot public app (OAuth refresh token from the environment)', () => {
  let hubspot: HubSpotEmulator;
  let salesforce: SalesforceEmulator;
  let dir: string;
  let configFile: string;
  const prefix = `lbtest-e2e-doctor-oauth-${process.pid}-${Date.now()}`;
  const env = {
    REDIS_URL,
    LEADBRIDGE_REDIS_PREFIX: prefix,
    HUBSPOT_CLIENT_ID: APP.clientId,
    HUBSPOT_CLIENT_SECRET: APP.clientSecret,
    HUBSPOT_REFRESH_TOKEN: APP.refreshToken,
  };

  beforeAll(async () => {
    hubspot = await startHubSpotEmulator({ port: 0, seed: 5, contacts: 0, oauth: APP });
    salesforce = await startSalesforceEmulator({ port: 0, seed: 5 });
    dir = mkdtempSync(join(tmpdir(), 'leadbridge-doctor-oauth-'));
    configFile = join(dir, 'leadbridge.config.yaml');
    const yaml = `
tenants:
  - id: acme
    hubspot:
      baseUrl: ${hubspot.url}
      oauth:
        clientId: \${HUBSPOT_CLIENT_ID}
        clientSecret: \${HUBSPOT_CLIENT_SECRET}
        refreshToken: \${HUBSPOT_REFRESH_TOKEN}
    salesforce:
      loginUrl: ${salesforce.url}
      clientId: emulator-client
      refreshToken: emulator-refresh
      orgId: ${salesforce.orgId}
${TEST_SCORING}
`;
    writeFileSync(configFile, yaml);
    const config = parseConfig(yaml, env);
    await new HubSpotConnector(config.tenants[0]!, config).install({ dryRun: false });
  });

  afterAll(async () => {
    const redis = new Redis(REDIS_URL);
    await deleteKeys(redis, prefix);
    await redis.quit();
    await hubspot.close();
    await salesforce.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('sync --once goes on through access tokens that expire mid-run, refreshing each once', async () => {
    for (const email of ['ada@analytical.example', 'grace@cobol.example'])
      await createContact(hubspot, qualifiedContact(email));
    // Every 4th API call finds the current access token expired: only a refresh lets the run go on.
    await postJson(`${hubspot.url}/__emulator/faults`, { expiredTokenEvery: 4 });
    const before = hubspot.oauth?.refreshes ?? 0;
    const result = await runCli(['sync', '--once', '--config', configFile], env, 60_000);
    await postJson(`${hubspot.url}/__emulator/faults`, { expiredTokenEvery: 0 });
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(result.stdout).toMatch(/salesforce 2 \(2 created\)/);
    expect(result.stdout).toMatch(/failures: 0/);
    // Nothing failed along the way (no job retried for it), though calls met expired tokens.
    expect(result.stderr).not.toMatch(/job failed|access token expired/);
    const expired = [...hubspot.calls.values()].reduce((sum, byStatus) => sum + (byStatus.get(401) ?? 0), 0);
    expect(expired).toBeGreaterThan(0);
    // The first token of this process, and one for each expiry (calls still holding a token another
    // call already replaced take the stored one: no token call for them).
    expect((hubspot.oauth?.refreshes ?? 0) - before).toBeGreaterThanOrEqual(2);
    expect((hubspot.oauth?.refreshes ?? 0) - before).toBeLessThanOrEqual(expired + 1);
  });

  it('passes with a working refresh token, and exits 1 with the fix once the install is revoked', async () => {
    const healthy = await runCli(['doctor', '--config', configFile], env, 60_000);
    expect(healthy.stdout).toMatch(/✔ acme hubspot: contact property leadbridge_score/);
    expect(healthy.stdout).not.toMatch(/✖ acme hubspot/);

    await postJson(`${hubspot.url}/__emulator/oauth`, { revokeRefreshToken: true });
    const refused = await runCli(['doctor', '--config', configFile], env, 60_000);
    expect(refused.code, refused.stdout + refused.stderr).toBe(1);
    expect(refused.stdout).toMatch(
      /✖ acme hubspot: api access\s+.*BAD_REFRESH_TOKEN: missing or invalid refresh token/,
    );
    expect(refused.stdout).toMatch(/fix: the refresh token was revoked .*re-authorize the app/);
    expect(refused.stdout).toMatch(/some checks failed/);

    // `install` refuses to go on with refused credentials (exit 2) and names the same fix.
    const install = await runCli(['install', '--config', configFile], env, 60_000);
    expect(install.code, install.stdout + install.stderr).toBe(2);
    expect(install.stdout + install.stderr).toMatch(/acme hubspot api access: .*BAD_REFRESH_TOKEN/);
    expect(install.stdout + install.stderr).toMatch(
      /fix: the refresh token was revoked .*re-authorize the app/,
    );
  });
});
