import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { HubSpotConnector } from '../../../connectors/hubspot/connector.ts';
import { startHubSpotEmulator, type HubSpotEmulator } from '../../../connectors/hubspot/emulator/index.ts';
import { REAUTHORIZE_FIX } from '../../../connectors/hubspot/oauth-token.ts';
import { redisHubSpotTokenStore } from '../../../connectors/hubspot/token-store.ts';
import type { LeadBridgeConfig } from '../../../src/config/schema.ts';
import { PermanentError, RetryableError } from '../../../src/errors/index.ts';
import { SecretBox } from '../../../src/store/secret-box.ts';
import { deleteKeys, postJson } from '../../helpers/emulators.ts';
import { hubspotConfig } from './helpers.ts';

const APP = { clientId: 'cid-acme', clientSecret: 'secret-acme', refreshToken: 'rt-install-acme' };
const SECRET_KEY = 'k'.repeat(8) + '0123456789abcdefghijklmnopqrstuv';

describe('HubSpot public-app OAuth against the emulator, tokens shared through Redis', () => {
  let emulator: HubSpotEmulator;
  let redis: Redis;
  let config: LeadBridgeConfig;
  const prefix = `lbtest-hs-oauth-${process.pid}-${Date.now()}:`;
  let run = 0;

  beforeAll(() => {
    redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { maxRetriesPerRequest: null });
  });
  afterAll(async () => {
    await deleteKeys(redis, prefix);
    await redis.quit();
  });
  beforeEach(async () => {
    run += 1;
    emulator = await startHubSpotEmulator({ seed: 3, contacts: 250, oauth: APP });
    config = hubspotConfig(emulator.url, { accessToken: undefined, oauth: APP });
  });
  afterEach(() => emulator.close());

  /** One process's connector: its own store instance over the shared Redis, as each worker has. */
  const processConnector = (box?: SecretBox) =>
    new HubSpotConnector(config.tenants[0]!, config, {
      tokenStore: redisHubSpotTokenStore(redis, `${prefix}${run}:`, box),
    });
  const unauthorized = () =>
    [...emulator.calls.entries()]
      .filter(([endpoint]) => endpoint.startsWith('GET ') || endpoint.startsWith('POST /crm'))
      .reduce((sum, [, byStatus]) => sum + (byStatus.get(401) ?? 0), 0);
  const control = (body: Record<string, unknown>) => postJson(`${emulator.url}/__emulator/oauth`, body);

  it('a token that expires mid-run: the backfill continues with a refreshed one', async () => {
    const connector = processConnector();
    const ids: string[] = [];
    let after: string | null = null;
    let pages = 0;
    do {
      const page = await connector.backfill(after);
      ids.push(...page.records.map((record) => record.id));
      after = page.after;
      pages += 1;
      // Half an hour is up after the first page.
      if (pages === 1) await control({ expireAccessToken: true });
    } while (after !== null);
    expect(new Set(ids).size).toBe(250);
    expect(emulator.oauth?.refreshes).toBe(2);
    expect(unauthorized()).toBe(1);
  });

  it('two processes due at once refresh once between them, again after the token expires', async () => {
    const [a, b] = [processConnector(), processConnector()];
    const ids = [...emulator.store.contacts.keys()].slice(0, 5);
    const first = await Promise.all([a.read(ids), b.read(ids)]);
    expect(first.map((records) => records.length)).toEqual([5, 5]);
    expect(emulator.oauth?.refreshes).toBe(1);
    await control({ expireAccessToken: true });
    const again = await Promise.all([a.read(ids), b.read(ids)]);
    expect(again.map((records) => records.length)).toEqual([5, 5]);
    expect(emulator.oauth?.refreshes).toBe(2);
  });

  it('only the current access token works; the stored one is sealed with LEADBRIDGE_SECRET_KEY', async () => {
    const box = new SecretBox(SECRET_KEY);
    const a = processConnector(box);
    const ids = [...emulator.store.contacts.keys()].slice(0, 2);
    await a.read(ids);
    const raw = (await redis.get(`${prefix}${run}:hs:session:acme`)) ?? '';
    expect(SecretBox.isSealed(raw)).toBe(true);
    expect(raw).not.toMatch(/emu-oauth-/);
    const held = JSON.parse(box.open(raw, `${prefix}${run}:hs:session:acme`) ?? '{}') as {
      accessToken: string;
    };
    const call = (token: string) =>
      fetch(`${emulator.url}/crm/v3/objects/contacts?limit=1`, {
        headers: { authorization: `Bearer ${token}` },
      });
    expect((await call(held.accessToken)).status).toBe(200);
    expect((await call('pat-na1-something-else')).status).toBe(401);
    await control({ expireAccessToken: true });
    await a.read(ids);
    const superseded = await call(held.accessToken);
    expect(superseded.status).toBe(401);
    expect(await superseded.json()).toMatchObject({ category: 'EXPIRED_AUTHENTICATION' });
  });

  it('a revoked install is permanent with the fix, not retried, and fails the doctor check', async () => {
    const connector = processConnector();
    const ids = [...emulator.store.contacts.keys()].slice(0, 2);
    await connector.read(ids);
    await control({ revokeRefreshToken: true });
    const refused = await connector.read(ids).catch((err: unknown) => err);
    expect(refused).toBeInstanceOf(PermanentError);
    expect(refused).not.toBeInstanceOf(RetryableError);
    expect(refused).toMatchObject({ code: 'BAD_REFRESH_TOKEN', fix: REAUTHORIZE_FIX });
    const checks = await processConnector().checkSetup();
    expect(checks).toEqual([
      expect.objectContaining({ name: 'hubspot api access', ok: false, fix: REAUTHORIZE_FIX }),
    ]);
    expect(checks[0]?.detail).toMatch(/BAD_REFRESH_TOKEN: missing or invalid refresh token/);
  });
});
