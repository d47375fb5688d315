import type { Redis } from 'ioredis';
import { z } from 'zod';

/** A session obtained by refreshing, kept so other workers and restarts reuse it instead of refreshing again. */
export const StoredSession = z.object({
  accessToken: z.string().min(1),
  instanceUrl: z.string().min(1),
  /** Present when the org rotates refresh tokens; replaces the configured one. */
  refreshToken: z.string().min(1).optional(),
  /** Epoch milliseconds the token was issued. */
  issuedAt: z.number().int().nonnegative(),
});
export type StoredSession = z.infer<typeof StoredSession>;

export interface TokenStore {
  load(tenant: string): Promise<StoredSession | null>;
  save(tenant: string, session: StoredSession): Promise<void>;
}

export class MemoryTokenStore implements TokenStore {
  private readonly sessions = new Map<string, StoredSession>();

  async load(tenant: string): Promise<StoredSession | null> {
    return this.sessions.get(tenant) ?? null;
  }

  async save(tenant: string, session: StoredSession): Promise<void> {
    this.sessions.set(tenant, session);
  }
}

/** `<prefix>sf:session:<tenant>` holds the JSON of the latest session. */
export class RedisTokenStore implements TokenStore {
  private readonly redis: Redis;
  private readonly prefix: string;

  constructor(redis: Redis, prefix: string) {
    this.redis = redis;
    this.prefix = prefix;
  }

  async load(tenant: string): Promise<StoredSession | null> {
    const raw = await this.redis.get(`${this.prefix}sf:session:${tenant}`);
    if (!raw) return null;
    try {
      const parsed = StoredSession.safeParse(JSON.parse(raw));
      return parsed.success ? parsed.data : null;
    } catch {
      return null;
    }
  }

  async save(tenant: string, session: StoredSession): Promise<void> {
    await this.redis.set(`${this.prefix}sf:session:${tenant}`, JSON.stringify(StoredSession.parse(session)));
  }
}
