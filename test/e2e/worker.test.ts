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
import { startCli, stop } from '../helpers/cli.ts';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const PREFIX = `lbtest-e2e-worker-${process.pid}-${Date.now()}`;

async function waitFor(check: () => boolean, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > until) throw new Error(`not reached within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('leadbridge worker and start (built CLI) against both emulators', () => {
  let hubspot: HubSpotEmulator;
  let salesforce: SalesforceEmulator;
  let dir: string;
  let configFile: string;
  const env = { REDIS_URL, LEADBRIDGE_REDIS_PREFIX: PREFIX };

  beforeAll(async () => {
    hubspot = await startHubSpotEmulator({ port: 0, seed: 9, contacts: 0 });
    salesforce = await startSalesforceEmulator({ port: 0, seed: 9 });
    const text = `
tenants:
  - id: acme
    hubspot: { accessToken: emulator-token, baseUrl: ${hubspot.url} }
    salesforce:
      loginUrl: ${salesforce.url}
      clientId: emulator-client
      refreshToken: emulator-refresh
      orgId: ${salesforce.orgId}
sync: { debounce: 100ms }
`;
    const config = parseConfig(text, {});
    await new HubSpotConnector(config.tenants[0]!, config).install({ dryRun: false });
    dir = mkdtempSync(join(tmpdir(), 'leadbridge-worker-'));
    configFile = join(dir, 'leadbridge.config.yaml');
    writeFileSync(configFile, text);
  });

  afterAll(async () => {
    const redis = new Redis(REDIS_URL);
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${PREFIX}*`, 'COUNT', 1000);
      if (keys.length > 0) await redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
    await redis.quit();
    await hubspot.close();
    await salesforce.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('worker: the first scheduled poll brings a handed-off HubSpot contact into Salesforce; SIGTERM exits 0', async () => {
    hubspot.store.create(
      {
        email: 'mae@example.com',
        firstname: 'Mae',
        lastname: 'Jemison',
        company: 'Endeavour',
        lifecyclestage: 'marketingqualifiedlead',
      },
      'CRM_UI',
    );
    const worker = await startCli(['worker', '--config', configFile], env, /workers running/);
    try {
      await waitFor(() => salesforce.state.store.rows('Lead').length === 1, 20_000);
      expect(salesforce.state.store.rows('Lead')[0]).toMatchObject({
        Email: 'mae@example.com',
        LastName: 'Jemison',
      });
    } finally {
      expect(await stop(worker.child)).toBe(0);
    }
    expect(worker.output()).not.toMatch(/"level":(50|60)/);
  });

  it('start: serves health checks with the workers in the same process; SIGTERM exits 0', async () => {
    const running = await startCli(
      ['start', '--config', configFile, '--port', '0'],
      env,
      /listening on (http:\/\/\S+), workers running/,
    );
    try {
      const ready = await fetch(`${running.match[1]}/readyz`);
      expect(ready.status).toBe(200);
    } finally {
      expect(await stop(running.child)).toBe(0);
    }
  });
});
