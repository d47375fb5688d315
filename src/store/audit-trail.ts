import type { Redis } from 'ioredis';
import { AuditEntry, type StoredAuditEntry } from './audit-entry.ts';
import { DEFAULT_STORE_PREFIX, tenantKey } from './keys.ts';
import type { LeadLink } from './lead-link.ts';
import type { LeadLinks } from './lead-links.ts';

export interface AuditTrailOptions {
  /** Key prefix (default `leadbridge:store`); tests pass their own. */
  prefix?: string;
  /** Entries kept per lead (default 500); readers see exactly the last this many. */
  maxEntries?: number;
}

/** A lead's trail, oldest first; entries that no longer parse are listed by id, not dropped silently. */
export interface AuditRead {
  entries: StoredAuditEntry[];
  unreadable: Array<{ id: string; reason: string }>;
}

export interface Explanation extends AuditRead {
  link: LeadLink;
}

/** The one field of every stream entry: the entry as JSON. */
const FIELD = 'e';

function fieldValue(fields: string[], name: string): string | undefined {
  for (let i = 0; i + 1 < fields.length; i += 2) if (fields[i] === name) return fields[i + 1];
  return undefined;
}

/**
 * Per lead, an append-only capped history of changes seen, decisions taken, patches written and
 * per-record errors: one Redis Stream per lead, `<prefix>:{tenant}:audit:<leadKey>`.
 *
 * Why a stream, not a list: XADD is append-only by construction and stamps each entry with a Redis-time
 * id, so entries from several workers get one order and a time; `MAXLEN ~` trims whole internal nodes,
 * which is cheap (an exact trim would rewrite a node on every append); and entries are packed in
 * listpacks with delta-encoded ids and the field name stored once per node. The approximate trim lets a
 * stream hold up to `stream-node-max-entries` (100 by default) more than the cap, so readers take the last
 * `maxEntries` with XREVRANGE ... COUNT: what they see is capped exactly.
 * https://redis.io/docs/latest/commands/xadd/#capped-streams
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
    this.#maxEntries = options.maxEntries ?? 500;
  }

  key(tenant: string, leadKey: string): string {
    return tenantKey(this.#prefix, tenant, 'audit', leadKey);
  }

  /** Appends entries for many leads in one round trip (a pipeline of XADDs). */
  async appendMany(tenant: string, items: Array<{ leadKey: string; entries: AuditEntry[] }>): Promise<void> {
    const pipeline = this.#redis.pipeline();
    let count = 0;
    for (const { leadKey, entries } of items) {
      const key = this.key(tenant, leadKey);
      for (const entry of entries) {
        const value = JSON.stringify(AuditEntry.parse(entry));
        pipeline.xadd(key, 'MAXLEN', '~', String(this.#maxEntries), '*', FIELD, value);
        count++;
      }
    }
    if (count === 0) return;
    const replies = (await pipeline.exec()) ?? [];
    const failed = replies.find(([error]) => error);
    if (failed?.[0]) throw failed[0];
  }

  async append(tenant: string, leadKey: string, ...entries: AuditEntry[]): Promise<void> {
    await this.appendMany(tenant, [{ leadKey, entries }]);
  }

  /** The last `maxEntries` entries (or fewer, with `limit`), oldest first. */
  async read(tenant: string, leadKey: string, limit = this.#maxEntries): Promise<AuditRead> {
    const count = Math.max(1, Math.min(limit, this.#maxEntries));
    const rows = await this.#redis.xrevrange(this.key(tenant, leadKey), '+', '-', 'COUNT', count);
    const read: AuditRead = { entries: [], unreadable: [] };
    for (const [id, fields] of rows.reverse()) {
      let json: unknown;
      try {
        json = JSON.parse(fieldValue(fields, FIELD) ?? '');
      } catch {
        read.unreadable.push({ id, reason: 'not JSON' });
        continue;
      }
      const parsed = AuditEntry.safeParse(json);
      if (parsed.success) read.entries.push({ ...parsed.data, id });
      else read.unreadable.push({ id, reason: parsed.error.issues[0]?.message ?? 'invalid entry' });
    }
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

  /** Entries stored for a lead, including any beyond the cap that the approximate trim still keeps. */
  async storedLength(tenant: string, leadKey: string): Promise<number> {
    return this.#redis.xlen(this.key(tenant, leadKey));
  }

  /** Forgets leads' trails (privacy deletion). */
  async delete(tenant: string, leadKeys: string[]): Promise<number> {
    if (leadKeys.length === 0) return 0;
    return this.#redis.del(...leadKeys.map((leadKey) => this.key(tenant, leadKey)));
  }
}
