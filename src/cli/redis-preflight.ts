import { openRedis } from '../store/redis.ts';
import { RedisUrlError } from '../store/redis-target.ts';
import { redactUrl } from './commands/doctor-checks.ts';
import { StartupError } from './startup-error.ts';

/** How long a command waits for Redis to answer PING before it gives up, in milliseconds. */
export const REDIS_PROBE_TIMEOUT_MS = 3_000;

/** Why Redis did not answer PING at `url`, or null when it did; never retries, never throws. */
export async function redisProblem(url: string, timeoutMs = REDIS_PROBE_TIMEOUT_MS): Promise<string | null> {
  let lastError: string | undefined;
  let redis: ReturnType<typeof openRedis>;
  try {
    redis = openRedis(url, {
      lazyConnect: true,
      connectTimeout: timeoutMs,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
      enableOfflineQueue: false,
    });
  } catch (error) {
    // A redis+cluster:// URL that does not say where its nodes are: the message names the fix.
    if (error instanceof RedisUrlError) return error.message;
    throw error;
  }
  redis.on('error', (error: Error & { code?: string }) => (lastError ??= error.code ?? error.message));
  try {
    await redis.connect();
    const pong = await redis.ping();
    return pong === 'PONG' ? null : `answered ${pong}`;
  } catch (error) {
    const { code, message } = error as Error & { code?: string };
    return lastError ?? code ?? message;
  } finally {
    redis.disconnect();
  }
}

/** The one line a command prints when Redis does not answer: what, where, and the fix. */
export function redisDownMessage(url: string, problem: string): string {
  return `Redis does not answer at ${redactUrl(url)} (${problem}): start Redis 7+ there or set REDIS_URL to one that runs`;
}

/** Throws a StartupError (one line, exit 2) unless Redis answers PING at `url`. */
export async function requireRedis(url: string): Promise<void> {
  const problem = await redisProblem(url);
  if (problem !== null) throw new StartupError(redisDownMessage(url, problem));
}
