import type { Redis } from 'ioredis';
import type { LedgerEntry } from '../domain/ledger-entry.ts';
import { decodeLedgerEntry } from './ledger-codec.ts';
import { DEFAULT_STORE_PREFIX, tenantKey } from './keys.ts';

export interface StoredLedger {
  leadKey: string;
  entries: LedgerEntry[];
  /** Stored entries that did not decode (skipped; the fold goes on without them). */
  corrupt: number;
}

export interface LeadLedgerOptions {
  /** Key prefix (default `leadbridge:store`); tests pass their own. */
  prefix?: string;
}

/**
 * Each lead's lifecycle ledger: an append-only Redis list per tenant and lead,
 * `<prefix>:{tenant}:ledger:<leadKey>`, one compact entry per element, oldest first. Appends happen only
 * together with the lead's sync-state compare-and-set (`SyncState.writeMany`), in one script, so a
 * ledger never holds a decision whose state write lost the race. Reads are one pipeline per batch.
 */
export class LeadLedger {
  readonly #redis: Redis;
  readonly #prefix: string;

  constructor(redis: Redis, options: LeadLedgerOptions = {}) {
    this.#redis = redis;
    this.#prefix = options.prefix ?? DEFAULT_STORE_PREFIX;
  }

  key(tenant: string, leadKey: string): string {
    return tenantKey(this.#prefix, tenant, 'ledger', leadKey);
  }

  /** Every lead's whole ledger, in input order, one pipeline. */
  async readMany(tenant: string, leadKeys: string[]): Promise<StoredLedger[]> {
    if (leadKeys.length === 0) return [];
    const pipeline = this.#redis.pipeline();
    for (const leadKey of leadKeys) pipeline.lrange(this.key(tenant, leadKey), 0, -1);
    const replies = (await pipeline.exec()) ?? [];
    return leadKeys.map((leadKey, i) => {
      const [error, raws] = replies[i] ?? [null, []];
      if (error) throw error;
      const entries: LedgerEntry[] = [];
      let corrupt = 0;
      for (const raw of (raws as string[]) ?? []) {
        const entry = decodeLedgerEntry(raw);
        if (entry) entries.push(entry);
        else corrupt += 1;
      }
      return { leadKey, entries, corrupt };
    });
  }

  async read(tenant: string, leadKey: string): Promise<StoredLedger> {
    const [ledger] = await this.readMany(tenant, [leadKey]);
    return ledger ?? { leadKey, entries: [], corrupt: 0 };
  }

  /** Forgets leads' ledgers (privacy deletion of every side). */
  async delete(tenant: string, leadKeys: string[]): Promise<number> {
    if (leadKeys.length === 0) return 0;
    return this.#redis.del(...leadKeys.map((leadKey) => this.key(tenant, leadKey)));
  }
}
