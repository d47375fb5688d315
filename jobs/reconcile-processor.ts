import type { Job } from 'bullmq';
import { durationMs } from '../src/domain/duration.ts';
import { RateLimitedError } from '../src/errors/rate-limited-error.ts';
import { RetryableError } from '../src/errors/retryable-error.ts';
import type { EngineDeps, ReconcileBatch, ReconcileBatchResult } from './engine.ts';
import type { PendingRefs } from './pending-refs.ts';
import { ReconcileJob } from './reconcile-queue.ts';

/** Records per reconcile batch: one HubSpot batch call (≤100 per call) covers it. */
export const RECONCILE_BATCH_SIZE = 100;

export interface ReconcileProcessorDeps {
  engine: EngineDeps;
  pending: PendingRefs;
  reconcileBatch: ReconcileBatch;
  /** Makes sure the tenant's reconcile runs again within `delayMs` milliseconds. */
  schedule(tenant: string, delayMs: number): Promise<void>;
  /** Records per batch (default {@link RECONCILE_BATCH_SIZE}). */
  batchSize?: number;
}

/** What one reconcile job did; `null` result when no record was due or the batch was deferred. */
export interface ReconcileJobResult {
  tenant: string;
  refs: number;
  result: ReconcileBatchResult | null;
  /** Set when an API said "slow down": the records wait this many milliseconds, this tenant only. */
  deferredMs?: number;
}

/**
 * The reconcile queue's processor: takes up to a batch of the tenant's due records (claimed with a
 * lease it renews while it works, released once the outcome is stored; a worker that dies lets the
 * lease end and the records return to pending), reconciles them, and schedules the next run while
 * records are pending or claimed. When the batch fails as a whole, its records go back into the pending
 * set before anything is thrown, so nothing is lost whatever BullMQ does next:
 * - RateLimitedError: the records become due again after the API's wait and the tenant's next run is
 *   scheduled then; the job completes, so no attempt is burned. Only this tenant waits: pausing the whole
 *   queue would let one org's exhausted daily limit (a pause of an hour) stall every other tenant;
 * - RetryableError: thrown as is, for the queue's exponential backoff with jitter;
 * - anything else: logged as unexpected and thrown the same way.
 * https://docs.bullmq.io/guide/rate-limiting#manual-rate-limit
 */
export function reconcileProcessor(deps: ReconcileProcessorDeps): (job: Job) => Promise<ReconcileJobResult> {
  const batchSize = deps.batchSize ?? RECONCILE_BATCH_SIZE;
  return async (job) => {
    const { tenant } = ReconcileJob.parse(job.data);
    const { engine } = deps;
    // Records due within the next quarter of the debounce join this batch: a burst ingested over a few
    // milliseconds is one batch, not one per record, and every record still waited most of its debounce.
    const horizon = engine.now().getTime() + durationMs(engine.config.sync.debounce) / 4;
    const refs = await deps.pending.popDue(tenant, horizon, batchSize, engine.now().getTime());
    let result: ReconcileBatchResult | null = null;
    if (refs.length > 0) {
      try {
        result = await deps.pending.renewWhile(tenant, refs, () => deps.reconcileBatch(engine, tenant, refs));
        // The outcome (state, links, audit) is stored: the records are done with.
        await deps.pending.release(tenant, refs);
      } catch (error) {
        if (error instanceof RateLimitedError) {
          engine.logger.info(
            { tenant, waitMs: error.waitMs, policy: error.policy },
            'reconcile rate limited; tenant deferred',
          );
          await deps.pending.putBack(tenant, refs, engine.now().getTime() + error.waitMs);
          await deps.schedule(tenant, error.waitMs);
          return { tenant, refs: refs.length, result: null, deferredMs: error.waitMs };
        }
        await deps.pending.putBack(tenant, refs, engine.now().getTime());
        if (!(error instanceof RetryableError)) {
          engine.logger.error(
            { err: error, tenant, refs: refs.length },
            'reconcile batch failed unexpectedly',
          );
        }
        throw error;
      }
      for (const failure of result.failures) {
        engine.logger.warn({ failure }, 'record not synced');
      }
    }
    const nextDueAt = await deps.pending.nextDueAt(tenant);
    if (nextDueAt !== null) await deps.schedule(tenant, nextDueAt - engine.now().getTime());
    return { tenant, refs: refs.length, result };
  };
}
