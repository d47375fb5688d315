import type { Redis } from 'ioredis';
import { z } from 'zod';
import type { SystemName } from '../domain/lead.ts';
import { PollCursor } from '../domain/poll-cursor.ts';
import { DEFAULT_STORE_PREFIX, tenantKey } from './keys.ts';

/** Where a backfill got to, so `leadbridge backfill` resumes instead of starting over. */
export const BackfillCheckpoint = z.object({
  /** Position after the last page whose records were enqueued; null before the first page. */
  cursor: PollCursor.nullable(),
  /** HubSpot list endpoint's page token after the last reconciled page (HubSpot pages by token, not keyset). */
  after: z.string().nullable().optional(),
  /** Records enqueued so far. */
  processed: z.number().int().nonnegative(),
  /** ISO-8601 instants. */
  startedAt: z.string(),
  updatedAt: z.string(),
  done: z.boolean(),
});
export type BackfillCheckpoint = z.infer<typeof BackfillCheckpoint>;

function parseJson<T>(schema: z.ZodType<T>, raw: string | null): T | null {
  if (raw === null) return null;
  try {
    const parsed = schema.safeParse(JSON.parse(raw));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

export interface CursorStoreOptions {
  /** Key prefix (default `leadbridge:store`); tests pass their own. */
  prefix?: string;
}

/**
 * Poller cursors and backfill checkpoints per tenant and system, in two hashes per tenant
 * (`<prefix>:{tenant}:cursors`, `<prefix>:{tenant}:backfill`, field = system).
 *
 * The contract, which the store cannot enforce and the poll job must keep: store a page's `next` cursor
 * only after every record of that page is safely enqueued (the `addBulk` has resolved). A crash in
 * between then re-polls the page, and the ingest queue's deterministic job ids drop the repeats; storing
 * first would lose the page. An unreadable stored cursor reads as null, which pollers take as "from the
 * start of the overlap window": some records are read again, none is skipped. An unreadable checkpoint
 * reads as null too: the backfill starts over, which is safe because every write is an upsert.
 */
export class CursorStore {
  readonly #redis: Redis;
  readonly #prefix: string;

  constructor(redis: Redis, options: CursorStoreOptions = {}) {
    this.#redis = redis;
    this.#prefix = options.prefix ?? DEFAULT_STORE_PREFIX;
  }

  #key(tenant: string, name: 'cursors' | 'backfill'): string {
    return tenantKey(this.#prefix, tenant, name);
  }

  async getCursor(tenant: string, system: SystemName): Promise<PollCursor | null> {
    return parseJson(PollCursor, await this.#redis.hget(this.#key(tenant, 'cursors'), system));
  }

  /** Stores the cursor after the page it covers was enqueued; null forgets it (poll from the overlap window). */
  async setCursor(tenant: string, system: SystemName, cursor: PollCursor | null): Promise<void> {
    const key = this.#key(tenant, 'cursors');
    if (cursor === null) await this.#redis.hdel(key, system);
    else await this.#redis.hset(key, system, JSON.stringify(PollCursor.parse(cursor)));
  }

  async getBackfill(tenant: string, system: SystemName): Promise<BackfillCheckpoint | null> {
    return parseJson(BackfillCheckpoint, await this.#redis.hget(this.#key(tenant, 'backfill'), system));
  }

  /** Stores the checkpoint after the page it covers was enqueued, like `setCursor`. */
  async setBackfill(tenant: string, system: SystemName, checkpoint: BackfillCheckpoint): Promise<void> {
    const value = JSON.stringify(BackfillCheckpoint.parse(checkpoint));
    await this.#redis.hset(this.#key(tenant, 'backfill'), system, value);
  }

  /** Forgets the checkpoint, so the next backfill starts from the beginning. */
  async clearBackfill(tenant: string, system: SystemName): Promise<void> {
    await this.#redis.hdel(this.#key(tenant, 'backfill'), system);
  }
}
