import { createHash, randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { z } from 'zod';
import { SecretBox } from '../../src/store/secret-box.ts';

/** A session obtained by refreshing, kept so other workers and restarts reuse it instead of refreshing again. */
export const StoredSession = z.object({
  accessToken: z.string().min(1),
  instanceUrl: z.string().min(1),
  /** Present when the org rotates refresh tokens; replaces the configured one. */
  refreshToken: z.string().min(1).optional(),
  /** Epoch milliseconds the token was issued. */
  issuedAt: z.number().int().nonnegative(),
  /**
   * Fingerprint of the configured refresh token this session descends from. When the admin configures a
   * new token (e.g. after revoking a leaked one), the stored session no longer matches and yields to it.
   */
  configuredFingerprint: z.string().optional(),
  /**
   * Fingerprint of the connected app (login URL, client id and secret) the session was obtained with. A
   * process configured with other app credentials does not reuse the access token: it refreshes once, so
   * the token endpoint judges the credentials it was given (install and doctor report a refused one).
   */
  appFingerprint: z.string().optional(),
});
export type StoredSession = z.infer<typeof StoredSession>;

/** A short, one-way fingerprint of a configured token (never the token itself). */
export function tokenFingerprint(token: string | undefined): string | undefined {
  return token === undefined
    ? undefined
    : createHash('sha256').update(`leadbridge:${token}`).digest('hex').slice(0, 32);
}

/** A short, one-way fingerprint of the connected app a session is refreshed through. */
export function appFingerprint(app: {
  loginUrl?: string | undefined;
  clientId?: string | undefined;
  clientSecret?: string | undefined;
}): string {
  return tokenFingerprint(
    JSON.stringify(['app', app.loginUrl ?? '', app.clientId ?? '', app.clientSecret ?? '']),
  )!;
}

export interface TokenStore {
  load(tenant: string): Promise<StoredSession | null>;
  /** Replaces the tenant's session in one write. */
  save(tenant: string, session: StoredSession): Promise<void>;
  /**
   * Runs `fn` while holding the tenant's refresh lock, so only one process at a time refreshes (each
   * rotated refresh token works once: two refreshing at once would revoke each other). Waits up to
   * `waitMs` for the lock; throws when it cannot get it.
   */
  withRefreshLock<T>(tenant: string, fn: () => Promise<T>, waitMs?: number): Promise<T>;
}

export class MemoryTokenStore implements TokenStore {
  private readonly sessions = new Map<string, StoredSession>();
  private readonly locks = new Map<string, Promise<unknown>>();

  async load(tenant: string): Promise<StoredSession | null> {
    return this.sessions.get(tenant) ?? null;
  }

  async save(tenant: string, session: StoredSession): Promise<void> {
    this.sessions.set(tenant, StoredSession.parse(session));
  }

  async withRefreshLock<T>(tenant: string, fn: () => Promise<T>): Promise<T> {
    const previous = this.locks.get(tenant) ?? Promise.resolve();
    const run = previous.then(fn, fn);
    this.locks.set(
      tenant,
      run.catch(() => undefined),
    );
    return run;
  }
}

/** Longest a refresh may hold the lock, in milliseconds (the token endpoint answers in well under that). */
const LOCK_TTL_MS = 30_000;

const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;

/**
 * `<prefix>sf:session:<tenant>` holds the latest session: sealed with AES-256-GCM when
 * LEADBRIDGE_SECRET_KEY is set (plain JSON otherwise, which start and doctor warn about).
 * `<prefix>sf:refresh-lock:<tenant>` is the single-flight refresh lock.
 */
export class RedisTokenStore implements TokenStore {
  private readonly redis: Redis;
  private readonly prefix: string;
  private readonly box: SecretBox | undefined;

  constructor(redis: Redis, prefix: string, box?: SecretBox) {
    this.redis = redis;
    this.prefix = prefix;
    this.box = box;
  }

  private key(tenant: string): string {
    return `${this.prefix}sf:session:${tenant}`;
  }

  async load(tenant: string): Promise<StoredSession | null> {
    const key = this.key(tenant);
    const raw = await this.redis.get(key);
    if (!raw) return null;
    // A sealed value needs the key; a plain one (stored before a key was set) is read once and sealed on
    // the next save.
    const text = SecretBox.isSealed(raw) ? (this.box?.open(raw, key) ?? null) : raw;
    if (text === null) return null;
    try {
      const parsed = StoredSession.safeParse(JSON.parse(text));
      return parsed.success ? parsed.data : null;
    } catch {
      return null;
    }
  }

  async save(tenant: string, session: StoredSession): Promise<void> {
    const key = this.key(tenant);
    const text = JSON.stringify(StoredSession.parse(session));
    await this.redis.set(key, this.box ? this.box.seal(text, key) : text);
  }

  async withRefreshLock<T>(tenant: string, fn: () => Promise<T>, waitMs = 20_000): Promise<T> {
    const lock = `${this.prefix}sf:refresh-lock:${tenant}`;
    const owner = randomBytes(12).toString('hex');
    const until = Date.now() + waitMs;
    while ((await this.redis.set(lock, owner, 'PX', LOCK_TTL_MS, 'NX')) !== 'OK') {
      if (Date.now() > until)
        throw new Error(
          `another process has been refreshing the Salesforce session of ${tenant} for too long`,
        );
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    try {
      return await fn();
    } finally {
      await this.redis.eval(RELEASE, 1, lock, owner).catch(() => undefined);
    }
  }
}
