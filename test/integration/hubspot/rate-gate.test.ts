import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { HubSpotConnector } from '../../../connectors/hubspot/connector.ts';
import { startHubSpotEmulator, type HubSpotEmulator } from '../../../connectors/hubspot/emulator/index.ts';
import { RateLimitedError } from '../../../src/errors/rate-limited-error.ts';
import { RedisRateLimiter } from '../../../src/store/rate-limiter.ts';
import { deleteKeys, postJson } from '../../helpers/emulators.ts';
import { hubspotConfig } from './helpers.ts';

// The HubSpot client behind the shared Redis gate, against the emulator's own limits. The limiter never
// sleeps here (maxWaitMs 1): a call it would hold is refused at once with the wait it would have made, so
// these tests read what the gate decided instead of timing it.
const PREFIX = `test-rategate-${process.pid}-${Date.now()}`;
let redis: Redis;
let emulator: HubSpotEmulator;

beforeAll(() => {
  redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { maxRetriesPerRequest: 1 });
});
afterAll(async () => {
  await deleteKeys(redis, PREFIX);
  await redis.quit();
});
beforeEach(async () => {
  emulator = await startHubSpotEmulator({ port: 0, seed: 5, contacts: 0, webhookApiChanges: false });
});
afterEach(async () => {
  await emulator.close();
});

let run = 0;
/** A connector for `tenant` behind a limiter that refuses instead of waiting; fresh Redis keys per test. */
function connector(tenant = 'acme', burstLimitPer10s = 10): HubSpotConnector {
  const config = hubspotConfig(emulator.url, { burstLimitPer10s });
  const tenantConfig = { ...config.tenants[0]!, id: tenant };
  const limiter = new RedisRateLimiter(redis, { prefix: `${PREFIX}:${run}`, maxWaitMs: 1 });
  return new HubSpotConnector(tenantConfig, config, { limiter, maxInlineWaitMs: 0 });
}
beforeEach(() => {
  run += 1;
});

const list = (hubspot: HubSpotConnector) => hubspot.client.listPage(undefined, []);
const search = (hubspot: HubSpotConnector) =>
  hubspot.client.search({ filterGroups: [], sorts: ['lastmodifieddate'], properties: [], limit: 10 });

async function refusal(call: Promise<unknown>): Promise<RateLimitedError> {
  const error = await call.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(error).toBeInstanceOf(RateLimitedError);
  return error as RateLimitedError;
}

function served429(): number {
  let total = 0;
  for (const byStatus of emulator.calls.values()) total += byStatus.get(429) ?? 0;
  return total;
}

describe('HubSpot rate gate (shared Redis limiter) against the emulator', () => {
  it('a search 429 (5/s) holds searches only: a batch or list call goes out at once', async () => {
    await postJson(`${emulator.url}/__emulator/faults`, { searchPerSecond: 1, burstPer10s: 0 });
    const hubspot = connector();
    await search(hubspot);
    const secondly = await refusal(search(hubspot));
    expect(secondly.policy).toBe('SECONDLY');
    // Not held: the standard budget is untouched by the search 429.
    await expect(list(hubspot)).resolves.toMatchObject({ results: [] });
    const held = await refusal(search(hubspot));
    expect(held.policy).toBe('LOCAL');
    expect(held.waitMs).toBeLessThanOrEqual(1_000);
  });

  it('a burst 429 waits for the rolling window to free a slot, not a flat 10 s; other tenants go on', async () => {
    // HubSpot's window (5) is smaller than the configured 10 (a lower tier), and another app of the
    // portal spends two of its calls after our last reading of the headers.
    await postJson(`${emulator.url}/__emulator/faults`, { burstPer10s: 5, searchPerSecond: 0 });
    const hubspot = connector();
    await list(hubspot);
    await list(hubspot);
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    await list(hubspot);
    for (let i = 0; i < 2; i++) {
      const response = await fetch(`${emulator.url}/crm/v3/objects/contacts?limit=1`, {
        headers: { authorization: 'Bearer other-app' },
      });
      expect(response.status).toBe(200);
    }
    expect((await refusal(list(hubspot))).policy).toBe('TEN_SECONDLY_ROLLING');
    const held = await refusal(list(hubspot));
    expect(held.policy).toBe('LOCAL');
    // The first two calls age out of the 10 s window about 8.5 s from now: that is the wait.
    expect(held.waitMs).toBeLessThan(9_200);
    expect(held.waitMs).toBeGreaterThan(7_000);
    // Another tenant (another portal) is not held by acme's 429.
    await postJson(`${emulator.url}/__emulator/faults`, { burstPer10s: 0 });
    await expect(list(connector('globex'))).resolves.toMatchObject({ results: [] });
  });

  it("counts what HubSpot's X-HubSpot-RateLimit-Remaining says was used, so the limiter stops before a 429", async () => {
    await postJson(`${emulator.url}/__emulator/faults`, { burstPer10s: 10, searchPerSecond: 0 });
    // Another client of the same portal spends 6 of the 10 calls.
    for (let i = 0; i < 6; i++) {
      const response = await fetch(`${emulator.url}/crm/v3/objects/contacts?limit=1`, {
        headers: { authorization: 'Bearer other-app' },
      });
      expect(response.status).toBe(200);
    }
    const hubspot = connector('acme', 10);
    await list(hubspot); // HubSpot answers Remaining: 3 (7 used); with the 5% margin 9 are ours to use.
    await list(hubspot);
    await list(hubspot);
    expect((await refusal(list(hubspot))).policy).toBe('LOCAL');
    expect(served429()).toBe(0);
  });

  it("stops at the daily limit's margin (X-HubSpot-RateLimit-Daily-Remaining) instead of running into a DAILY 429", async () => {
    await postJson(`${emulator.url}/__emulator/faults`, {
      burstPer10s: 0,
      searchPerSecond: 0,
      dailyLimit: 20,
    });
    const hubspot = connector('acme', 100);
    // The 5% margin of 20 is 1: the 19th answer says 1 remaining, so the 20th call is not sent.
    for (let i = 0; i < 19; i++) await list(hubspot);
    const held = await refusal(list(hubspot));
    expect(held.policy).toBe('LOCAL');
    expect(held.waitMs).toBeGreaterThan(3_000_000);
    expect(served429()).toBe(0);
  });
});
