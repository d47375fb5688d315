import type { Redis } from 'ioredis';
import { z } from 'zod';
import { DEFAULT_STORE_PREFIX, tenantKey } from './keys.ts';

/** Where a tenant's Webhooks Journal reading got to. */
export const JournalPosition = z.object({
  /** Offset of the last journal file whose events are on the ingest queue. */
  offset: z.string().min(1),
  /** ISO-8601 instant it was stored. */
  updatedAt: z.string(),
  /** ISO-8601 instant of the last poll-based catch-up (the stored offset had left the retention). */
  lastCatchUpAt: z.string().optional(),
});
export type JournalPosition = z.infer<typeof JournalPosition>;

/**
 * Journal offsets per tenant (`<prefix>:{tenant}:journal`). Same contract as poll cursors: an offset is
 * stored only after the events of the file it names are safely enqueued, so a crash re-reads the file and
 * the ingest queue's deterministic job ids drop the repeats. An unreadable value reads as null (start from
 * the earliest file the journal keeps: events read twice, none lost).
 */
export class JournalOffsetStore {
  readonly #redis: Redis;
  readonly #prefix: string;

  constructor(redis: Redis, options: { prefix?: string } = {}) {
    this.#redis = redis;
    this.#prefix = options.prefix ?? DEFAULT_STORE_PREFIX;
  }

  #key(tenant: string): string {
    return tenantKey(this.#prefix, tenant, 'journal');
  }

  async get(tenant: string): Promise<JournalPosition | null> {
    const raw = await this.#redis.get(this.#key(tenant));
    if (raw === null) return null;
    try {
      const parsed = JournalPosition.safeParse(JSON.parse(raw));
      return parsed.success ? parsed.data : null;
    } catch {
      return null;
    }
  }

  async set(tenant: string, position: JournalPosition): Promise<void> {
    await this.#redis.set(this.#key(tenant), JSON.stringify(JournalPosition.parse(position)));
  }

  /** Forgets the offset: the next pass starts from the earliest file. */
  async clear(tenant: string): Promise<void> {
    await this.#redis.del(this.#key(tenant));
  }
}
