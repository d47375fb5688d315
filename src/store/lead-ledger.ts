import type { Redis } from 'ioredis';
import type { LedgerEntry } from '../domain/ledger-entry.ts';
import { decodeLedgerEntry } from './ledger-codec.ts';
import { DEFAULT_STORE_PREFIX, tenantKey } from './keys.ts';
import { LuaScript } from './lua-script.ts';

/** Every key's whole list (LRANGE 0 -1), in KEYS order: one command for a chunk of leads. */
const READ_SCRIPT = new LuaScript(`
local out = {}
for i, key in ipairs(KEYS) do out[i] = redis.call('LRANGE', key, 0, -1) end
return out
`);

/**
 * Leads whose ledgers one script call reads. A pipeline of one LRANGE per lead cost the client about
 * 6 us of CPU per lead (a command object, a promise, a reply each); one call per chunk costs 0.5 us. The
 * chunk bounds how long one call holds Redis (other clients wait while a script runs).
 */
const READ_CHUNK = 1_000;

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
 * ledger never holds a decision whose state write lost the race. Reads are one script call per
 * {@link READ_CHUNK} leads (every key carries the tenant's hash tag, so a cluster serves them in one slot).
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

  /** Every lead's whole ledger, in input order, one script call per {@link READ_CHUNK} leads. */
  async readMany(tenant: string, leadKeys: string[]): Promise<StoredLedger[]> {
    if (leadKeys.length === 0) return [];
    const lists: string[][] = [];
    for (let start = 0; start < leadKeys.length; start += READ_CHUNK) {
      const keys = leadKeys.slice(start, start + READ_CHUNK).map((leadKey) => this.key(tenant, leadKey));
      lists.push(...((await READ_SCRIPT.run(this.#redis, keys, [])) as string[][]));
    }
    return leadKeys.map((leadKey, i) => {
      const entries: LedgerEntry[] = [];
      let corrupt = 0;
      for (const raw of lists[i] ?? []) {
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
