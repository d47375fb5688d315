import type { Redis } from 'ioredis';
import { z } from 'zod';
import type { SecretBox } from '../../src/store/secret-box.ts';
import { MemorySessionStore, RedisSessionStore, type SessionStore } from '../../src/store/session-store.ts';

/** An OAuth access token LeadBridge obtained for a public-app install, kept for every worker to use. */
export const HubSpotSession = z.object({
  accessToken: z.string().min(1),
  /** The refresh token to use next (HubSpot answers one with every access token). */
  refreshToken: z.string().min(1),
  /** Epoch milliseconds the access token was obtained. */
  issuedAt: z.number().int().nonnegative(),
  /** Epoch milliseconds it runs out (`issuedAt` + `expires_in`). */
  expiresAt: z.number().int().nonnegative(),
  /** Fingerprint of the configured refresh token: a newly configured one wins over what is stored. */
  configuredFingerprint: z.string(),
  /** Fingerprint of the app (client id and secret): other credentials refresh once rather than reuse. */
  appFingerprint: z.string(),
});
export type HubSpotSession = z.infer<typeof HubSpotSession>;

export type HubSpotTokenStore = SessionStore<HubSpotSession>;

export function memoryHubSpotTokenStore(): HubSpotTokenStore {
  return new MemorySessionStore(HubSpotSession);
}

/**
 * `<prefix>hs:session:<tenant>` holds the tenant's access token (sealed when LEADBRIDGE_SECRET_KEY is
 * set), `<prefix>hs:refresh-lock:<tenant>` the lock under which one process refreshes it.
 */
export function redisHubSpotTokenStore(redis: Redis, prefix: string, box?: SecretBox): HubSpotTokenStore {
  return new RedisSessionStore(
    redis,
    prefix,
    HubSpotSession,
    {
      session: (tenant) => `hs:session:${tenant}`,
      lock: (tenant) => `hs:refresh-lock:${tenant}`,
      what: 'HubSpot access token',
    },
    box,
  );
}
