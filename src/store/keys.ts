/**
 * A tenant id as the config allows it (see src/config/tenant-schema.ts); it becomes part of every key.
 * A bare regex, not a zod schema: it runs for every key of every lead (a zod parse here was 2% of a
 * backfill's CPU).
 */
const TENANT_ID = /^[a-z0-9][a-z0-9-]*$/;

/** Default key prefix of the state layer; tests pass their own so they never touch an install's keys. */
export const DEFAULT_STORE_PREFIX = 'leadbridge:store';

/**
 * The Redis Cluster hash tag of a tenant, or of one shard of a tenant's work: `{acme}`, `{acme.3}`. Redis
 * hashes only what is inside the first `{...}` of a key, so every key carrying one tag lives in one slot,
 * and a Lua script, MULTI or pipeline over those keys is allowed on a cluster; different tenants (and
 * shards) get different tags, so the cluster spreads them over its nodes. The one place tags are made:
 * state keys (`tenantKey`) and per-tenant queues (jobs/queue-names.ts `queuePrefix`) both use it.
 * https://redis.io/docs/latest/operate/oss_and_stack/reference/cluster-spec/#hash-tags
 */
export function hashTag(tenant: string, shard?: string | number): string {
  if (typeof tenant !== 'string' || !TENANT_ID.test(tenant))
    throw new TypeError(`invalid tenant id ${JSON.stringify(tenant)} for a Redis key`);
  if (shard === undefined) return `{${tenant}}`;
  if (!/^[a-z0-9-]+$/i.test(String(shard))) throw new TypeError(`invalid shard ${JSON.stringify(shard)}`);
  return `{${tenant}.${shard}}`;
}

/**
 * Every key of the state layer: `<prefix>:{<tenant>}:<name>`. The `{tenant}` hash tag keeps one tenant's
 * keys on one Redis Cluster slot, which the Lua scripts that touch several keys at once (links and their
 * indexes) require; with a single Redis it costs nothing.
 */
export function tenantKey(prefix: string, tenant: string, ...parts: string[]): string {
  assertUntagged(prefix);
  return [prefix, hashTag(tenant), ...parts].join(':');
}

/**
 * A key of one shard of a tenant's work: `<prefix>:{<tenant>.<shard>}:<name>`, in the slot of that shard's
 * queue (`queuePrefix(base, role, { tenant, shard })`), so a script over the shard's keys stays in one slot.
 */
export function shardKey(prefix: string, tenant: string, shard: string | number, ...parts: string[]): string {
  assertUntagged(prefix);
  return [prefix, hashTag(tenant, shard), ...parts].join(':');
}

/** A key prefix must not carry a hash tag of its own: it would win over the tenant's and put every key in one slot. */
export function assertUntagged(prefix: string): void {
  if (prefix.includes('{') || prefix.includes('}')) {
    throw new TypeError(
      `Redis key prefix ${JSON.stringify(prefix)} must not contain { or } (hash tags are added per tenant and queue)`,
    );
  }
}
