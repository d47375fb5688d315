import type { Redis } from 'ioredis';
import type { AuditEntry } from './audit-entry.ts';
import { decodeAuditEntry, encodeAuditEntry } from './audit-codec.ts';
import { DEFAULT_STORE_PREFIX, tenantKey } from './keys.ts';
import type { LeadLink } from './lead-link.ts';
import type { LeadLinks } from './lead-links.ts';

export interface AuditTrailOptions {
  /** Key prefix (default `leadbridge:store`); tests pass their own. */
  prefix?: string;
  /** Entries kept per lead (default 500); older ones are trimmed on every append. */
  maxEntries?: number;
}

/**
 * A lead's trail, oldest first. Entries that no longer parse are listed by their position in what was read
 * (0 = oldest), never dropped silently.
 */
export interface AuditRead {
  entries: AuditEntry[];
  unreadable: Array<{ position: number; reason: string }>;
}

export interface Explanation extends AuditRead {
  link: LeadLink;
}

/**
 * Per lead, an append-only capped history of changes seen, decisions taken, patches written and
 * per-record errors: one Redis list of compact JSON entries per lead (`audit-codec.ts`; entries in the
 * earlier long form still read), `<prefix>:{tenant}:audit:<leadKey>`, appended with RPUSH and trimmed
 * with LTRIM to the last `maxEntries` in the same pipeline.
 *
 * Why a list, not a stream: measured on Redis 7 (see the store tests), a stream preallocates a whole
 * node (`stream-node-max-bytes`, 4 KB) for its first entry, so a lead with one entry costs about 4.7 KB
 * as a stream and 0.3 KB as a list, and 20 typical entries 4.7 KB against 3.7 KB; most leads have short
 * trails, and there are many leads. Streams' extras are not needed here: entries carry their own `at`,
 * nothing consumes the trail as a queue, and a list trims to the exact cap (`MAXLEN ~` would keep up to
 * 100 more). RPUSH order is Redis's arrival order, so entries from several workers still get one order.
 * https://redis.io/docs/latest/develop/data-types/lists/#capped-lists
 */
export class AuditTrail {
  readonly #redis: Redis;
  readonly #links: LeadLinks;
  readonly #prefix: string;
  readonly #maxEntries: number;

  constructor(redis: Redis, links: LeadLinks, options: AuditTrailOptions = {}) {
    this.#redis = redis;
    this.#links = links;
    this.#prefix = options.prefix ?? DEFAULT_STORE_PREFIX;
    this.#maxEntries = Math.max(1, options.maxEntries ?? 500);
  }

  key(tenant: string, leadKey: string): string {
    return tenantKey(this.#prefix, tenant, 'audit', leadKey);
  }

  /** Appends entries for many leads in one round trip (RPUSH and LTRIM per lead, pipelined). */
  async appendMany(tenant: string, items: Array<{ leadKey: string; entries: AuditEntry[] }>): Promise<void> {
    const pipeline = this.#redis.pipeline();
    let count = 0;
    for (const { leadKey, entries } of items) {
      if (entries.length === 0) continue;
      const key = this.key(tenant, leadKey);
      pipeline.rpush(key, ...entries.map(encodeAuditEntry));
      pipeline.ltrim(key, -this.#maxEntries, -1);
      count++;
    }
    if (count === 0) return;
    const replies = (await pipeline.exec()) ?? [];
    const failed = replies.find(([error]) => error);
    if (failed?.[0]) throw failed[0];
  }

  async append(tenant: string, leadKey: string, ...entries: AuditEntry[]): Promise<void> {
    await this.appendMany(tenant, [{ leadKey, entries }]);
  }

  /** The last `limit` entries (default and at most `maxEntries`), oldest first: one LRANGE. */
  async read(tenant: string, leadKey: string, limit = this.#maxEntries): Promise<AuditRead> {
    const count = Math.max(1, Math.min(limit, this.#maxEntries));
    const rows = await this.#redis.lrange(this.key(tenant, leadKey), -count, -1);
    const read: AuditRead = { entries: [], unreadable: [] };
    rows.forEach((raw, position) => {
      const decoded = decodeAuditEntry(raw);
      if ('entry' in decoded) read.entries.push(decoded.entry);
      else read.unreadable.push({ position, reason: decoded.reason });
    });
    return read;
  }

  /**
   * What `leadbridge explain <email or id>` prints: the lead a lead key, email, HubSpot or Salesforce id
   * (current or former) resolves to, with its trail oldest first; null when nothing matches.
   */
  async explain(tenant: string, query: string, limit?: number): Promise<Explanation | null> {
    const link = await this.#links.resolve(tenant, query);
    if (link === null) return null;
    return { link, ...(await this.read(tenant, link.leadKey, limit)) };
  }

  /** Entries stored for a lead. */
  async length(tenant: string, leadKey: string): Promise<number> {
    return this.#redis.llen(this.key(tenant, leadKey));
  }

  /** Forgets leads' trails (privacy deletion). */
  async delete(tenant: string, leadKeys: string[]): Promise<number> {
    if (leadKeys.length === 0) return 0;
    return this.#redis.del(...leadKeys.map((leadKey) => this.key(tenant, leadKey)));
  }
}
