import { createHash, randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';

/** How long a browser sign-in lasts, in seconds. */
export const SESSION_TTL_SECONDS = 8 * 3600;

function digest(id: string): string {
  return createHash('sha256').update(id).digest('hex');
}

/**
 * Admin browser sessions in Redis, `<prefix>:admin:session:<sha256 of the id>` with an expiry. Only the
 * hash is stored, so reading Redis does not yield a usable cookie.
 */
export class AdminSessions {
  private readonly redis: Redis;
  private readonly prefix: string;

  constructor(redis: Redis, prefix: string) {
    this.redis = redis;
    this.prefix = prefix;
  }

  private key(id: string): string {
    return `${this.prefix}:admin:session:${digest(id)}`;
  }

  /** A new session id (256 random bits, base64url). */
  async create(now: Date): Promise<string> {
    const id = randomBytes(32).toString('base64url');
    await this.redis.set(this.key(id), String(now.getTime()), 'EX', SESSION_TTL_SECONDS);
    return id;
  }

  async valid(id: string): Promise<boolean> {
    if (!/^[A-Za-z0-9_-]{43}$/.test(id)) return false;
    return (await this.redis.exists(this.key(id))) === 1;
  }

  async destroy(id: string): Promise<void> {
    if (/^[A-Za-z0-9_-]{43}$/.test(id)) await this.redis.del(this.key(id));
  }
}

/** Failed admin attempts allowed per client address in one window. */
export const MAX_FAILURES_PER_CLIENT = 10;
/** Failed admin attempts allowed from all clients together in one window (a spread-out guesser). */
export const MAX_FAILURES_TOTAL = 200;
/** The throttle window, in seconds. */
export const FAILURE_WINDOW_SECONDS = 15 * 60;

/**
 * Counts failed admin sign-ins and bearer checks per client address and in total, in fixed windows;
 * over the limit every attempt is refused (429) until the window ends, the right token included.
 */
export class FailureThrottle {
  private readonly redis: Redis;
  private readonly prefix: string;

  constructor(redis: Redis, prefix: string) {
    this.redis = redis;
    this.prefix = prefix;
  }

  private keys(client: string): [string, string] {
    // One hash tag for both, so the MGET and the pipeline below stay in one Redis Cluster slot.
    return [`${this.prefix}:admin:{fail}:${digest(client)}`, `${this.prefix}:admin:{fail}:*all*`];
  }

  /** Seconds to wait before trying again, or 0 when attempts are allowed. */
  async blockedFor(client: string): Promise<number> {
    const [mine, all] = this.keys(client);
    const [own, total] = await this.redis.mget(mine, all);
    if (Number(own ?? 0) < MAX_FAILURES_PER_CLIENT && Number(total ?? 0) < MAX_FAILURES_TOTAL) return 0;
    const ttl = await this.redis.ttl(Number(own ?? 0) >= MAX_FAILURES_PER_CLIENT ? mine : all);
    return ttl > 0 ? ttl : FAILURE_WINDOW_SECONDS;
  }

  async fail(client: string): Promise<void> {
    const pipeline = this.redis.pipeline();
    for (const key of this.keys(client)) {
      pipeline.incr(key);
      pipeline.expire(key, FAILURE_WINDOW_SECONDS, 'NX');
    }
    await pipeline.exec();
  }
}
