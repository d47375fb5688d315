import { describe, expect, it } from 'vitest';
import { rateLimitFeedback } from '../../../connectors/hubspot/rate-limit-headers.ts';

describe("rateLimitFeedback (HubSpot's X-HubSpot-RateLimit-* headers)", () => {
  it('reads the burst window and the day', () => {
    expect(
      rateLimitFeedback({
        'x-hubspot-ratelimit-max': '190',
        'x-hubspot-ratelimit-remaining': '12',
        'x-hubspot-ratelimit-interval-milliseconds': '10000',
        'x-hubspot-ratelimit-daily': '650000',
        'x-hubspot-ratelimit-daily-remaining': '649000',
      }),
    ).toEqual({
      burst: { max: 190, remaining: 12, intervalMs: 10_000 },
      daily: { max: 650_000, remaining: 649_000 },
    });
  });

  it('leaves out a budget whose headers are missing or malformed (search answers carry none)', () => {
    expect(rateLimitFeedback({})).toEqual({});
    expect(rateLimitFeedback({ 'x-hubspot-ratelimit-max': '190' })).toEqual({});
    expect(
      rateLimitFeedback({ 'x-hubspot-ratelimit-max': 'lots', 'x-hubspot-ratelimit-remaining': '3' }),
    ).toEqual({});
    expect(rateLimitFeedback({ 'x-hubspot-ratelimit-daily-remaining': '-1' })).toEqual({});
  });

  it('defaults the interval to the 10 s window and never reports more remaining than the maximum', () => {
    expect(
      rateLimitFeedback({ 'x-hubspot-ratelimit-max': '100', 'x-hubspot-ratelimit-remaining': '150' }),
    ).toEqual({ burst: { max: 100, remaining: 100, intervalMs: 10_000 } });
  });
});
