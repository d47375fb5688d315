import type { HubSpotOAuthConfig } from '../../src/config/tenant-schema.ts';
import { PermanentError } from '../../src/errors/permanent-error.ts';
import type { Logger } from '../../src/log/logger.ts';
import { oauthAppFingerprint, refreshUnderLock, tokenFingerprint } from '../../src/store/session-store.ts';
import type { IssuedToken } from './oauth-token.ts';
import type { HubSpotSession, HubSpotTokenStore } from './token-store.ts';

/** Where the client gets the bearer token of each call. */
export interface HubSpotAuth {
  /** The access token to send now; obtained first when there is none or it is about to run out. */
  token(): Promise<string>;
  /** HubSpot answered `rejected` with 401 EXPIRED_AUTHENTICATION: a fresh token, refreshed at most once. */
  renew(rejected: string): Promise<string>;
}

/** A private-app token: it never expires, so there is nothing to renew. */
export function staticToken(accessToken: string): HubSpotAuth {
  return {
    token: async () => accessToken,
    renew: async () => accessToken,
  };
}

export interface OAuthSessionOptions {
  tenant: string;
  app: HubSpotOAuthConfig;
  store: HubSpotTokenStore;
  /** The refresh-token grant (`refreshAccessToken` bound to the tenant's base URL). */
  exchange: (refreshToken: string) => Promise<IssuedToken>;
  /** Clock in epoch milliseconds (tests move time). */
  now?: () => number;
  logger?: Logger;
}

/**
 * How long a refusal of the token endpoint (a revoked install, a wrong client id or secret) is answered
 * from memory, in milliseconds: no retry fixes it until an admin re-authorizes (a new refresh token in
 * the config, so a restart), and HubSpot counts error answers against the app. Long enough that recovery
 * jobs (every 10 s, per shard) do not ask again, short enough that an install restored on HubSpot's side
 * resumes on its own.
 */
export const TOKEN_REFUSAL_HOLD_MS = 5 * 60_000;

/** Longest margin before expiry at which a token is refreshed, in milliseconds. */
const MAX_REFRESH_MARGIN_MS = 5 * 60_000;

/**
 * A public app's access tokens for one tenant. HubSpot's live 30 minutes (`expires_in` 1800): one is
 * refreshed before first use, again when a sixth of its life (at most 5 minutes) is left, and on a 401
 * that says it expired. Refreshes run under the tenant's lock in the shared store: a process that finds a
 * token another one stored meanwhile takes it, so processes due at once refresh once between them.
 */
export class HubSpotOAuthSession implements HubSpotAuth {
  readonly #options: OAuthSessionOptions;
  readonly #now: () => number;
  readonly #configured: string;
  readonly #app: string;
  #held: HubSpotSession | null = null;
  #refreshing: Promise<HubSpotSession> | null = null;
  /** The token endpoint's last refusal and until when (epoch ms) it stands for every refresh. */
  #refused: { error: PermanentError; until: number } | null = null;

  constructor(options: OAuthSessionOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
    this.#configured = tokenFingerprint(options.app.refreshToken)!;
    this.#app = oauthAppFingerprint('hubspot-app', options.app.clientId, options.app.clientSecret);
  }

  async token(): Promise<string> {
    if (this.#held && this.#fresh(this.#held)) return this.#held.accessToken;
    const stored = this.#usable(await this.#options.store.load(this.#options.tenant));
    if (stored && this.#fresh(stored)) {
      this.#held = stored;
      return stored.accessToken;
    }
    return (await this.#refresh(null)).accessToken;
  }

  async renew(rejected: string): Promise<string> {
    return (await this.#refresh(rejected)).accessToken;
  }

  /** Still usable for a while: more than a sixth of its life (at most 5 minutes) left. */
  #fresh(session: HubSpotSession): boolean {
    const margin = Math.min(MAX_REFRESH_MARGIN_MS, (session.expiresAt - session.issuedAt) / 6);
    return this.#now() < session.expiresAt - margin;
  }

  /**
   * A stored token descends from the configured refresh token and app; after the admin configures another
   * (say, re-authorized after a revocation) it yields, and the next refresh uses the configured one.
   */
  #usable(stored: HubSpotSession | null): HubSpotSession | null {
    if (!stored || stored.configuredFingerprint !== this.#configured || stored.appFingerprint !== this.#app)
      return null;
    return stored;
  }

  /** One refresh at a time in this process; across processes, the store's lock. */
  #refresh(rejected: string | null): Promise<HubSpotSession> {
    if (this.#refused && this.#now() < this.#refused.until) return Promise.reject(this.#refused.error);
    this.#refreshing ??= this.#refreshLocked(rejected)
      .catch((error: unknown) => {
        // A refusal (4xx) stands; a 429, a 5xx or a timeout is retryable and is asked again.
        if (error instanceof PermanentError && error.status !== undefined)
          this.#refused = { error, until: this.#now() + TOKEN_REFUSAL_HOLD_MS };
        throw error;
      })
      .finally(() => {
        this.#refreshing = null;
      });
    return this.#refreshing;
  }

  async #refreshLocked(rejected: string | null): Promise<HubSpotSession> {
    const { store, tenant, app, exchange } = this.#options;
    const { session, answer } = await refreshUnderLock(store, tenant, {
      usable: (stored) => this.#usable(stored),
      serves: (stored) => stored.accessToken !== rejected && this.#fresh(stored),
      issue: async (stored) => {
        const issued = await exchange(stored?.refreshToken ?? app.refreshToken);
        const issuedAt = this.#now();
        const next: HubSpotSession = {
          accessToken: issued.accessToken,
          refreshToken: issued.refreshToken,
          issuedAt,
          expiresAt: issuedAt + issued.expiresInS * 1000,
          configuredFingerprint: this.#configured,
          appFingerprint: this.#app,
        };
        return { session: next, answer: issued };
      },
    });
    if (answer) this.#options.logger?.info({ tenant }, 'hubspot access token refreshed');
    this.#held = session;
    return session;
  }
}
