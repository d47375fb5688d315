/**
 * The shard of a tenant's pending record: a stable hash (FNV-1a, 32 bits) of its lead key (or of the
 * record itself before it has one) modulo the tenant's shard count, so the records of one lead meet in
 * one shard and every process agrees without asking Redis.
 */
export function shardOf(partitionKey: string, shards: number): number {
  if (!Number.isInteger(shards) || shards <= 1) return 0;
  let hash = 0x811c9dc5;
  for (let i = 0; i < partitionKey.length; i++) {
    hash ^= partitionKey.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash % shards;
}

/** Most shards a tenant's pending records may have (`tenants[].reconcile.shards`). */
export const MAX_TENANT_SHARDS = 64;
