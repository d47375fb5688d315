import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '../src/log/logger.ts';
import { isRedisUnavailable } from '../src/store/redis-unavailable.ts';

/** How long a step waits for Redis to come back before it gives up, in milliseconds. */
export const REDIS_OUTAGE_MS = 45_000;

export interface RedisOutageOptions {
  /** Longest outage ridden out, in milliseconds (default {@link REDIS_OUTAGE_MS}). */
  redisOutageMs?: number;
  sleep?: (ms: number) => Promise<unknown>;
}

/**
 * Runs `step` and, while it fails because Redis cannot be reached (a restart, a failover), waits and
 * runs it again, until Redis answers or `redisOutageMs` have passed since the first failure. The step
 * must be safe to repeat: a reconcile batch is (its creates are upserts, its state writes compare-and-set).
 */
export async function rideOutRedisOutage<T>(
  step: () => Promise<T>,
  logger: Logger,
  options: RedisOutageOptions = {},
): Promise<T> {
  const budget = options.redisOutageMs ?? REDIS_OUTAGE_MS;
  let firstFailure: number | null = null;
  for (let attempt = 1; ; attempt++) {
    try {
      return await step();
    } catch (error) {
      if (!isRedisUnavailable(error)) throw error;
      firstFailure ??= Date.now();
      const waited = Date.now() - firstFailure;
      if (waited >= budget) throw error;
      const waitMs = Math.min(250 * 2 ** (attempt - 1), 4_000, budget - waited);
      logger.warn({ attempt, waitMs, err: error }, 'redis unreachable; step retried');
      await (options.sleep ?? sleep)(waitMs);
    }
  }
}
