import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { MemoryBudgetStore } from '../../../connectors/salesforce/budget-store.ts';
import { ApiBudget } from '../../../connectors/salesforce/budget.ts';
import { SalesforceClient } from '../../../connectors/salesforce/client.ts';
import {
  startSalesforceEmulator,
  type SalesforceEmulator,
} from '../../../connectors/salesforce/emulator/index.ts';
import { RedisTokenStore } from '../../../connectors/salesforce/token-store.ts';
import { InMemoryApiCallRecorder } from '../../../src/metrics/api-calls.ts';
import { deleteKeys } from '../../helpers/emulators.ts';
import { configFor, control } from './helpers.ts';

const DAY = 86_400_000;
const INITIAL = 'rt-initial-heartbeat';

// An org with Refresh Token Rotation and the 30-day idle timeout its policy brings (field notes A13): a busy
// integration whose session never expires never uses its refresh token, and is locked out at the first
// session expiry after 30 days unless it uses the token on its own before then.
describe('Salesforce refresh heartbeat: the refresh token is used before the org’s idle timeout revokes it', () => {
  let emulator: SalesforceEmulator;
  let redis: Redis;
  let clock = Date.UTC(2026, 10, 2, 9);
  let run = 0;
  const prefix = `lbtest-sf-heartbeat-${process.pid}-${Date.now()}:`;

  beforeAll(() => {
    redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { maxRetriesPerRequest: null });
  });
  afterAll(async () => {
    await deleteKeys(redis, prefix);
    await redis.quit();
  });
  afterEach(() => emulator.close());

  async function org() {
    run += 1;
    emulator = await startSalesforceEmulator({
      port: 0,
      seed: 7,
      seedCount: 2,
      now: () => clock,
      oauth: { refreshToken: INITIAL, rotateRefreshTokens: true, refreshTokenIdleTimeoutMs: 30 * DAY },
    });
  }

  function processClient(refreshHeartbeat: string) {
    const recorder = new InMemoryApiCallRecorder();
    const config = configFor(emulator, { refreshToken: INITIAL, refreshHeartbeat }).tenants[0]!.salesforce;
    const client = new SalesforceClient({
      tenant: `acme-${run}`,
      config,
      budget: new ApiBudget({ tenant: 'acme', share: 1, store: new MemoryBudgetStore() }),
      recorder,
      tokenStore: new RedisTokenStore(redis, prefix),
      retry: { sleep: async () => {}, random: () => 0 },
      now: () => clock,
    });
    const tokenCalls = () => recorder.calls.filter((call) => call.endpoint.includes('oauth2/token')).length;
    return { client, tokenCalls };
  }

  /** A unit of work a day for `days` days, as a running worker does (many more, in fact). */
  async function workDaily(client: SalesforceClient, days: number) {
    for (let day = 0; day < days; day += 1) {
      clock += DAY;
      await client.beforeWork();
      expect(await client.query('SELECT Id FROM Lead')).toHaveLength(2);
    }
  }

  it('without the heartbeat, the first session expiry after 32 busy days locks the integration out', async () => {
    await org();
    const { client, tokenCalls } = processClient('0s');
    await workDaily(client, 32);
    expect(tokenCalls()).toBe(1);
    await control(emulator, 'faults', { expireSessions: true });
    await expect(client.query('SELECT Id FROM Lead')).rejects.toMatchObject({ code: 'INVALID_GRANT' });
  });

  it('with the default heartbeat (7 days) the same 32 days end with a session expiry that is refreshed', async () => {
    await org();
    const { client, tokenCalls } = processClient('7d');
    await workDaily(client, 32);
    // The first refresh at start, then one a week: days 8, 15, 22 and 29 (work starts on day 1).
    expect(tokenCalls()).toBe(5);
    await control(emulator, 'faults', { expireSessions: true });
    expect(await client.query('SELECT Id FROM Lead')).toHaveLength(2);
    expect(tokenCalls()).toBe(6);
  });

  it('two processes due for the heartbeat at once spend the rotated token once between them', async () => {
    await org();
    const a = processClient('7d');
    const b = processClient('7d');
    await a.client.beforeWork();
    await b.client.beforeWork();
    expect(a.tokenCalls() + b.tokenCalls()).toBe(1);
    clock += 8 * DAY;
    await Promise.all([a.client.beforeWork(), b.client.beforeWork()]);
    expect(a.tokenCalls() + b.tokenCalls()).toBe(2);
    // Both hold the new session, and the org still accepts the rotated refresh token it last issued.
    expect(a.client.conn.accessToken).toBe(b.client.conn.accessToken);
    await control(emulator, 'faults', { expireSessions: true });
    expect(await b.client.query('SELECT Id FROM Lead')).toHaveLength(2);
    expect(await a.client.query('SELECT Id FROM Lead')).toHaveLength(2);
  });
});
