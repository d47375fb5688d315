import { describe, expect, it } from 'vitest';
import {
  DEFAULT_RECONCILE_CONCURRENCY,
  DEFAULT_TENANT_BATCHES_PER_PROCESS,
} from '../../../jobs/reconcile-processor.ts';
import { TenantReconcileConfig } from '../../../src/config/tenant-schema.ts';

describe('default parallelism of a tenant', () => {
  const defaults = TenantReconcileConfig.parse({});

  it('lets a second worker process double a busy tenant’s batches', () => {
    // One process runs DEFAULT_TENANT_BATCHES_PER_PROCESS batches of a tenant at once; the tenant's cap
    // must leave as many again to a second one, or the second process only waits on the first one's cap.
    expect(defaults.maxParallelBatches).toBeGreaterThanOrEqual(2 * DEFAULT_TENANT_BATCHES_PER_PROCESS);
  });

  it('keeps a reconcile slot of every process free of a busy tenant, for the others and the rep lane', () => {
    expect(DEFAULT_RECONCILE_CONCURRENCY).toBeGreaterThan(DEFAULT_TENANT_BATCHES_PER_PROCESS);
  });

  it('has a shard for every parallel batch (one batch per shard)', () => {
    expect(defaults.shards).toBeGreaterThanOrEqual(defaults.maxParallelBatches);
  });
});
