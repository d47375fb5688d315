import { z } from 'zod';
import { BURST_WINDOW_MS, DEFAULT_BURST_PER_10S, SEARCH_PER_SECOND } from '../limits.ts';
import { EmulatorError } from './errors.ts';

/** What `POST /__emulator/faults` sets; every field optional, unspecified ones keep their value. */
export const FaultSettings = z.strictObject({
  /** Added to every API response, in milliseconds. */
  latencyMs: z.number().int().nonnegative().optional(),
  /** Share of API calls (0-1) answered with `errorStatus`. */
  errorRate: z.number().min(0).max(1).optional(),
  /** Status of injected errors (500, 502, 503, 504). */
  errorStatus: z.number().int().min(500).max(599).optional(),
  /** The next N API calls are answered 429 (TEN_SECONDLY_ROLLING unless `rateLimitPolicy` says DAILY). */
  rateLimitNext: z.number().int().nonnegative().optional(),
  rateLimitPolicy: z.enum(['TEN_SECONDLY_ROLLING', 'DAILY']).optional(),
  /** Share of API calls (0-1) answered 429 as `rateLimitNext` would (a storm of rate limits at random). */
  rateLimitRate: z.number().min(0).max(1).optional(),
  /** Calls per rolling 10 s before 429 (the portal's tier: 100, 190, 250); 0 turns the check off. */
  burstPer10s: z.number().int().nonnegative().optional(),
  /** Search calls per second before 429; 0 turns the check off. */
  searchPerSecond: z.number().int().nonnegative().optional(),
  /** Calls per day before a DAILY 429; 0 turns the check off. */
  dailyLimit: z.number().int().nonnegative().optional(),
  /** Every bearer token is treated as expired (401 EXPIRED_AUTHENTICATION). */
  expiredToken: z.boolean().optional(),
  /** Every Nth API call answers 401 EXPIRED_AUTHENTICATION (a token expiring mid-run); 0 turns it off. */
  expiredTokenEvery: z.number().int().nonnegative().optional(),
  /** Contacts changed within this many milliseconds are not yet visible to search (index lag). */
  searchLagMs: z.number().int().nonnegative().optional(),
  /** Webhook deliveries fail (the target is treated as unreachable) while true. */
  webhooksDown: z.boolean().optional(),
});
export type FaultSettings = z.infer<typeof FaultSettings>;

export type Faults = Required<FaultSettings>;

export function defaultFaults(): Faults {
  return {
    latencyMs: 0,
    errorRate: 0,
    errorStatus: 502,
    rateLimitNext: 0,
    rateLimitPolicy: 'TEN_SECONDLY_ROLLING',
    rateLimitRate: 0,
    burstPer10s: DEFAULT_BURST_PER_10S,
    searchPerSecond: SEARCH_PER_SECOND,
    dailyLimit: 0,
    expiredToken: false,
    expiredTokenEvery: 0,
    searchLagMs: 0,
    webhooksDown: false,
  };
}

function rateLimited(
  policyName: 'TEN_SECONDLY_ROLLING' | 'DAILY' | 'SECONDLY',
  max: number,
  intervalMs: number,
): EmulatorError {
  const message =
    policyName === 'DAILY'
      ? 'You have reached your daily limit.'
      : policyName === 'SECONDLY'
        ? 'You have reached your secondly limit.'
        : 'You have reached your ten_secondly_rolling limit.';
  return new EmulatorError(429, 'RATE_LIMITS', message, {
    extra: { errorType: 'RATE_LIMIT', policyName, requestId: crypto.randomUUID() },
    headers:
      policyName === 'DAILY'
        ? { 'X-HubSpot-RateLimit-Daily': String(max), 'X-HubSpot-RateLimit-Daily-Remaining': '0' }
        : {
            'X-HubSpot-RateLimit-Max': String(max),
            'X-HubSpot-RateLimit-Remaining': '0',
            'X-HubSpot-RateLimit-Interval-Milliseconds': String(intervalMs),
          },
  });
}

/**
 * The portal's rate limits as HubSpot applies them: a rolling 10-second burst window for every call,
 * 5 per second more for search, a daily count. https://developers.hubspot.com/docs/api/usage-details
 */
export class RateLimits {
  #burst: number[] = [];
  #search: number[] = [];
  #day = { date: '', count: 0 };

  reset(): void {
    this.#burst = [];
    this.#search = [];
    this.#day = { date: '', count: 0 };
  }

  /** Counts the call, or throws the 429 HubSpot would answer. Returns the headers of a success. */
  admit(now: number, isSearch: boolean, faults: Faults): Record<string, string> {
    if (faults.rateLimitNext > 0) {
      faults.rateLimitNext--;
      throw rateLimited(
        faults.rateLimitPolicy,
        faults.rateLimitPolicy === 'DAILY'
          ? faults.dailyLimit || 250_000
          : faults.burstPer10s || DEFAULT_BURST_PER_10S,
        BURST_WINDOW_MS,
      );
    }
    const date = new Date(now).toISOString().slice(0, 10);
    if (this.#day.date !== date) this.#day = { date, count: 0 };
    if (faults.dailyLimit > 0 && this.#day.count >= faults.dailyLimit)
      throw rateLimited('DAILY', faults.dailyLimit, BURST_WINDOW_MS);
    this.#burst = this.#burst.filter((at) => at > now - BURST_WINDOW_MS);
    if (faults.burstPer10s > 0 && this.#burst.length >= faults.burstPer10s)
      throw rateLimited('TEN_SECONDLY_ROLLING', faults.burstPer10s, BURST_WINDOW_MS);
    if (isSearch) {
      this.#search = this.#search.filter((at) => at > now - 1_000);
      if (faults.searchPerSecond > 0 && this.#search.length >= faults.searchPerSecond)
        throw rateLimited('SECONDLY', faults.searchPerSecond, 1_000);
      this.#search.push(now);
    }
    this.#burst.push(now);
    this.#day.count++;
    // Search responses reportedly carry no rate-limit headers (protocol facts 3.2).
    if (isSearch) return {};
    const headers: Record<string, string> = {
      'X-HubSpot-RateLimit-Interval-Milliseconds': String(BURST_WINDOW_MS),
    };
    if (faults.burstPer10s > 0) {
      headers['X-HubSpot-RateLimit-Max'] = String(faults.burstPer10s);
      headers['X-HubSpot-RateLimit-Remaining'] = String(Math.max(0, faults.burstPer10s - this.#burst.length));
    }
    if (faults.dailyLimit > 0) {
      headers['X-HubSpot-RateLimit-Daily'] = String(faults.dailyLimit);
      headers['X-HubSpot-RateLimit-Daily-Remaining'] = String(
        Math.max(0, faults.dailyLimit - this.#day.count),
      );
    }
    return headers;
  }
}
