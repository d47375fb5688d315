import { createHash, randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { z } from 'zod';
import { SecretBox } from './secret-box.ts';

/**
 * Where a connector keeps the OAuth session it refreshed, so other workers and restarts reuse it instead
 * of refreshing again, and the lock that lets one process at a time refresh.
 */
export interface SessionStore<S> {
  load(tenant: string): Promise<S | null>;
  /** Replaces the tenant's session in one write. */
  save(tenant: string, session: S): Promise<void>;
  /**
   * Runs `fn` while holding the tenant's refresh lock, so only one process at a time refreshes (a rotated
   * refresh token works once: two refreshing at once would revoke each other). Waits up to `waitMs` for
   * the lock; throws when it cannot get it.
   */
  withRefreshLock<T>(tenant: string, fn: () => Promise<T>, waitMs?: number): Promise<T>;
}

/** A short, one-way fingerprint of a configured token (never the token itself). */
export function tokenFingerprint(token: string | undefined): string | undefined {
  return token === undefined
    ? undefined
    : createHash('sha256').update(`leadbridge:${token}`).digest('hex').slice(0, 32);
}

/**
 * A short, one-way fingerprint of the OAuth app a session is refreshed through, from the parts that name
 * it (a tag per system, then e.g. login host, client id, client secret; absent parts count as ''). A
 * session stored by a process with other app credentials then yields instead of being reused.
 */
export function oauthAppFingerprint(...parts: Array<string | undefined>): string {
  return tokenFingerprint(JSON.stringify(parts.map((part) => part ?? '')))!;
}

/** One OAuth refresh under the tenant's lock, as each connector defines its steps. */
export interface LockedRefresh<S, A> {
  /** The stored session as this process may use it: null when none, or another app's or refresh token's. */
  usable(stored: S | null): S | null;
  /** The stored session serves as it is: another process refreshed while this one waited for the lock. */
  serves(stored: S): boolean;
  /** Spends a refresh token (the stored one, else the configured one): the new session and the answer. */
  issue(stored: S | null): Promise<{ session: S; answer: A }>;
}

/**
 * The refresh flow both OAuth connectors share: under the tenant's lock, take the session another process
 * stored meanwhile when it serves, else obtain one and store it before the lock is released, so two
 * processes never spend the same refresh token. `answer` is null when the stored session served.
 */
export async function refreshUnderLock<S, A>(
  store: SessionStore<S>,
  tenant: string,
  refresh: LockedRefresh<S, A>,
): Promise<{ session: S; answer: A | null }> {
  return store.withRefreshLock(tenant, async () => {
    const stored = refresh.usable(await store.load(tenant));
    if (stored && refresh.serves(stored)) return { session: stored, answer: null };
    const issued = await refresh.issue(stored);
    await store.save(tenant, issued.session);
    return issued;
  });
}

/** Sessions and locks of one process (tests, and commands run without Redis). */
export class MemorySessionStore<S> implements SessionStore<S> {
  readonly #schema: z.ZodType<S>;
  readonly #sessions = new Map<string, S>();
  readonly #locks = new Map<string, Promise<unknown>>();

  constructor(schema: z.ZodType<S>) {
    this.#schema = schema;
  }

  async load(tenant: string): Promise<S | null> {
    return this.#sessions.get(tenant) ?? null;
  }

  async save(tenant: string, session: S): Promise<void> {
    this.#sessions.set(tenant, this.#schema.parse(session));
  }

  async withRefreshLock<T>(tenant: string, fn: () => Promise<T>): Promise<T> {
    const previous = this.#locks.get(tenant) ?? Promise.resolve();
    const run = previous.then(fn, fn);
    this.#locks.set(
      tenant,
      run.catch(() => undefined),
    );
    return run;
  }
}

/**
 * Longest a refresh may hold the lock, in milliseconds: the lock is not renewed, so every token call made
 * under it must give up well before this (a hung call past it would let a second process refresh too).
 */
export const REFRESH_LOCK_TTL_MS = 30_000;

const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;

export interface RedisSessionKeys {
  /** Key of the tenant's session, without the prefix, e.g. `sf:session:acme`. */
  session(tenant: string): string;
  /** Key of the tenant's single-flight refresh lock, without the prefix. */
  lock(tenant: string): string;
  /** What is refreshed, for the error when the lock is held too long, e.g. `Salesforce session`. */
  what: string;
}

/**
 * A session per tenant in Redis, sealed with AES-256-GCM when LEADBRIDGE_SECRET_KEY is set (plain JSON
 * otherwise, which start and doctor warn about), and a single-flight refresh lock (SET NX PX, released
 * only by its owner).
 */
export class RedisSessionStore<S> implements SessionStore<S> {
  readonly #redis: Redis;
  readonly #prefix: string;
  readonly #box: SecretBox | undefined;
  readonly #schema: z.ZodType<S>;
  readonly #keys: RedisSessionKeys;

  constructor(redis: Redis, prefix: string, schema: z.ZodType<S>, keys: RedisSessionKeys, box?: SecretBox) {
    this.#redis = redis;
    this.#prefix = prefix;
    this.#schema = schema;
    this.#keys = keys;
    this.#box = box;
  }

  async load(tenant: string): Promise<S | null> {
    const key = `${this.#prefix}${this.#keys.session(tenant)}`;
    const raw = await this.#redis.get(key);
    if (!raw) return null;
    // A sealed value needs the key; a plain one (stored before a key was set) is read once and sealed on
    // the next save.
    const text = SecretBox.isSealed(raw) ? (this.#box?.open(raw, key) ?? null) : raw;
    if (text === null) return null;
    try {
      const parsed = this.#schema.safeParse(JSON.parse(text));
      return parsed.success ? parsed.data : null;
    } catch {
      return null;
    }
  }

  async save(tenant: string, session: S): Promise<void> {
    const key = `${this.#prefix}${this.#keys.session(tenant)}`;
    const text = JSON.stringify(this.#schema.parse(session));
    await this.#redis.set(key, this.#box ? this.#box.seal(text, key) : text);
  }

  async withRefreshLock<T>(tenant: string, fn: () => Promise<T>, waitMs = 20_000): Promise<T> {
    const lock = `${this.#prefix}${this.#keys.lock(tenant)}`;
    const owner = randomBytes(12).toString('hex');
    const until = Date.now() + waitMs;
    while ((await this.#redis.set(lock, owner, 'PX', REFRESH_LOCK_TTL_MS, 'NX')) !== 'OK') {
      if (Date.now() > until)
        throw new Error(
          `another process has been refreshing the ${this.#keys.what} of ${tenant} for too long`,
        );
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    try {
      return await fn();
    } finally {
      await this.#redis.eval(RELEASE, 1, lock, owner).catch(() => undefined);
    }
  }
}
