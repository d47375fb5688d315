import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { MemoryBudgetStore } from '../../../connectors/salesforce/budget-store.ts';
import { ApiBudget } from '../../../connectors/salesforce/budget.ts';
import { SalesforceClient } from '../../../connectors/salesforce/client.ts';
import {
  startSalesforceEmulator,
  type SalesforceEmulator,
} from '../../../connectors/salesforce/emulator/index.ts';
import { RedisTokenStore, tokenFingerprint } from '../../../connectors/salesforce/token-store.ts';
import type { SalesforceTenantConfig } from '../../../src/config/tenant-schema.ts';
import { InMemoryApiCallRecorder } from '../../../src/metrics/api-calls.ts';
import { SecretBox } from '../../../src/store/secret-box.ts';
import { deleteKeys } from '../../helpers/emulators.ts';
import { configFor, control } from './helpers.ts';

const INITIAL = 'rt-initial-acme';
const SECRET_KEY = 'k'.repeat(8) + '0123456789abcdefghijklmnopqrstuv';

describe('Salesforce sessions: single-flight refresh, rotated tokens kept, encrypted at rest', () => {
  let emulator: SalesforceEmulator;
  let redis: Redis;
  const prefix = `lbtest-sf-tokens-${process.pid}-${Date.now()}:`;
  let run = 0;
  let sfConfig: SalesforceTenantConfig;

  beforeAll(() => {
    redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { maxRetriesPerRequest: null });
  });
  afterAll(async () => {
    await deleteKeys(redis, prefix);
    await redis.quit();
  });
  // A fresh org per test: with rotation on, the configured refresh token works exactly once.
  beforeEach(async () => {
    run += 1;
    emulator = await startSalesforceEmulator({
      port: 0,
      seed: 5,
      seedCount: 3,
      oauth: { refreshToken: INITIAL, rotateRefreshTokens: true },
    });
    sfConfig = configFor(emulator, { refreshToken: INITIAL }).tenants[0]!.salesforce;
  });
  afterEach(() => emulator.close());

  /** One process's client: its own store instance over the shared Redis (as `worker`, `start`, `install` have). */
  function processClient(
    options: { store?: RedisTokenStore; config?: SalesforceTenantConfig; box?: SecretBox } = {},
  ) {
    const recorder = new InMemoryApiCallRecorder();
    const client = new SalesforceClient({
      tenant: `acme-${run}`,
      config: options.config ?? sfConfig,
      budget: new ApiBudget({ tenant: 'acme', share: 1, store: new MemoryBudgetStore() }),
      recorder,
      tokenStore: options.store ?? new RedisTokenStore(redis, prefix, options.box),
      retry: { sleep: async () => {}, random: () => 0 },
    });
    return { client, recorder };
  }
  const tokenCalls = (...recorders: InMemoryApiCallRecorder[]) =>
    recorders.reduce(
      (sum, recorder) => sum + recorder.calls.filter((call) => call.endpoint.includes('oauth2/token')).length,
      0,
    );
  const expireSessions = () => control(emulator, 'faults', { expireSessions: true });

  it('two processes whose session expired refresh once between them, and both keep working after a rotation', async () => {
    const a = processClient();
    const b = processClient();
    const first = await Promise.all([
      a.client.query('SELECT Id FROM Lead'),
      b.client.query('SELECT Id FROM Lead'),
    ]);
    expect(first.map((rows) => rows.length)).toEqual([3, 3]);
    expect(tokenCalls(a.recorder, b.recorder)).toBe(1);

    for (let round = 0; round < 2; round += 1) {
      await expireSessions();
      const again = await Promise.all([
        a.client.query('SELECT Id FROM Lead'),
        b.client.query('SELECT Id FROM Lead'),
      ]);
      expect(again.map((rows) => rows.length)).toEqual([3, 3]);
    }
    // One token exchange per expiry, never two spending the same (rotated, single-use) refresh token.
    expect(tokenCalls(a.recorder, b.recorder)).toBe(3);
  });

  it('a refresh reaches every live connection of the tenant in the process', async () => {
    const store = new RedisTokenStore(redis, prefix);
    const a = processClient({ store });
    const b = processClient({ store });
    await a.client.query('SELECT Id FROM Lead');
    await b.client.query('SELECT Id FROM Lead');
    await expireSessions();
    await a.client.query('SELECT Id FROM Lead');
    expect(b.client.conn.accessToken).toBe(a.client.conn.accessToken);
    expect(b.client.conn.refreshToken).toBe(a.client.conn.refreshToken);
    expect(tokenCalls(a.recorder, b.recorder)).toBe(2);
    expect(a.client.conn.refreshToken).not.toBe(INITIAL);
    const before = tokenCalls(b.recorder);
    expect(await b.client.query('SELECT Id FROM Lead')).toHaveLength(3);
    expect(tokenCalls(b.recorder)).toBe(before);
  });

  it('`start` after `install` uses the session install stored (the configured token was already spent)', async () => {
    const install = processClient();
    await install.client.query('SELECT Id FROM Lead');
    const start = processClient();
    await expireSessions();
    expect(await start.client.query('SELECT Id FROM Lead')).toHaveLength(3);
  });

  it('a revoked refresh token is a permanent error (an admin must act), not retried forever', async () => {
    const { client } = processClient({ config: { ...sfConfig, refreshToken: 'revoked-token' } });
    await expect(client.query('SELECT Id FROM Lead')).rejects.toMatchObject({ code: 'INVALID_GRANT' });
  });

  it('a revoked refresh token is asked once: the jobs that follow fail with the same cause, no token call', async () => {
    const { client, recorder } = processClient({ config: { ...sfConfig, refreshToken: 'revoked-token' } });
    for (let i = 0; i < 4; i++)
      await expect(client.query('SELECT Id FROM Lead')).rejects.toMatchObject({ code: 'INVALID_GRANT' });
    expect(tokenCalls(recorder)).toBe(1);
  });

  it('a stored session yields to a newly configured refresh token', async () => {
    const store = new RedisTokenStore(redis, prefix);
    await store.save(`acme-${run}`, {
      accessToken: 'stale-session-from-a-leaked-token',
      instanceUrl: emulator.url,
      refreshToken: 'leaked-and-revoked',
      issuedAt: Date.now(),
      configuredFingerprint: tokenFingerprint('the-old-configured-token'),
    });
    const { client, recorder } = processClient({ store });
    expect(await client.query('SELECT Id FROM Lead')).toHaveLength(3);
    expect(client.conn.refreshToken).not.toBe('leaked-and-revoked');
    expect(tokenCalls(recorder)).toBe(1);
    expect((await store.load(`acme-${run}`))?.configuredFingerprint).toBe(tokenFingerprint(INITIAL));
  });

  it('a stored session from other client credentials is refreshed once, with its stored refresh token', async () => {
    const first = processClient();
    await first.client.query('SELECT Id FROM Lead');
    const rotated = first.client.conn.refreshToken;
    expect(rotated).not.toBe(INITIAL);
    // Another client secret: the stored access token is not reused, the token endpoint judges the secret
    // (the emulator here accepts any), and the rotated refresh token is spent, not the configured one.
    const other = processClient({ config: { ...sfConfig, clientSecret: 'another-secret' } });
    expect(await other.client.query('SELECT Id FROM Lead')).toHaveLength(3);
    expect(tokenCalls(other.recorder)).toBe(1);
    expect(other.client.conn.accessToken).not.toBe(first.client.conn.accessToken);
    expect(other.client.conn.refreshToken).not.toBe(rotated);
    // The same credentials again reuse what was stored: no token call.
    const again = processClient({ config: { ...sfConfig, clientSecret: 'another-secret' } });
    expect(await again.client.query('SELECT Id FROM Lead')).toHaveLength(3);
    expect(tokenCalls(again.recorder)).toBe(0);
  });

  it('keeps tokens in Redis encrypted with LEADBRIDGE_SECRET_KEY (AES-256-GCM)', async () => {
    const box = new SecretBox(SECRET_KEY);
    const store = new RedisTokenStore(redis, prefix, box);
    const { client } = processClient({ store });
    await client.query('SELECT Id FROM Lead');
    const raw = (await redis.get(`${prefix}sf:session:acme-${run}`)) ?? '';
    expect(raw.startsWith('v1:')).toBe(true);
    expect(raw).not.toContain(client.conn.accessToken ?? '<none>');
    expect(raw).not.toContain(client.conn.refreshToken ?? '<none>');
    expect((await store.load(`acme-${run}`))?.accessToken).toBe(client.conn.accessToken);
    // Another key, or the value moved to another tenant's key, does not decrypt.
    expect(
      await new RedisTokenStore(redis, prefix, new SecretBox('x'.repeat(40))).load(`acme-${run}`),
    ).toBeNull();
    await redis.set(`${prefix}sf:session:other-${run}`, raw);
    expect(await store.load(`other-${run}`)).toBeNull();
  });

  it('an expired session during a write is refreshed and the write retried, never a record error', async () => {
    const { client } = processClient();
    const [lead] = await client.query('SELECT Id FROM Lead LIMIT 1');
    await expireSessions();
    const results = await client.update('Lead', [{ Id: lead?.Id, Title: 'VP Sales' }]);
    expect(results).toEqual([expect.objectContaining({ success: true })]);
  });
});

describe('SecretBox', () => {
  it('refuses a short LEADBRIDGE_SECRET_KEY', () => {
    expect(() => new SecretBox('short')).toThrow(/LEADBRIDGE_SECRET_KEY/);
    expect(SecretBox.fromEnv(undefined)).toBeUndefined();
    expect(SecretBox.fromEnv('')).toBeUndefined();
  });

  it('detects tampering', () => {
    const box = new SecretBox(SECRET_KEY);
    const sealed = box.seal('{"accessToken":"x"}', 'k');
    expect(box.open(sealed, 'k')).toBe('{"accessToken":"x"}');
    // Change the second-to-last character (always significant in base64url) to another one.
    const at = sealed.length - 2;
    const flipped = `${sealed.slice(0, at)}${sealed[at] === 'A' ? 'B' : 'A'}${sealed.slice(at + 1)}`;
    expect(box.open(flipped, 'k')).toBeNull();
  });
});
