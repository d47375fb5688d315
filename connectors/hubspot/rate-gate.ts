import type { RateLimit, RedisRateLimiter } from '../../src/store/rate-limiter.ts';
import { BURST_WINDOW_MS, DEFAULT_BURST_PER_10S, SEARCH_PER_SECOND } from './limits.ts';

/** Which budget a call draws on: every call counts against the burst limit, searches also against 5/s. */
export type CallKind = 'standard' | 'search';

/** Admission control in front of every HubSpot call of one tenant. */
export interface RateGate {
  /** Resolves once a call of this kind may go out. */
  acquire(kind: CallKind): Promise<void>;
  /** Holds every caller of the tenant for `waitMs` milliseconds (after HubSpot answered 429). */
  block(waitMs: number): Promise<void>;
}

/** No admission control: unit tests with nock, and one-off scripts. */
export const openGate: RateGate = { acquire: async () => {}, block: async () => {} };

/** The tenant's limits, shared through Redis by every worker and server process. */
export function redisRateGate(
  limiter: RedisRateLimiter,
  tenant: string,
  burstLimitPer10s = DEFAULT_BURST_PER_10S,
): RateGate {
  const key = `hubspot:${tenant}`;
  // https://developers.hubspot.com/docs/api/usage-details: burst per rolling 10 s, per account.
  const burst: RateLimit = { name: 'burst', limit: burstLimitPer10s, windowMs: BURST_WINDOW_MS };
  // https://developers.hubspot.com/docs/api/crm/search: 5 search requests per second per account.
  const search: RateLimit = { name: 'search', limit: SEARCH_PER_SECOND, windowMs: 1_000 };
  return {
    acquire: (kind) => limiter.acquire(key, kind === 'search' ? [burst, search] : [burst]),
    block: (waitMs) => limiter.block(key, waitMs),
  };
}
