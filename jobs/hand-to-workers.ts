import type { RecordFailure } from './engine.ts';
import type { EngineRuntime } from './engine-runtime.ts';
import type { PendingRef } from './pending-refs.ts';
import { scheduleReconcile, type ReconcileQueue } from './reconcile-queue.ts';

/** Gives leads to the workers: pending now in the routine lane, with a reconcile job per shard to take them. */
export type HandOver = (tenant: string, refs: PendingRef[]) => Promise<void>;

/**
 * A one-shot process (`backfill`) hands the workers what it could not finish because they were working
 * on it themselves: the refs join the tenant's pending set (a record already pending keeps its place)
 * and each shard they land in gets a reconcile job, as a change event would.
 */
export function handToWorkers(runtime: EngineRuntime, queue: ReconcileQueue): HandOver {
  return async (tenant, refs) => {
    if (refs.length === 0) return;
    await runtime.pending.add(tenant, refs, runtime.engine.now().getTime());
    const shards = new Set(refs.map((ref) => runtime.pending.shardOf(tenant, ref)));
    for (const shard of shards) await scheduleReconcile(queue, tenant, 0, { shard });
  };
}

/**
 * The refs of failures that mean "another writer changed this lead's state on every one of our passes":
 * the lead is reconciled again rather than left failed (a backfill hands it to the workers, a worker's
 * batch puts it back into pending, jobs/reconcile-processor.ts).
 */
export function concurrentlyReconciled(failures: RecordFailure[]): PendingRef[] {
  return failures.flatMap((failure) =>
    failure.code === 'STATE_CONFLICT' && failure.recordId !== null
      ? [
          {
            system: failure.system,
            id: failure.recordId,
            ...(failure.leadKey ? { leadKey: failure.leadKey } : {}),
          },
        ]
      : [],
  );
}
