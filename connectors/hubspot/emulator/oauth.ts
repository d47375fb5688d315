import { randomUUID } from 'node:crypto';

/** The public app whose install the emulator plays: its credentials and the install's refresh token. */
export interface EmulatedOAuthApp {
  clientId: string;
  clientSecret: string;
  refreshToken: string;
  /** Seconds an access token lives (HubSpot: 1800). */
  accessTokenTtlSeconds?: number;
}

/** A refusal of the token endpoint, in HubSpot's OAuth v1 error body (HTTP 400). */
export interface TokenRefusal {
  status: 400;
  body: { status: string; message: string; correlationId: string };
}

export type TokenCheck = 'ok' | 'expired' | 'unknown';

const refusal = (status: string, message: string): TokenRefusal => ({
  status: 400,
  body: { status, message, correlationId: randomUUID() },
});

/**
 * The install's tokens. Refresh tokens do not rotate (HubSpot answers the same one); each refresh issues
 * a new access token and only that one works: an expired or superseded one answers 401
 * EXPIRED_AUTHENTICATION, so a client that kept an old token must take the current one.
 * https://developers.hubspot.com/docs/api/oauth/refresh-access-token
 */
export class OAuthTokens {
  readonly #app: EmulatedOAuthApp;
  readonly #now: () => number;
  #ttlSeconds: number;
  #revoked = false;
  #current: { token: string; expiresAt: number } | null = null;
  readonly #issued = new Set<string>();
  /** Token-endpoint answers that issued an access token. */
  refreshes = 0;
  /** Token-endpoint answers that refused the grant (a revoked install, a wrong client id or secret). */
  refusals = 0;

  constructor(app: EmulatedOAuthApp, now: () => number) {
    this.#app = app;
    this.#now = now;
    this.#ttlSeconds = app.accessTokenTtlSeconds ?? 1800;
  }

  get ttlSeconds(): number {
    return this.#ttlSeconds;
  }

  set ttlSeconds(seconds: number) {
    this.#ttlSeconds = seconds;
  }

  /** The refresh-token grant, from the form fields HubSpot's token endpoint reads. */
  refresh(
    form: Record<string, string | undefined>,
  ): { status: 200; body: Record<string, unknown> } | TokenRefusal {
    const answer = this.#grant(form);
    if (answer.status !== 200) this.refusals += 1;
    return answer;
  }

  #grant(form: Record<string, string | undefined>): { status: 200; body: Record<string, unknown> } | TokenRefusal {
    if (form.grant_type !== 'refresh_token' && form.grant_type !== 'authorization_code')
      return refusal('BAD_GRANT_TYPE', 'missing or unknown grant type');
    // The emulator plays an installed app: the authorization-code step happened before LeadBridge runs.
    if (form.grant_type !== 'refresh_token') return refusal('BAD_AUTH_CODE', 'missing or invalid auth code');
    if (form.client_id !== this.#app.clientId)
      return refusal('BAD_CLIENT_ID', 'missing or unknown client id');
    // Assumed wording: HubSpot's docs show the refresh-token refusal; a wrong secret is refused the same way.
    if (form.client_secret !== this.#app.clientSecret)
      return refusal('BAD_CLIENT_SECRET', 'missing or invalid client secret');
    if (this.#revoked || form.refresh_token !== this.#app.refreshToken)
      return refusal('BAD_REFRESH_TOKEN', 'missing or invalid refresh token');
    const token = `emu-oauth-${randomUUID()}`;
    this.#current = { token, expiresAt: this.#now() + this.#ttlSeconds * 1000 };
    this.#issued.add(token);
    this.refreshes += 1;
    return {
      status: 200,
      body: {
        token_type: 'bearer',
        refresh_token: this.#app.refreshToken,
        access_token: token,
        expires_in: this.#ttlSeconds,
      },
    };
  }

  /** Whether a bearer token may call the API now. */
  check(token: string): TokenCheck {
    if (!this.#issued.has(token)) return 'unknown';
    if (this.#current?.token !== token || this.#now() >= this.#current.expiresAt) return 'expired';
    return 'ok';
  }

  /** The current access token runs out now (as at the end of its 30 minutes). */
  expireNow(): void {
    if (this.#current) this.#current.expiresAt = this.#now();
  }

  /** The app is uninstalled: the refresh token is refused from now on and the access token stops working. */
  revoke(): void {
    this.#revoked = true;
    this.expireNow();
  }
}
