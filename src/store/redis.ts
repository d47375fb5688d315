import { Redis, type RedisOptions } from 'ioredis';
import type { Logger } from '../log/logger.ts';

export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';

/** While Redis stays down, the same connection error is logged again at most this often, in milliseconds. */
const REPEAT_ERROR_EVERY_MS = 60_000;

/**
 * A Redis connection fit for BullMQ workers (`maxRetriesPerRequest: null`, which BullMQ requires for
 * blocking commands) with an error listener, so a Redis outage is logged rather than an unhandled event:
 * once when it starts (and once a minute while it lasts), once when Redis answers again.
 */
export function createRedis(url: string, logger: Logger, options: RedisOptions = {}): Redis {
  const redis = new Redis(url, { maxRetriesPerRequest: null, ...options });
  let last: { code: string; at: number } | undefined;
  redis.on('error', (error: Error & { code?: string }) => {
    const code = error.code ?? error.message;
    const now = Date.now();
    if (last && last.code === code && now - last.at < REPEAT_ERROR_EVERY_MS) return;
    last = { code, at: now };
    logger.warn({ err: error }, 'redis connection error');
  });
  redis.on('ready', () => {
    if (last) logger.info('redis connection restored');
    last = undefined;
  });
  return redis;
}

/** How long shutdown waits for queues and Redis to close cleanly before it cuts the connection. */
const CLOSE_TIMEOUT_MS = 5_000;

/**
 * Runs the closers in order; if they have not finished in time (Redis unreachable, so commands wait
 * forever under `maxRetriesPerRequest: null`), calls `force` so the process can still exit.
 */
export async function closeGracefully(
  logger: Logger,
  closers: Array<() => Promise<unknown>>,
  force: () => void,
  timeoutMs = CLOSE_TIMEOUT_MS,
): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), timeoutMs);
  });
  const closeAll = (async () => {
    for (const close of closers) await close();
    return 'closed' as const;
  })();
  const outcome = await Promise.race([closeAll, timedOut]).catch((error: unknown) => {
    logger.warn({ err: error }, 'error while closing');
    return 'failed' as const;
  });
  clearTimeout(timer);
  if (outcome !== 'closed') {
    logger.warn({ outcome }, 'forcing Redis connections closed');
    force();
  }
}
