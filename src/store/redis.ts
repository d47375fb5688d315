import { Cluster, Redis, type RedisOptions } from 'ioredis';
import type { Logger } from '../log/logger.ts';
import { parseRedisTarget } from './redis-target.ts';

export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';

/** While Redis stays down, the same connection error is logged again at most this often, in milliseconds. */
const REPEAT_ERROR_EVERY_MS = 60_000;

/**
 * A connection to `url` (REDIS_URL): a `Redis` for one server, an ioredis `Cluster` for a
 * `redis+cluster://` URL (see redis-target.ts). Both answer the same commands, pipelines and Lua, and
 * BullMQ takes either; every key layout LeadBridge uses keeps the keys one operation touches in one
 * slot (`{tenant}` and per-queue hash tags), which is what a cluster needs. The type says `Redis`
 * because ioredis types the two apart while the stores only use what both have; code that must reach
 * every node (SCAN) asks `masterNodes`.
 */
export function openRedis(url: string, options: RedisOptions = {}): Redis {
  const target = parseRedisTarget(url);
  if (target.kind === 'single') return new Redis(url, options);
  const { lazyConnect, enableOfflineQueue, retryStrategy, ...nodeOptions } = options;
  const cluster = new Cluster(target.nodes, {
    ...(lazyConnect === undefined ? {} : { lazyConnect }),
    ...(enableOfflineQueue === undefined ? {} : { enableOfflineQueue }),
    ...(retryStrategy ? { clusterRetryStrategy: (times: number) => retryStrategy(times) } : {}),
    redisOptions: {
      ...nodeOptions,
      ...(target.username ? { username: target.username } : {}),
      ...(target.password ? { password: target.password } : {}),
      ...(target.tls ? { tls: {} } : {}),
    },
  });
  return cluster as unknown as Redis;
}

/** The connections to every master: the connection itself for one server, each master's for a cluster. */
export function masterNodes(redis: Redis): Redis[] {
  const maybeCluster = redis as unknown as Partial<Cluster>;
  return maybeCluster.isCluster && maybeCluster.nodes ? maybeCluster.nodes('master') : [redis];
}

/**
 * Every key matching `pattern`, by SCAN on every master (SCAN on a cluster connection sees one node only),
 * in pages; never KEYS, so a large Redis is not blocked.
 */
export async function* scanKeys(redis: Redis, pattern: string, count = 1000): AsyncGenerator<string[]> {
  // A cluster knows its masters once connected; PING waits for that (a fresh connection has none yet).
  await redis.ping();
  for (const node of masterNodes(redis)) {
    let cursor = '0';
    do {
      const [next, keys] = await node.scan(cursor, 'MATCH', pattern, 'COUNT', count);
      if (keys.length > 0) yield keys;
      cursor = next;
    } while (cursor !== '0');
  }
}

/**
 * Deletes every key matching `pattern`; returns how many. One UNLINK per key (sent together, routed to
 * each key's node): a multi-key DEL across slots is refused by a cluster (CROSSSLOT).
 */
export async function deleteMatching(redis: Redis, pattern: string): Promise<number> {
  let deleted = 0;
  for await (const keys of scanKeys(redis, pattern)) {
    const counts = await Promise.all(keys.map((key) => redis.unlink(key)));
    deleted += counts.reduce((sum, count) => sum + count, 0);
  }
  return deleted;
}

/**
 * A Redis connection fit for BullMQ workers (`maxRetriesPerRequest: null`, which BullMQ requires for
 * blocking commands) with an error listener, so a Redis outage is logged rather than an unhandled event:
 * once when it starts (and once a minute while it lasts), once when Redis answers again. A
 * `redis+cluster://` URL gives a cluster connection (see `openRedis`).
 */
export function createRedis(url: string, logger: Logger, options: RedisOptions = {}): Redis {
  const redis = openRedis(url, { maxRetriesPerRequest: null, ...options });
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
