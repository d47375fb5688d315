import nock from 'nock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { HubSpotClient } from '../../../connectors/hubspot/client.ts';
import { HubSpotOAuthSession, TOKEN_REFUSAL_HOLD_MS } from '../../../connectors/hubspot/oauth-session.ts';
import {
  REAUTHORIZE_FIX,
  refreshAccessToken,
  TOKEN_CALL_TIMEOUT_MS,
} from '../../../connectors/hubspot/oauth-token.ts';
import { memoryHubSpotTokenStore } from '../../../connectors/hubspot/token-store.ts';
import { PermanentError, RetryableError } from '../../../src/errors/index.ts';
import { REFRESH_LOCK_TTL_MS, tokenFingerprint } from '../../../src/store/session-store.ts';

const BASE = 'https://api.hubapi.example';
const app = { clientId: 'cid-123', clientSecret: 'secret-456', refreshToken: 'rt-install' };
const FORM = 'grant_type=refresh_token&client_id=cid-123&client_secret=secret-456&refresh_token=rt-install';
const granted = (accessToken: string) => ({
  token_type: 'bearer',
  refresh_token: 'rt-install',
  access_token: accessToken,
  expires_in: 1800,
});

beforeAll(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());
afterAll(() => nock.enableNetConnect());

describe('the refresh-token grant (POST /oauth/v1/token through the SDK)', () => {
  it('posts the form HubSpot documents and reads the access token and its lifetime', async () => {
    const scope = nock(BASE, { reqheaders: { 'content-type': /application\/x-www-form-urlencoded/ } })
      .post('/oauth/v1/token', FORM)
      .reply(200, granted('at-1'));
    const issued = await refreshAccessToken(`${BASE}/`, app, 'rt-install', 'acme');
    scope.done();
    expect(issued).toEqual({ accessToken: 'at-1', refreshToken: 'rt-install', expiresInS: 1800 });
  });

  it('a refused refresh token is permanent and names the fix: re-authorize the app', async () => {
    const scope = nock(BASE)
      .post('/oauth/v1/token', FORM)
      .reply(400, { status: 'BAD_REFRESH_TOKEN', message: 'missing or invalid refresh token' });
    const refused = await refreshAccessToken(BASE, app, 'rt-install', 'acme').catch((err: unknown) => err);
    scope.done();
    expect(refused).toBeInstanceOf(PermanentError);
    expect(refused).toMatchObject({ code: 'BAD_REFRESH_TOKEN', status: 400, fix: REAUTHORIZE_FIX });
    expect((refused as Error).message).toMatch(
      /acme \(BAD_REFRESH_TOKEN: missing or invalid refresh token\)/,
    );
    expect((refused as Error).message).toMatch(/re-authorize the app/);
  });

  it('a token endpoint answering 503 without a Content-Type is transient, not a refusal', async () => {
    const scope = nock(BASE).post('/oauth/v1/token', FORM).reply(503, '');
    const failed = await refreshAccessToken(BASE, app, 'rt-install', 'acme').catch((err: unknown) => err);
    scope.done();
    expect(failed).toBeInstanceOf(RetryableError);
    expect((failed as Error).message).toMatch(/503/);
  });

  it('a token call that hangs is abandoned as transient, well before the refresh lock it runs under expires', async () => {
    expect(TOKEN_CALL_TIMEOUT_MS).toBeLessThanOrEqual(REFRESH_LOCK_TTL_MS / 2);
    const scope = nock(BASE).post('/oauth/v1/token', FORM).delay(3_000).reply(200, granted('at-late'));
    const started = Date.now();
    const hung = await refreshAccessToken(BASE, app, 'rt-install', 'acme', 200).catch((err: unknown) => err);
    expect(hung).toBeInstanceOf(RetryableError);
    expect((hung as Error).message).toMatch(/POST \/oauth\/v1\/token: TIMEOUT/);
    expect(Date.now() - started).toBeLessThan(2_000);
    scope.done();
  });

  it('a token endpoint that is down is transient', async () => {
    const scope = nock(BASE).post('/oauth/v1/token', FORM).reply(502, { message: 'Bad gateway' });
    await expect(refreshAccessToken(BASE, app, 'rt-install', 'acme')).rejects.toBeInstanceOf(RetryableError);
    scope.done();
  });
});

describe('a public app client', () => {
  function oauthClient(now: { ms: number }) {
    const session = new HubSpotOAuthSession({
      tenant: 'acme',
      app,
      store: memoryHubSpotTokenStore(),
      exchange: (refreshToken) => refreshAccessToken(BASE, app, refreshToken, 'acme'),
      now: () => now.ms,
    });
    return new HubSpotClient({ tenant: 'acme', auth: session, baseUrl: BASE, sleep: async () => {} });
  }
  const page = { results: [] };

  it('gets a token before the first call, and a new one when HubSpot says it expired', async () => {
    const now = { ms: Date.parse('2026-12-01T08:00:00Z') };
    const tokens = nock(BASE).post('/oauth/v1/token', FORM).reply(200, granted('at-1'));
    const first = nock(BASE, { reqheaders: { authorization: 'Bearer at-1' } })
      .get('/crm/objects/2026-09/contacts')
      .query(true)
      .reply(200, page);
    const hubspot = oauthClient(now);
    await hubspot.listPage(undefined, []);
    tokens.done();
    first.done();

    const expired = nock(BASE, { reqheaders: { authorization: 'Bearer at-1' } })
      .get('/crm/objects/2026-09/contacts')
      .query(true)
      .reply(401, {
        status: 'error',
        message: 'The OAuth token used to make this call expired 1 second(s) ago.',
        category: 'EXPIRED_AUTHENTICATION',
      });
    const renewed = nock(BASE).post('/oauth/v1/token', FORM).reply(200, granted('at-2'));
    const again = nock(BASE, { reqheaders: { authorization: 'Bearer at-2' } })
      .get('/crm/objects/2026-09/contacts')
      .query(true)
      .reply(200, page);
    await hubspot.listPage(undefined, []);
    expired.done();
    renewed.done();
    again.done();
  });

  it('a stored token from another configured refresh token yields: the configured one is used', async () => {
    const now = Date.parse('2026-12-01T08:00:00Z');
    const store = memoryHubSpotTokenStore();
    await store.save('acme', {
      accessToken: 'at-from-the-revoked-install',
      refreshToken: 'rt-revoked',
      issuedAt: now,
      expiresAt: now + 1_800_000,
      configuredFingerprint: tokenFingerprint('rt-revoked')!,
      appFingerprint: 'whatever',
    });
    const session = new HubSpotOAuthSession({
      tenant: 'acme',
      app,
      store,
      exchange: (refreshToken) => refreshAccessToken(BASE, app, refreshToken, 'acme'),
      now: () => now,
    });
    const scope = nock(BASE).post('/oauth/v1/token', FORM).reply(200, granted('at-new'));
    expect(await session.token()).toBe('at-new');
    scope.done();
    expect(await store.load('acme')).toMatchObject({
      accessToken: 'at-new',
      configuredFingerprint: tokenFingerprint('rt-install'),
    });
  });

  it('a refusal stands for TOKEN_REFUSAL_HOLD_MS without another token call; a 5xx does not stand', async () => {
    const now = { ms: Date.parse('2026-12-01T08:00:00Z') };
    const session = new HubSpotOAuthSession({
      tenant: 'acme',
      app,
      store: memoryHubSpotTokenStore(),
      exchange: (refreshToken) => refreshAccessToken(BASE, app, refreshToken, 'acme'),
      now: () => now.ms,
    });
    const down = nock(BASE).post('/oauth/v1/token', FORM).reply(503, { message: 'Service unavailable' });
    expect(await session.token().catch((err: unknown) => err)).toBeInstanceOf(RetryableError);
    down.done();
    const refused = nock(BASE)
      .post('/oauth/v1/token', FORM)
      .reply(400, { status: 'BAD_REFRESH_TOKEN', message: 'missing or invalid refresh token' });
    const first = await session.token().catch((err: unknown) => err);
    refused.done();
    expect(first).toMatchObject({ code: 'BAD_REFRESH_TOKEN' });
    now.ms += TOKEN_REFUSAL_HOLD_MS - 1;
    // nock.disableNetConnect(): a call here would fail with a network error, not the refusal.
    expect(await session.token().catch((err: unknown) => err)).toBe(first);
    now.ms += 1;
    const restored = nock(BASE).post('/oauth/v1/token', FORM).reply(200, granted('at-back'));
    expect(await session.token()).toBe('at-back');
    restored.done();
  });

  it('refreshes before expires_in runs out, without waiting for a 401', async () => {
    const now = { ms: Date.parse('2026-12-01T08:00:00Z') };
    nock(BASE).post('/oauth/v1/token', FORM).reply(200, granted('at-1'));
    nock(BASE, { reqheaders: { authorization: 'Bearer at-1' } })
      .get('/crm/objects/2026-09/contacts')
      .query(true)
      .reply(200, page);
    const hubspot = oauthClient(now);
    await hubspot.listPage(undefined, []);
    // 26 of the 30 minutes gone: less than 5 left, so the next call refreshes first.
    now.ms += 26 * 60_000;
    const renewed = nock(BASE).post('/oauth/v1/token', FORM).reply(200, granted('at-2'));
    const call = nock(BASE, { reqheaders: { authorization: 'Bearer at-2' } })
      .get('/crm/objects/2026-09/contacts')
      .query(true)
      .reply(200, page);
    await hubspot.listPage(undefined, []);
    renewed.done();
    call.done();
  });
});
