import type { Redis } from 'ioredis';
import { PermanentError } from '../errors/permanent-error.ts';
import type { HashFieldChange } from './hash-cas.ts';
import { LeadKey } from './lead-key.ts';
import type { LeadLink, LinkIndex } from './lead-link.ts';
import { decodeLink, encodeLink } from './link-codec.ts';

/** The four hashes of one tenant's link table. */
export interface LinkKeys {
  links: string;
  hubspot: string;
  salesforce: string;
  email: string;
}

/** A link record or index entry that no longer parses; reported, never silently treated as absent. */
export interface CorruptRecord {
  key: string;
  field: string;
  reason: string;
}

export class CorruptLinkError extends PermanentError {
  constructor(record: CorruptRecord) {
    super(`link table entry ${record.key} ${record.field} is unreadable: ${record.reason}`, 'STORE_CORRUPT');
    this.name = 'CorruptLinkError';
  }
}

/** The stored link, or a description of why it does not parse. */
export function parseLink(key: string, field: string, raw: string): LeadLink | CorruptRecord {
  const decoded = decodeLink(raw, field);
  if ('reason' in decoded) return { key, field, reason: decoded.reason };
  if (decoded.link.leadKey !== field) return { key, field, reason: `holds lead ${decoded.link.leadKey}` };
  return decoded.link;
}

export function parseIndexEntry(key: string, field: string, raw: string): string | CorruptRecord {
  return LeadKey.safeParse(raw).success ? raw : { key, field, reason: 'not a lead key' };
}

export function isCorrupt(value: unknown): value is CorruptRecord {
  return typeof value === 'object' && value !== null && 'reason' in value && !('leadKey' in value);
}

/**
 * What one link-table mutation has read and what it means to write, for an optimistic transaction: every
 * field read becomes an expectation and every write a change, applied by one compare-and-set script, so
 * a concurrent writer makes the whole plan retry instead of being overwritten. Plans read in a few
 * batched round trips (indexes, then the links they point to), then decide in memory.
 */
export class LinkView {
  readonly keys: LinkKeys;
  readonly #redis: Redis;
  readonly #read = new Map<string, string | null>();
  readonly #written = new Map<string, string | null>();

  constructor(redis: Redis, keys: LinkKeys) {
    this.#redis = redis;
    this.keys = keys;
  }

  static #slot(key: string, field: string): string {
    return `${key}\u0000${field}`;
  }

  /** Reads the given fields not read yet, one HMGET per hash, in one round trip. */
  async load(wanted: Array<{ key: string; fields: Array<string | null | undefined> }>): Promise<void> {
    const batches = wanted
      .map(({ key, fields }) => ({
        key,
        fields: [...new Set(fields)].filter(
          (field): field is string =>
            typeof field === 'string' && !this.#read.has(LinkView.#slot(key, field)),
        ),
      }))
      .filter((batch) => batch.fields.length > 0);
    if (batches.length === 0) return;
    const pipeline = this.#redis.pipeline();
    for (const batch of batches) pipeline.hmget(batch.key, ...batch.fields);
    const replies = (await pipeline.exec()) ?? [];
    batches.forEach((batch, i) => {
      const [error, values] = replies[i] ?? [new Error('no reply'), null];
      if (error) throw error;
      batch.fields.forEach((field, j) => {
        this.#read.set(LinkView.#slot(batch.key, field), (values as Array<string | null>)[j] ?? null);
      });
    });
  }

  async loadIndex(index: LinkIndex, ids: Array<string | null | undefined>): Promise<void> {
    await this.load([{ key: this.keys[index], fields: ids }]);
  }

  async loadLinks(leadKeys: Array<string | null | undefined>): Promise<void> {
    await this.load([{ key: this.keys.links, fields: leadKeys }]);
  }

  #get(key: string, field: string): string | null {
    const slot = LinkView.#slot(key, field);
    if (this.#written.has(slot)) return this.#written.get(slot) ?? null;
    if (!this.#read.has(slot)) throw new Error(`link view: ${key} ${field} read before it was loaded`);
    return this.#read.get(slot) ?? null;
  }

  #set(key: string, field: string, value: string | null): void {
    this.#written.set(LinkView.#slot(key, field), value);
  }

  /** The lead key an id resolves to; throws `CorruptLinkError` when the entry is not a lead key. */
  index(index: LinkIndex, id: string): string | null {
    const raw = this.#get(this.keys[index], id);
    if (raw === null) return null;
    const parsed = parseIndexEntry(this.keys[index], id, raw);
    if (isCorrupt(parsed)) throw new CorruptLinkError(parsed);
    return parsed;
  }

  setIndex(index: LinkIndex, id: string, leadKey: string | null): void {
    this.#set(this.keys[index], id, leadKey);
  }

  /** A copy of the link, safe to modify and `put` back. */
  link(leadKey: string): LeadLink | null {
    const raw = this.#get(this.keys.links, leadKey);
    if (raw === null) return null;
    const parsed = parseLink(this.keys.links, leadKey, raw);
    if (isCorrupt(parsed)) throw new CorruptLinkError(parsed);
    return parsed;
  }

  put(link: LeadLink): void {
    this.#set(this.keys.links, link.leadKey, encodeLink(link));
  }

  /** Expectations for everything read, changes for everything written. */
  changes(): HashFieldChange[] {
    const slots = new Set([...this.#read.keys(), ...this.#written.keys()]);
    return [...slots].map((slot) => {
      const [key = '', field = ''] = slot.split('\u0000');
      const change: HashFieldChange = { key, field };
      if (this.#read.has(slot)) change.expect = this.#read.get(slot) ?? null;
      if (this.#written.has(slot)) change.set = this.#written.get(slot) ?? null;
      return change;
    });
  }
}
