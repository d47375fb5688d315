import type { Redis } from 'ioredis';
import { decodeSyncState } from './state-codec.ts';
import { SyncState, type LeadSyncState } from './sync-state.ts';

export interface SyncStateScanOptions {
  /** Key prefix (default `leadbridge:store`), as given to `SyncState`. */
  prefix?: string;
  /** Hash fields asked for per HSCAN call (a hint to Redis, which may return more or fewer). Default 500. */
  batchSize?: number;
}

export interface ScannedStates {
  states: Array<{ leadKey: string; state: LeadSyncState }>;
  /** Stored values that do not parse, with why; a report counts them, it does not guess. */
  corrupt: Array<{ leadKey: string; reason: string }>;
}

/** Parses one `<version>:<json>` value as `SyncState` writes it. */
function parseValue(raw: string): { state: LeadSyncState } | { reason: string } {
  const match = /^\d+:/.exec(raw);
  if (!match) return { reason: 'no version prefix' };
  return decodeSyncState(raw.slice(match[0].length));
}

/**
 * Every lead's sync state of a tenant, in batches, by HSCAN over the tenant's state hash: no single
 * reply holds the whole tenant and Redis is never blocked the way HGETALL on a large hash would block it.
 * HSCAN may return a field twice while the hash is rehashed, so fields already yielded are skipped; a
 * lead written during the scan may show its old or new state.
 * https://redis.io/docs/latest/commands/scan/#scan-guarantees
 */
export async function* scanSyncStates(
  redis: Redis,
  tenant: string,
  options: SyncStateScanOptions = {},
): AsyncGenerator<ScannedStates> {
  const key = new SyncState(redis, options.prefix ? { prefix: options.prefix } : {}).key(tenant);
  const count = Math.max(1, options.batchSize ?? 500);
  const seen = new Set<string>();
  let cursor = '0';
  do {
    const [next, flat] = await redis.hscan(key, cursor, 'COUNT', count);
    cursor = next;
    const batch: ScannedStates = { states: [], corrupt: [] };
    for (let i = 0; i + 1 < flat.length; i += 2) {
      const leadKey = flat[i] as string;
      if (seen.has(leadKey)) continue;
      seen.add(leadKey);
      const parsed = parseValue(flat[i + 1] as string);
      if ('state' in parsed) batch.states.push({ leadKey, state: parsed.state });
      else batch.corrupt.push({ leadKey, reason: parsed.reason });
    }
    if (batch.states.length > 0 || batch.corrupt.length > 0) yield batch;
  } while (cursor !== '0');
}
