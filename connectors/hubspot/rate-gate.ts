import type { RateLimit, RedisRateLimiter } from '../../src/store/rate-limiter.ts';
import {
  BURST_WINDOW_MS,
  DEFAULT_BURST_PER_10S,
  DEFAULT_RATE_LIMIT_MARGIN,
  SEARCH_PER_SECOND,
} from './limits.ts';
import { DAILY_LIMIT_PROBE_MS } from './classify.ts';
import { rateLimitFeedback } from './rate-limit-headers.ts';

/** Which budget a call draws on: every call counts against the burst limit, searches also against 5/s. */
export type CallKind = 'standard' | 'search';

/** What a 429 (or 423/477) said, as `classify` read it. */
export interface RateLimitSignal {
  /** HubSpot's `policyName` (`TEN_SECONDLY_ROLLING`, `SECONDLY`, `DAILY`) or ours (`LOCKED`, ...). */
  policy: string;
  /** How long `classify` says to wait, in milliseconds (Retry-After when sent). */
  waitMs: number;
  /** Whether the answer carried `Retry-After` (then `waitMs` is HubSpot's own). */
  retryAfter: boolean;
  /** The answer's headers, lower-cased. */
  headers: Record<string, string>;
}

/** Admission control in front of every HubSpot call of one tenant. */
export interface RateGate {
  /** Resolves once a call of this kind may go out. */
  acquire(kind: CallKind): Promise<void>;
  /** Feedback from a successful answer's `X-HubSpot-RateLimit-*` headers (lower-cased names). */
  observe(headers: Record<string, string>): Promise<void>;
  /**
   * After HubSpot answered 429 (or 423/477): holds only the calls that need the budget it named.
   * Resolves to the milliseconds the caller should sleep before asking `acquire` again (0 when
   * `acquire` itself waits as long as needed).
   */
  rateLimited(signal: RateLimitSignal): Promise<number>;
}

/** No admission control: unit tests with nock, and one-off scripts. A 429 is simply waited out. */
export const openGate: RateGate = {
  acquire: async () => {},
  observe: async () => {},
  rateLimited: async (signal) => signal.waitMs,
};

export interface RateGateOptions {
  /** Calls per rolling 10 s of the account (100, 190 or 250), `hubspot.burstLimitPer10s`. */
  burstLimitPer10s?: number;
  /** Share of every limit left unused (`hubspot.rateLimitMargin`, default 0.05). */
  margin?: number;
}

/** The daily limit has no window of ours: a block key, set when HubSpot's count nears it or says 429. */
const DAILY_BUDGET = 'daily';

/**
 * The tenant's limits, shared through Redis by every worker and server process, each kept `margin` below
 * HubSpot's figure and corrected by what HubSpot reports on every answer. A 429 holds only its own budget:
 * a search 429 (5/s) holds searches, not batch writes; a burst 429 holds every call of this tenant (all of
 * them count against it) only until enough calls of our window age out; a daily 429 holds the tenant's
 * calls until the hourly probe. Other tenants, and Salesforce, have keys and budgets of their own.
 */
export function redisRateGate(
  limiter: RedisRateLimiter,
  tenant: string,
  options: RateGateOptions = {},
): RateGate {
  const key = `hubspot:${tenant}`;
  const margin = options.margin ?? DEFAULT_RATE_LIMIT_MARGIN;
  // https://developers.hubspot.com/docs/api/usage-details: burst per rolling 10 s, per account.
  const burst: RateLimit = {
    name: 'burst',
    limit: options.burstLimitPer10s ?? DEFAULT_BURST_PER_10S,
    windowMs: BURST_WINDOW_MS,
    margin,
  };
  // https://developers.hubspot.com/docs/api/crm/search: 5 search requests per second per account. The
  // margin rounds it down to 4, the figure older docs gave.
  const search: RateLimit = { name: 'search', limit: SEARCH_PER_SECOND, windowMs: 1_000, margin };

  /** The burst reading of an answer; one for another window (e.g. a search 429's 1 s) is not ours. */
  function burstReading(headers: Record<string, string>) {
    const reading = rateLimitFeedback(headers).burst;
    return reading && reading.intervalMs === burst.windowMs ? reading : undefined;
  }

  async function observe(headers: Record<string, string>): Promise<void> {
    const feedback = rateLimitFeedback(headers);
    const reading = burstReading(headers);
    if (reading) await limiter.observe(key, burst, reading.max - reading.remaining, reading.max);
    // The margin of the daily limit is left to the portal's other integrations; once HubSpot's count
    // reaches it, new calls wait for the hourly probe (the reset is at the account's midnight, unknown).
    if (feedback.daily && feedback.daily.remaining <= Math.floor(feedback.daily.max * margin))
      await limiter.block(key, DAILY_LIMIT_PROBE_MS, DAILY_BUDGET);
  }

  return {
    acquire: (kind) => limiter.acquire(key, kind === 'search' ? [burst, search] : [burst], [DAILY_BUDGET]),
    observe,
    async rateLimited(signal) {
      switch (signal.policy) {
        case 'SECONDLY':
          await limiter.block(key, signal.waitMs, search.name);
          return 0;
        case 'DAILY':
          await limiter.block(key, signal.waitMs, DAILY_BUDGET);
          return 0;
        case 'TEN_SECONDLY_ROLLING':
        case 'UNKNOWN': {
          if (signal.retryAfter) {
            await limiter.block(key, signal.waitMs, burst.name);
            return 0;
          }
          // A rolling window frees a slot as each call ages out: fill ours to HubSpot's count (its
          // headers, else the configured limit) and let `acquire` wait for the next slot, not 10 s.
          const max = burstReading(signal.headers)?.max ?? burst.limit;
          await limiter.observe(key, burst, max, max);
          return 0;
        }
        default:
          // 423 Locked, 477 Migration in progress: not a budget; hold the tenant for the time HubSpot gave.
          await limiter.block(key, signal.waitMs);
          return 0;
      }
    },
  };
}
