import { describe, expect, it } from 'vitest';
import { DEFAULT_RECONCILE_CONCURRENCY } from '../../../jobs/reconcile-processor.ts';
import { TenantReconcileConfig } from '../../../src/config/tenant-schema.ts';

describe('default parallelism of a tenant', () => {
  const defaults = TenantReconcileConfig.parse({});

  it('lets a second worker process double a busy tenant’s batches', () => {
    // One process runs DEFAULT_RECONCILE_CONCURRENCY batches at once; the tenant's cap must leave as
    // many again to a second one, or the second process only waits on the first one's cap.
    expect(defaults.maxParallelBatches).toBeGreaterThanOrEqual(2 * DEFAULT_RECONCILE_CONCURRENCY);
  });

  it('has more shards than parallel batches, so batches holding a few shards each leave free ones', () => {
    expect(defaults.shards).toBeGreaterThanOrEqual(2 * defaults.maxParallelBatches);
  });
});
