import { z } from 'zod';

/** A tenant id as the config allows it (see src/config/tenant-schema.ts); it becomes part of every key. */
const TenantId = z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'a tenant id is lower-case letters, digits and -');

/** Default key prefix of the state layer; tests pass their own so they never touch an install's keys. */
export const DEFAULT_STORE_PREFIX = 'leadbridge:store';

/**
 * Every key of the state layer: `<prefix>:{<tenant>}:<name>`. The `{tenant}` hash tag keeps one tenant's
 * keys on one Redis Cluster slot, which the Lua scripts that touch several keys at once (links and their
 * indexes) require; with a single Redis it costs nothing.
 */
export function tenantKey(prefix: string, tenant: string, ...parts: string[]): string {
  const parsed = TenantId.safeParse(tenant);
  if (!parsed.success) throw new TypeError(`invalid tenant id ${JSON.stringify(tenant)} for a Redis key`);
  return [prefix, `{${tenant}}`, ...parts].join(':');
}
