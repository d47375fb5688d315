import type { Redis } from 'ioredis';
import type { SystemName } from '../domain/lead.ts';
import { valueHash } from '../domain/value-hash.ts';
import { DEFAULT_STORE_PREFIX, tenantKey } from './keys.ts';
import { LuaScript } from './lua-script.ts';
import { echoCountField, healthKey } from './sync-health.ts';

/**
 * How long one bucket of written values gathers, in milliseconds. A write is remembered for one to two
 * buckets (2-4 minutes): webhooks come back in seconds, and an echo that arrives later only costs the
 * reconcile read it would have cost without the filter.
 */
export const WRITTEN_BUCKET_MS = 2 * 60_000;

/**
 * How much later than our write's completion, by our clock, its echo may be stamped, in milliseconds: the
 * system's clock against ours. Only a change an app wrote is compared at all (a person's never is), so
 * the margin can only let our own app's later write of the same value pass for an echo.
 */
export const ECHO_CLOCK_SKEW_MS = 2_000;

/** One record's write as the system stored it: property (field) name -> value (only its hashes are kept). */
export interface WrittenRecord {
  id: string;
  values: Record<string, string>;
}

/**
 * KEYS: the newer bucket, the older bucket, the tenant's health hash. ARGV: the clock-skew margin (ms),
 * the health field to count in, then per change: record id, its occurredAt (epoch ms), its number of
 * value hashes, the hashes of its (name, value) pairs (src/domain/value-hash.ts). Per change, 1 (and one
 * more counted) when every hash is one of the pairs the record's last write in these buckets set, and the
 * change is stamped no later than that write's completion plus the margin; else 0.
 */
const ECHOES = new LuaScript(`
local out = {}
local i = 3
while i <= #ARGV do
  local count = tonumber(ARGV[i + 2])
  local echo = 0
  local raw = redis.call('HGET', KEYS[1], ARGV[i]) or redis.call('HGET', KEYS[2], ARGV[i])
  if raw then
    local write = cjson.decode(raw)
    if tonumber(ARGV[i + 1]) <= write[1] + tonumber(ARGV[1]) then
      echo = 1
      for j = i + 3, i + 2 + count do
        if write[2][ARGV[j]] == nil then echo = 0 break end
      end
    end
  end
  if echo == 1 then redis.call('HINCRBY', KEYS[3], ARGV[2], 1) end
  out[#out + 1] = echo
  i = i + 3 + count
end
return out
`);

/** A change to one record, as the echo check reads it. */
export interface ObservedChange {
  id: string;
  /** When the system stamped the change, epoch ms. */
  occurredAtMs: number;
  /** The hashes of its (name, value) pairs (src/domain/value-hash.ts). */
  valueHashes: string[];
}

/**
 * What LeadBridge last wrote to each record, per tenant and system, for a few minutes: so that ingest can
 * tell the webhook echo of our own write (the same values coming back) from a person's change. Buckets of
 * `WRITTEN_BUCKET_MS` (`<prefix>:{tenant}:written:<system>:<bucket>`, a hash record id -> JSON
 * `[completedAtMs, {valueHash(name, value): 1}]`), each expiring after two bucket lengths, so the memory is
 * that of the last few minutes' writes whatever the install's size. Only hashes are kept: no value (an
 * email, a name) sits in Redis for the filter.
 */
export class WrittenValues {
  readonly #redis: Redis;
  readonly #prefix: string;

  constructor(redis: Redis, options: { prefix?: string } = {}) {
    this.#redis = redis;
    this.#prefix = options.prefix ?? DEFAULT_STORE_PREFIX;
  }

  #bucketKey(tenant: string, system: SystemName, bucket: number): string {
    return tenantKey(this.#prefix, tenant, 'written', system, String(bucket));
  }

  /** Records writes that completed at `completedAtMs` (epoch ms): one round trip for the batch. */
  async record(
    tenant: string,
    system: SystemName,
    records: WrittenRecord[],
    completedAtMs: number,
  ): Promise<void> {
    if (records.length === 0) return;
    const key = this.#bucketKey(tenant, system, Math.floor(completedAtMs / WRITTEN_BUCKET_MS));
    const fields = records.flatMap((record) => [
      record.id,
      JSON.stringify([completedAtMs, writtenHashes(record.values)]),
    ]);
    await this.#redis
      .multi()
      .hset(key, ...fields)
      .pexpire(key, 2 * WRITTEN_BUCKET_MS)
      .exec();
  }

  /**
   * True (and the echo counted in the tenant's health hash, src/store/sync-health.ts) when every
   * `valueHash(name, value)` of a change to record `id`, stamped `occurredAtMs` (epoch ms), is a pair our
   * last write to that record set, and the change is stamped no later than the write's completion plus
   * `ECHO_CLOCK_SKEW_MS`. One round trip.
   */
  async isEcho(tenant: string, system: SystemName, change: ObservedChange, nowMs: number): Promise<boolean> {
    const [echo] = await this.echoes(tenant, system, [change], nowMs);
    return echo ?? false;
  }

  /**
   * `isEcho` for many changes of one tenant and system, in one round trip: one answer per change, in
   * order (a change without values is never an echo).
   */
  async echoes(
    tenant: string,
    system: SystemName,
    changes: ObservedChange[],
    nowMs: number,
  ): Promise<boolean[]> {
    const asked = changes.filter((change) => change.valueHashes.length > 0);
    if (asked.length === 0) return changes.map(() => false);
    const bucket = Math.floor(nowMs / WRITTEN_BUCKET_MS);
    const raw = (await ECHOES.run(
      this.#redis,
      [
        this.#bucketKey(tenant, system, bucket),
        this.#bucketKey(tenant, system, bucket - 1),
        healthKey(this.#prefix, tenant),
      ],
      [
        ECHO_CLOCK_SKEW_MS,
        echoCountField(system),
        ...asked.flatMap((change) => [
          change.id,
          change.occurredAtMs,
          change.valueHashes.length,
          ...change.valueHashes,
        ]),
      ],
    )) as number[];
    let next = 0;
    return changes.map((change) => change.valueHashes.length > 0 && Number(raw[next++]) === 1);
  }
}

/** A write's pairs as a JSON set of their hashes (an object, so Lua looks one up by key). */
function writtenHashes(values: Record<string, string>): Record<string, 1> {
  return Object.fromEntries(Object.entries(values).map(([name, value]) => [valueHash(name, value), 1]));
}
