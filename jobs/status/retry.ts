import type { Redis } from 'ioredis';
import type { RecordRef } from '../engine.ts';
import type { EnginePrefixes } from '../engine-runtime.ts';
import { PendingRefs } from '../pending-refs.ts';
import { readFailingRecords, type FailingRecord } from '../../src/store/record-failures.ts';

export interface RetryResult {
  tenant: string;
  /** Failing records put back on the tenant's pending set. */
  requeued: FailingRecord[];
  /** Failing records with no id on either side to reconcile from (left as they are). */
  skipped: FailingRecord[];
}

/** The record to reconcile for a failure: the failed one, or for a failed create the lead's other side. */
export function retryRef(failure: FailingRecord): RecordRef | null {
  if (failure.recordId) return { system: failure.system, id: failure.recordId };
  if (failure.system === 'salesforce' && failure.hubspotId)
    return { system: 'hubspot', id: failure.hubspotId };
  if (failure.system === 'hubspot' && failure.salesforceId)
    return { system: 'salesforce', id: failure.salesforceId };
  return null;
}

/**
 * `leadbridge retry`: puts every failing record of the tenant (only those with `code`, when given) back
 * on its pending set, due now, so the next reconcile (workers, or `sync --once`) tries them again.
 * Returns what was re-queued; `schedule` is called per tenant with records (the workers' reconcile job).
 */
export async function requeueFailing(
  redis: Redis,
  prefixes: EnginePrefixes,
  tenant: string,
  options: { code?: string | undefined; now: Date; schedule?: (tenant: string) => Promise<void> },
): Promise<RetryResult> {
  const failing = (await readFailingRecords(redis, prefixes.store, tenant)).filter(
    (failure) => options.code === undefined || failure.code === options.code,
  );
  const requeued: FailingRecord[] = [];
  const skipped: FailingRecord[] = [];
  const refs: RecordRef[] = [];
  for (const failure of failing) {
    const ref = retryRef(failure);
    if (ref) {
      refs.push(ref);
      requeued.push(failure);
    } else skipped.push(failure);
  }
  if (refs.length > 0) {
    await new PendingRefs(redis, { prefix: prefixes.store }).add(
      tenant,
      refs.map((ref) => ({ ...ref, source: 'manual' as const })),
      options.now.getTime(),
    );
    await options.schedule?.(tenant);
  }
  return { tenant, requeued, skipped };
}
