import type { Redis } from 'ioredis';
import { z } from 'zod';
import { DEFAULT_STORE_PREFIX, tenantKey } from './keys.ts';

/** A write the system refused for the record itself, kept so it is not sent again unchanged. */
export const ParkedWrite = z.object({
  /** What the refused write depended on: the patch, both records' last-modified stamps, the config. */
  fingerprint: z.string(),
  code: z.string(),
  message: z.string(),
  /** ISO-8601 instant it was parked. */
  at: z.string(),
});
export type ParkedWrite = z.infer<typeof ParkedWrite>;

export interface ParkedWritesOptions {
  /** Key prefix (default `leadbridge:store`); tests pass their own. */
  prefix?: string;
}

/**
 * Writes refused permanently, per tenant (`<prefix>:{tenant}:parked`, field `<leadKey>|<system>`).
 * A parked write is not sent again while its fingerprint holds; a change to either record or to the
 * config gives another fingerprint, and the write is tried again.
 */
export class ParkedWrites {
  readonly #redis: Redis;
  readonly #prefix: string;

  constructor(redis: Redis, options: ParkedWritesOptions = {}) {
    this.#redis = redis;
    this.#prefix = options.prefix ?? DEFAULT_STORE_PREFIX;
  }

  key(tenant: string): string {
    return tenantKey(this.#prefix, tenant, 'parked');
  }

  async getMany(tenant: string, fields: string[]): Promise<Map<string, ParkedWrite>> {
    const found = new Map<string, ParkedWrite>();
    if (fields.length === 0) return found;
    const raw = await this.#redis.hmget(this.key(tenant), ...fields);
    raw.forEach((value, i) => {
      if (value === null) return;
      try {
        const parsed = ParkedWrite.safeParse(JSON.parse(value));
        if (parsed.success) found.set(fields[i] as string, parsed.data);
      } catch {
        // An unreadable entry parks nothing: the write is tried again.
      }
    });
    return found;
  }

  async park(tenant: string, entries: Array<{ field: string; parked: ParkedWrite }>): Promise<void> {
    if (entries.length === 0) return;
    await this.#redis.hset(
      this.key(tenant),
      ...entries.flatMap((entry) => [entry.field, JSON.stringify(entry.parked)]),
    );
  }

  async clear(tenant: string, fields: string[]): Promise<void> {
    if (fields.length === 0) return;
    await this.#redis.hdel(this.key(tenant), ...fields);
  }

  /** Every parked write of the tenant (for status and report). */
  async list(tenant: string): Promise<Array<{ field: string; parked: ParkedWrite }>> {
    const all = await this.#redis.hgetall(this.key(tenant));
    return Object.entries(all).flatMap(([field, value]) => {
      try {
        const parsed = ParkedWrite.safeParse(JSON.parse(value));
        return parsed.success ? [{ field, parked: parsed.data }] : [];
      } catch {
        return [];
      }
    });
  }
}
