import { BURST_WINDOW_MS } from './limits.ts';

/**
 * What HubSpot's rate-limit headers say about the account's budgets, read from one answer's headers
 * (names lower-cased). https://developers.hubspot.com/docs/api/usage-details ; protocol facts 3.3:
 * `X-HubSpot-RateLimit-Max`, `-Remaining`, `-Interval-Milliseconds` (the rolling burst window) and
 * `X-HubSpot-RateLimit-Daily`, `-Daily-Remaining`. Search answers reportedly carry none of them.
 */
export interface RateLimitFeedback {
  /** The burst window: `max` calls per `intervalMs`, `remaining` of them left. */
  burst?: { max: number; remaining: number; intervalMs: number };
  /** The day: `max` calls, `remaining` left. */
  daily?: { max: number; remaining: number };
}

function count(value: string | undefined): number | undefined {
  if (value === undefined || !/^\s*\d+\s*$/.test(value)) return undefined;
  return Number(value);
}

/** Reads the headers a HubSpot answer carried; a header missing or malformed leaves its budget out. */
export function rateLimitFeedback(headers: Record<string, string>): RateLimitFeedback {
  const feedback: RateLimitFeedback = {};
  const max = count(headers['x-hubspot-ratelimit-max']);
  const remaining = count(headers['x-hubspot-ratelimit-remaining']);
  const intervalMs = count(headers['x-hubspot-ratelimit-interval-milliseconds']);
  if (max !== undefined && max > 0 && remaining !== undefined)
    feedback.burst = {
      max,
      remaining: Math.min(remaining, max),
      intervalMs: intervalMs !== undefined && intervalMs > 0 ? intervalMs : BURST_WINDOW_MS,
    };
  const daily = count(headers['x-hubspot-ratelimit-daily']);
  const dailyRemaining = count(headers['x-hubspot-ratelimit-daily-remaining']);
  if (daily !== undefined && daily > 0 && dailyRemaining !== undefined)
    feedback.daily = { max: daily, remaining: Math.min(dailyRemaining, daily) };
  return feedback;
}
