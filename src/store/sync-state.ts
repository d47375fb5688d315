import type { Redis } from 'ioredis';
import type { LedgerEntry } from '../domain/ledger-entry.ts';
import { RetryableError } from '../errors/retryable-error.ts';
import { DEFAULT_STORE_PREFIX, tenantKey } from './keys.ts';
import { encodeLedgerEntry } from './ledger-codec.ts';
import { LEDGER_LEADS, REPORTED } from './ledger-leads.ts';
import { LuaScript } from './lua-script.ts';
import { decodeSyncState, encodeSyncState } from './state-codec.ts';
import type { LeadSyncState } from './sync-state-schema.ts';

export { LeadSyncState, StoredDecision } from './sync-state-schema.ts';

/**
 * A lead's state with the version it was read at. Version 0: never synced. `state` null with `corrupt`
 * set: the stored value does not parse; the engine then reconciles as on a first sync (null base: both
 * sides' values count as changes, ownership decides), and its write replaces the bad value.
 */
export interface VersionedState {
  leadKey: string;
  version: number;
  state: LeadSyncState | null;
  corrupt?: string;
}

export interface StateWrite {
  leadKey: string;
  /** The version this state was computed from (what `readMany` returned). */
  expectedVersion: number;
  state: LeadSyncState;
  /** Ledger entries to append to the lead's ledger (see `LeadLedger`), only if the state write wins. */
  ledger?: LedgerEntry[];
}

export type StateWriteResult =
  { leadKey: string; ok: true; version: number } | { leadKey: string; ok: false; currentVersion: number };

/** Another worker reconciled these leads since they were read; re-read and reconcile them again. */
export class StateConflictError extends RetryableError {
  readonly leadKeys: string[];
  constructor(leadKeys: string[]) {
    super(
      `sync state changed concurrently for ${leadKeys.length} lead(s): ${leadKeys.slice(0, 5).join(', ')}`,
    );
    this.name = 'StateConflictError';
    this.leadKeys = leadKeys;
  }
}

/** Throws `StateConflictError` (retryable) when any write lost the race. */
export function throwOnConflict(results: StateWriteResult[]): void {
  const lost = results.filter((result) => !result.ok).map((result) => result.leadKey);
  if (lost.length > 0) throw new StateConflictError(lost);
}

/**
 * Per-lead compare-and-set over one hash, `<version>:<json>` per lead, appending the lead's new ledger
 * entries (KEYS[3..], one list per write, in order) only when its write wins; a lead with an entry flagged `1`
 * joins the tenant's ledger index (KEYS[2], the set of leads whose ledgers the report reads). ARGV per write: lead key,
 * expected version, state JSON, entry count, entries. A value without a version prefix counts as
 * version -1, so a writer that read it as corrupt may replace it. Returns (ok, version) pairs.
 */
const WRITE_SCRIPT = new LuaScript(`
local out = {}
local i = 1
local n = 3
while i <= #ARGV do
  local count = tonumber(ARGV[i + 3])
  local raw = redis.call('HGET', KEYS[1], ARGV[i])
  local current = 0
  if raw then current = tonumber(string.match(raw, '^(%d+):')) or -1 end
  if current == tonumber(ARGV[i + 1]) then
    local version = math.max(current, 0) + 1
    redis.call('HSET', KEYS[1], ARGV[i], version .. ':' .. ARGV[i + 2])
    for j = 1, count do
      local entry = string.sub(ARGV[i + 3 + j], 2)
      redis.call('RPUSH', KEYS[n], entry)
      if string.sub(ARGV[i + 3 + j], 1, 1) == '1' then
        redis.call('SADD', KEYS[2], ARGV[i])
      end
    end
    table.insert(out, 1)
    table.insert(out, version)
  else
    table.insert(out, 0)
    table.insert(out, current)
  end
  i = i + 4 + count
  n = n + 1
end
return out
`);

function parseStored(leadKey: string, raw: string | null | undefined): VersionedState {
  if (raw === null || raw === undefined) return { leadKey, version: 0, state: null };
  const match = /^(\d+):/.exec(raw);
  if (!match?.[1]) return { leadKey, version: -1, state: null, corrupt: 'no version prefix' };
  const version = Number(match[1]);
  const decoded = decodeSyncState(raw.slice(match[0].length));
  if ('reason' in decoded) return { leadKey, version, state: null, corrupt: decoded.reason };
  return { leadKey, version, state: decoded.state };
}

export interface SyncStateOptions {
  /** Key prefix (default `leadbridge:store`); tests pass their own. */
  prefix?: string;
}

/**
 * Base, SLA timeline and last decision per lead, in one hash per tenant (`<prefix>:{tenant}:state`), so a
 * batch of 200 leads is read with one HMGET and written with one script call.
 *
 * Concurrency: optimistic versioning. Each lead's value carries a version; a write names the version its
 * state was computed from and is applied only if that is still the stored one (checked and written
 * atomically in Lua, per lead, so one contended lead does not fail the other 199). A worker whose write
 * is refused must not overwrite: it re-reads the lead (both systems and this state) and reconciles again;
 * patches come from state, so the repeat writes nothing twice. WATCH/MULTI would serve one lead per
 * transaction and needs a connection of its own; this works on the shared connection and in batches.
 */
export class SyncState {
  readonly #redis: Redis;
  readonly #prefix: string;

  constructor(redis: Redis, options: SyncStateOptions = {}) {
    this.#redis = redis;
    this.#prefix = options.prefix ?? DEFAULT_STORE_PREFIX;
  }

  key(tenant: string): string {
    return tenantKey(this.#prefix, tenant, 'state');
  }

  /** States in input order, one HMGET. */
  async readMany(tenant: string, leadKeys: string[]): Promise<VersionedState[]> {
    if (leadKeys.length === 0) return [];
    const raws = await this.#redis.hmget(this.key(tenant), ...leadKeys);
    return leadKeys.map((leadKey, i) => parseStored(leadKey, raws[i]));
  }

  async read(tenant: string, leadKey: string): Promise<VersionedState> {
    const [state] = await this.readMany(tenant, [leadKey]);
    return state ?? { leadKey, version: 0, state: null };
  }

  /** Compare-and-set per lead, one script call; results in input order. */
  async writeMany(tenant: string, writes: StateWrite[]): Promise<StateWriteResult[]> {
    if (writes.length === 0) return [];
    const args = writes.flatMap((write) => {
      // Each entry is flagged 1 when the report reads it (see REPORTED): its lead joins the index.
      const ledger = (write.ledger ?? []).map(
        (entry) => `${REPORTED.has(entry.type) ? 1 : 0}${encodeLedgerEntry(entry)}`,
      );
      return [
        write.leadKey,
        String(write.expectedVersion),
        encodeSyncState(write.state),
        String(ledger.length),
        ...ledger,
      ];
    });
    const keys = [
      this.key(tenant),
      tenantKey(this.#prefix, tenant, LEDGER_LEADS),
      ...writes.map((write) => tenantKey(this.#prefix, tenant, 'ledger', write.leadKey)),
    ];
    const reply = (await WRITE_SCRIPT.run(this.#redis, keys, args)) as number[];
    return writes.map((write, i): StateWriteResult => {
      const ok = Number(reply[i * 2]) === 1;
      const version = Number(reply[i * 2 + 1]);
      return ok
        ? { leadKey: write.leadKey, ok: true, version }
        : { leadKey: write.leadKey, ok: false, currentVersion: version };
    });
  }

  async write(tenant: string, write: StateWrite): Promise<StateWriteResult> {
    const [result] = await this.writeMany(tenant, [write]);
    if (!result) throw new Error('writeMany returned no result');
    return result;
  }

  /** Forgets leads (privacy deletion of every side). */
  async delete(tenant: string, leadKeys: string[]): Promise<number> {
    if (leadKeys.length === 0) return 0;
    return this.#redis.hdel(this.key(tenant), ...leadKeys);
  }
}
