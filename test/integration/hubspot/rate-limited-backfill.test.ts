import { describe, expect, it } from 'vitest';
import { runRateLimitedBackfill } from '../../../bench/rate-limited-backfill.ts';

// The backfill (10,000 contacts) at a Professional portal's 190 calls / 10 s, written back by three
// workers sharing the Redis limiter: about 200 calls, so the run crosses the edge of the rolling window,
// where a limiter set exactly at the portal's limit draws 429s. Timing is the bench's business
// (`runRateLimitedBackfill` reports wall time against the bound); here only what must hold every run.
describe('a backfill at the portal burst limit (HubSpot emulator, shared Redis limiter)', () => {
  it('makes no call HubSpot answers 429, and exactly one list and one batch write per 100 contacts', async () => {
    const result = await runRateLimitedBackfill({ contacts: 10_000, burstPer10s: 190, workers: 3 });
    expect(result.rateLimited, JSON.stringify(result.callsByEndpoint)).toBe(0);
    expect(result.listCalls).toBe(100);
    expect(result.writeCalls).toBe(100);
    expect(result.succeeded).toBeGreaterThan(190);
  }, 60_000);
});
