import type { Redis } from 'ioredis';
import { RetryableError } from '../errors/retryable-error.ts';
import { compareAndSetHashes } from './hash-cas.ts';
import { isLeadKey } from './lead-key.ts';
import { normalizeEmail, type LeadLink, type LinkIndex } from './lead-link.ts';
import {
  loadForConversion,
  loadForLinks,
  loadForMerge,
  loadForRetire,
  planConversion,
  planLink,
  planMerge,
  planRetire,
  type LinkInput,
  type LinkOutcome,
  type MergeOutcome,
  type RetireReason,
} from './link-plans.ts';
import {
  CorruptLinkError,
  isCorrupt,
  LinkView,
  parseIndexEntry,
  parseLink,
  type CorruptRecord,
  type LinkKeys,
} from './link-view.ts';
import { DEFAULT_STORE_PREFIX, tenantKey } from './keys.ts';
import { loadForSalesforceMerge, planSalesforceMerge } from './salesforce-merge-plan.ts';
import { emailHash, Tombstone } from './tombstone.ts';

export interface LeadLinksOptions {
  /** Key prefix (default `leadbridge:store`); tests pass their own. */
  prefix?: string;
  /** Attempts of an optimistic update before it gives up with a RetryableError (default 8). */
  maxAttempts?: number;
}

/** Links found in one batch lookup, keyed by the id asked for; unreadable entries are listed, not hidden. */
export interface LinkLookup {
  found: Map<string, LeadLink>;
  corrupt: CorruptRecord[];
}

/**
 * The link table of each tenant: LeadBridge's lead key <-> HubSpot contact id <-> Salesforce Lead id (and
 * Contact id once converted), with an email index. Four hashes per tenant: `links` (lead key -> JSON),
 * `by-hubspot`, `by-salesforce` and `by-email` (id -> lead key). Batch reads are one or two commands
 * whatever the batch size; every mutation is an optimistic transaction (read, plan, compare-and-set in
 * Lua), so a link and its index entries always change together and concurrent workers never lose a write.
 */
export class LeadLinks {
  readonly #redis: Redis;
  readonly #prefix: string;
  readonly #maxAttempts: number;

  constructor(redis: Redis, options: LeadLinksOptions = {}) {
    this.#redis = redis;
    this.#prefix = options.prefix ?? DEFAULT_STORE_PREFIX;
    this.#maxAttempts = options.maxAttempts ?? 8;
  }

  keys(tenant: string): LinkKeys {
    const key = (name: string) => tenantKey(this.#prefix, tenant, name);
    return {
      links: key('links'),
      hubspot: key('by-hubspot'),
      salesforce: key('by-salesforce'),
      email: key('by-email'),
    };
  }

  /** `<prefix>:{tenant}:tombstones`: email hash -> {@link Tombstone}. */
  tombstonesKey(tenant: string): string {
    return tenantKey(this.#prefix, tenant, 'tombstones');
  }

  /** The tombstones of these emails (by their hash), keyed by the email as given. */
  async tombstonesFor(tenant: string, emails: string[]): Promise<Map<string, Tombstone>> {
    const found = new Map<string, Tombstone>();
    const unique = [...new Set(emails)];
    if (unique.length === 0) return found;
    const raw = await this.#redis.hmget(this.tombstonesKey(tenant), ...unique.map(emailHash));
    raw.forEach((value, i) => {
      if (value === null) return;
      try {
        const parsed = Tombstone.safeParse(JSON.parse(value));
        if (parsed.success) found.set(unique[i] as string, parsed.data);
      } catch {
        // unreadable: treated as no tombstone
      }
    });
    return found;
  }

  /** The tombstone under a hash, for `explain` of a forgotten person. */
  async tombstoneByHash(tenant: string, hash: string): Promise<Tombstone | null> {
    const raw = await this.#redis.hget(this.tombstonesKey(tenant), hash);
    if (raw === null) return null;
    try {
      const parsed = Tombstone.safeParse(JSON.parse(raw));
      return parsed.success ? parsed.data : null;
    } catch {
      return null;
    }
  }

  /** Notes on an email's tombstone that LeadBridge deleted the other side's record too (`onDelete: propagate`). */
  async markPropagated(tenant: string, email: string): Promise<void> {
    const existing = (await this.tombstonesFor(tenant, [email])).get(email);
    if (!existing || existing.propagated) return;
    const tombstone: Tombstone = { ...existing, propagated: true };
    await this.#redis.hset(this.tombstonesKey(tenant), emailHash(email), JSON.stringify(tombstone));
  }

  /** A restored record lifts its plain-deletion tombstone; a privacy deletion's stays. */
  async liftTombstone(tenant: string, email: string): Promise<void> {
    const existing = (await this.tombstonesFor(tenant, [email])).get(email);
    if (existing?.reason === 'deleted') await this.#redis.hdel(this.tombstonesKey(tenant), emailHash(email));
  }

  /** Links by lead key: one HMGET. */
  async getMany(tenant: string, leadKeys: string[]): Promise<LinkLookup> {
    const lookup: LinkLookup = { found: new Map(), corrupt: [] };
    if (leadKeys.length === 0) return lookup;
    const key = this.keys(tenant).links;
    const raws = await this.#redis.hmget(key, ...leadKeys);
    leadKeys.forEach((leadKey, i) => {
      const raw = raws[i];
      if (raw === null || raw === undefined) return;
      const parsed = parseLink(key, leadKey, raw);
      if (isCorrupt(parsed)) lookup.corrupt.push(parsed);
      else lookup.found.set(leadKey, parsed);
    });
    return lookup;
  }

  /** One link; throws `CorruptLinkError` (a PermanentError) when it is unreadable. */
  async get(tenant: string, leadKey: string): Promise<LeadLink | null> {
    const { found, corrupt } = await this.getMany(tenant, [leadKey]);
    if (corrupt[0]) throw new CorruptLinkError(corrupt[0]);
    return found.get(leadKey) ?? null;
  }

  /**
   * Links by HubSpot contact id, Salesforce Lead/Contact id or email, keyed by the id asked for: two
   * HMGETs (index, then links). A former id (merged away, deleted, converted Lead) still finds its lead;
   * `currentSide` tells whether it is still in a slot.
   */
  async findMany(tenant: string, index: LinkIndex, ids: string[]): Promise<LinkLookup> {
    const keys = this.keys(tenant);
    const asked = index === 'email' ? ids.map(normalizeEmail) : ids;
    const lookup: LinkLookup = { found: new Map(), corrupt: [] };
    if (asked.length === 0) return lookup;
    const owners = await this.#redis.hmget(keys[index], ...asked);
    const leadKeys = new Map<string, string>();
    ids.forEach((id, i) => {
      const raw = owners[i];
      if (raw === null || raw === undefined) return;
      const parsed = parseIndexEntry(keys[index], asked[i] ?? id, raw);
      if (isCorrupt(parsed)) lookup.corrupt.push(parsed);
      else leadKeys.set(id, parsed);
    });
    const links = await this.getMany(tenant, [...new Set(leadKeys.values())]);
    lookup.corrupt.push(...links.corrupt);
    for (const [id, leadKey] of leadKeys) {
      const link = links.found.get(leadKey);
      if (link) lookup.found.set(id, link);
    }
    return lookup;
  }

  async find(tenant: string, index: LinkIndex, id: string): Promise<LeadLink | null> {
    const { found, corrupt } = await this.findMany(tenant, index, [id]);
    if (corrupt[0]) throw new CorruptLinkError(corrupt[0]);
    return found.get(id) ?? null;
  }

  /**
   * The lead a person typed about: a lead key (`lb_...`), an email (has `@`), or a HubSpot or Salesforce id
   * (current or former). HubSpot ids are digits and Salesforce ids are not, but both indexes are tried.
   */
  async resolve(tenant: string, query: string): Promise<LeadLink | null> {
    const text = query.trim();
    if (isLeadKey(text)) return this.get(tenant, text);
    if (text.includes('@')) return this.find(tenant, 'email', text);
    return (await this.find(tenant, 'hubspot', text)) ?? this.find(tenant, 'salesforce', text);
  }

  /** Links records as one lead, creating the lead when none of the ids is linked yet. */
  async link(tenant: string, input: LinkInput, now: Date): Promise<LinkOutcome> {
    const [outcome] = await this.linkMany(tenant, [input], now);
    if (!outcome) throw new Error('linkMany returned no outcome');
    return outcome;
  }

  /**
   * Links a batch (e.g. the records a write just created) in three reads and one compare-and-set,
   * whatever its size; outcomes in input order, a conflict on one input leaving the others applied.
   */
  async linkMany(tenant: string, inputs: LinkInput[], now: Date): Promise<LinkOutcome[]> {
    return this.#transact(tenant, async (view) => {
      await loadForLinks(view, inputs);
      return inputs.map((input) => planLink(view, input, now));
    });
  }

  /** A HubSpot contact merge (`contact.merge`): every loser id now resolves to the winner's lead. */
  async applyHubSpotMerge(
    tenant: string,
    winnerId: string,
    loserIds: string[],
    now: Date,
  ): Promise<MergeOutcome> {
    return this.#transact(tenant, async (view) => {
      await loadForMerge(view, winnerId, loserIds);
      return planMerge(view, winnerId, loserIds, now);
    });
  }

  /**
   * A Salesforce Lead merge (losers deleted with `MasterRecordId`): every loser id now resolves to the
   * master's lead, and the master is its Lead.
   */
  async applySalesforceMerge(
    tenant: string,
    masterId: string,
    loserIds: string[],
    now: Date,
  ): Promise<MergeOutcome> {
    return this.#transact(tenant, async (view) => {
      await loadForSalesforceMerge(view, masterId, loserIds);
      return planSalesforceMerge(view, masterId, loserIds, now);
    });
  }

  /** A Salesforce Lead conversion: the Contact joins the link, the Lead id stays resolvable. */
  async recordConversion(tenant: string, leadId: string, contactId: string, now: Date): Promise<LinkOutcome> {
    return this.#transact(tenant, async (view) => {
      await loadForConversion(view, leadId, contactId);
      return planConversion(view, leadId, contactId, now);
    });
  }

  /** A record was deleted (or privacy-deleted) in its system; returns the lead it belonged to, if any. */
  async retire(
    tenant: string,
    index: 'hubspot' | 'salesforce',
    id: string,
    reason: RetireReason,
    now: Date,
    /** Set when LeadBridge deleted the record itself, following a deletion in this other system. */
    propagatedFrom?: 'hubspot' | 'salesforce',
  ): Promise<LeadLink | null> {
    let email: string | null = null;
    const link = await this.#transact(tenant, async (view) => {
      await loadForRetire(view, index, id);
      const leadKey = view.index(index, id);
      const current = leadKey === null ? null : view.link(leadKey);
      // Only the record the lead links leaves a tombstone: a deleted duplicate or merged-away id does not.
      const held =
        current !== null && [current.hubspot, current.salesforceLead, current.salesforceContact].includes(id);
      email = held ? (current?.email ?? null) : null;
      return planRetire(view, index, id, reason, now, propagatedFrom !== undefined);
    });
    // The retired link leaves a tombstone, so no pass re-creates the record from the other side.
    if (link !== null && email !== null) {
      const tombstone: Tombstone = propagatedFrom
        ? { reason, system: propagatedFrom, at: now.toISOString(), propagated: true }
        : { reason, system: index, at: now.toISOString() };
      const key = this.tombstonesKey(tenant);
      const previous = await this.#redis.hget(key, emailHash(email));
      // A privacy deletion is never downgraded to a plain one.
      if (previous === null || !previous.includes('"privacy_deleted"') || reason === 'privacy_deleted')
        await this.#redis.hset(key, emailHash(email), JSON.stringify(tombstone));
    }
    return link;
  }

  /** Read, plan, compare-and-set; on a concurrent change, again from a fresh read. */
  async #transact<T>(tenant: string, plan: (view: LinkView) => Promise<T>): Promise<T> {
    const keys = this.keys(tenant);
    for (let attempt = 1; attempt <= this.#maxAttempts; attempt++) {
      const view = new LinkView(this.#redis, keys);
      const result = await plan(view);
      if (await compareAndSetHashes(this.#redis, view.changes())) return result;
    }
    throw new RetryableError(`link table of ${tenant}: still contended after ${this.#maxAttempts} attempts`);
  }
}
