import type { Redis } from 'ioredis';
import { z } from 'zod';
import type { SecretBox } from '../../src/store/secret-box.ts';
import {
  MemorySessionStore,
  oauthAppFingerprint,
  RedisSessionStore,
  tokenFingerprint,
  type SessionStore,
} from '../../src/store/session-store.ts';

export { tokenFingerprint };

/** A session obtained by refreshing, kept so other workers and restarts reuse it instead of refreshing again. */
export const StoredSession = z.object({
  accessToken: z.string().min(1),
  instanceUrl: z.string().min(1),
  /** Present when the org rotates refresh tokens; replaces the configured one. */
  refreshToken: z.string().min(1).optional(),
  /** Epoch milliseconds the token was issued. */
  issuedAt: z.number().int().nonnegative(),
  /**
   * Fingerprint of the configured refresh token this session descends from. When the admin configures a
   * new token (e.g. after revoking a leaked one), the stored session no longer matches and yields to it.
   */
  configuredFingerprint: z.string().optional(),
  /**
   * Fingerprint of the connected app (login URL, client id and secret) the session was obtained with. A
   * process configured with other app credentials does not reuse the access token: it refreshes once, so
   * the token endpoint judges the credentials it was given (install and doctor report a refused one).
   */
  appFingerprint: z.string().optional(),
});
export type StoredSession = z.infer<typeof StoredSession>;

/** A short, one-way fingerprint of the connected app a session is refreshed through. */
export function appFingerprint(app: {
  loginUrl?: string | undefined;
  clientId?: string | undefined;
  clientSecret?: string | undefined;
}): string {
  return oauthAppFingerprint('app', app.loginUrl, app.clientId, app.clientSecret);
}

/** Salesforce sessions of a tenant and their refresh lock (see {@link SessionStore}). */
export type TokenStore = SessionStore<StoredSession>;

export class MemoryTokenStore extends MemorySessionStore<StoredSession> {
  constructor() {
    super(StoredSession);
  }
}

/**
 * `<prefix>sf:session:<tenant>` holds the latest session (sealed when LEADBRIDGE_SECRET_KEY is set);
 * `<prefix>sf:refresh-lock:<tenant>` is the single-flight refresh lock.
 */
export class RedisTokenStore extends RedisSessionStore<StoredSession> {
  constructor(redis: Redis, prefix: string, box?: SecretBox) {
    super(
      redis,
      prefix,
      StoredSession,
      {
        session: (tenant) => `sf:session:${tenant}`,
        lock: (tenant) => `sf:refresh-lock:${tenant}`,
        what: 'Salesforce session',
      },
      box,
    );
  }
}
