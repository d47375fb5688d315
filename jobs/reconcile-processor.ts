import type { Job } from 'bullmq';
import { RateLimitedError } from '../src/errors/rate-limited-error.ts';
import { RetryableError } from '../src/errors/retryable-error.ts';
import { concurrentlyReconciled } from './hand-to-workers.ts';
import { isTenantWide, parkPermanent } from './park.ts';
import type { EngineDeps, ReconcileBatch, ReconcileBatchResult } from './engine.ts';
import type { PendingRefs } from './pending-refs.ts';
import {
  LANE_PRIORITY,
  RECOVERY_SLOT_MS,
  ReconcileJob,
  SCHEDULE_SLOT_MS,
  SLOT_TOLERANCE_MS,
  type ScheduleOptions,
} from './reconcile-queue.ts';

/** Records per reconcile batch: one HubSpot batch call (≤100 per call) covers it. */
export const RECONCILE_BATCH_SIZE = 100;

/**
 * Batches of one tenant one worker process runs at once (`concurrency.reconcilePerTenant`). Half of a
 * tenant's default `reconcile.maxParallelBatches` (src/config/tenant-schema.ts): one process cannot take
 * all of a tenant's parallelism, so while the batches wait on the APIs a second process doubles them.
 */
export const DEFAULT_TENANT_BATCHES_PER_PROCESS = 4;

/**
 * Reconcile jobs one worker process runs at once (`concurrency.reconcile`): one more than a tenant may
 * use, so a busy tenant at its share never holds every slot and other tenants' jobs and rep-lane jobs
 * still start at once, whatever the tenant's cap and however many processes run.
 */
export const DEFAULT_RECONCILE_CONCURRENCY = DEFAULT_TENANT_BATCHES_PER_PROCESS + 1;

/**
 * When a job turned away by the per-process share of its tenant asks again at the latest, in
 * milliseconds (rounded up to a recovery slot, `RECOVERY_SLOT_MS`).
 */
export const PER_TENANT_RETRY_MS = 4 * SCHEDULE_SLOT_MS;

/**
 * How long a busy tenant's routine changes wait for the next batch after the last one started, in
 * milliseconds: a quarter of the configured debounce (500 ms by default), so at a steady stream of
 * changes batches stay about as full as the fixed 2 s debounce made them.
 */
export function batchLingerMs(debounceMs: number): number {
  return Math.round(debounceMs / 4);
}

export interface ReconcileProcessorDeps {
  engine: EngineDeps;
  pending: PendingRefs;
  reconcileBatch: ReconcileBatch;
  /** Makes sure a reconcile of the tenant (and shard) runs within `delayMs` milliseconds. */
  schedule(tenant: string, delayMs: number, options?: ScheduleOptions): Promise<void>;
  /** Records per batch (default {@link RECONCILE_BATCH_SIZE}). */
  batchSize?: number;
  /**
   * Batches of one tenant this processor runs at once (default: no limit). A routine job past it takes
   * nothing and asks again one scheduling slot later, for whichever process has room; a rep-lane job
   * is never held back by it.
   */
  perTenant?: number;
}

/** What one reconcile job did; `null` result when no record was due or the batch was deferred. */
export interface ReconcileJobResult {
  tenant: string;
  shard: number;
  refs: number;
  result: ReconcileBatchResult | null;
  /** Set when an API said "slow down": the records wait this many milliseconds, this tenant only. */
  deferredMs?: number;
}

/**
 * Schedules a job for every shard of the tenant with something due: the finishing batch does this for
 * the shards it took from and for those the cap or the full-batch rule kept waiting, and a recovery job
 * for the end of every claim's lease (a batch that dies leaves its records to it). `futureOnly` (a job
 * that took nothing) skips pending records due by `horizon`: a running batch schedules them when it
 * ends, and a job for them now would only find them waiting again.
 */
async function scheduleDueShards(
  deps: ReconcileProcessorDeps,
  tenant: string,
  nowMs: number,
  futureOnly: { horizon: number } | null,
): Promise<void> {
  const due = await deps.pending.dueByShard(tenant);
  for (const [shard, { pending, leaseEnds }] of due.entries()) {
    if (pending !== null && !(futureOnly && pending <= futureOnly.horizon)) {
      await deps.schedule(tenant, pending - nowMs, { shard });
    }
    if (leaseEnds !== null) await deps.schedule(tenant, leaseEnds - nowMs, { shard, recovery: true });
  }
}

/**
 * The reconcile queue's processor: takes a batch of the tenant's due records, its shard's first, that no
 * other batch claimed and within the tenant's cap of parallel batches (claimed with a lease it
 * renews while it works, released once the outcome is stored; a worker that dies lets the lease end and
 * the records return to pending), reconciles them, and schedules the shards that still have work. So
 * several batches of one tenant run at once on several workers, each on leads of its own (a batch
 * claims the leads of the records it takes, jobs/pending-scripts.ts); the per-lead compare-and-set of
 * the state store keeps safe a lead whose record was added before it was linked and again after. When the batch fails as
 * a whole, its records go back into their shards before anything is thrown, so nothing is lost whatever
 * BullMQ does next:
 * - RateLimitedError: the records become due again after the API's wait and the tenant's next run is
 *   scheduled then; the job completes, so no attempt is burned. Only this tenant waits: pausing the whole
 *   queue would let one org's exhausted daily limit (a pause of an hour) stall every other tenant;
 * - RetryableError: thrown as is, for the queue's exponential backoff with jitter;
 * - a tenant-wide PermanentError (a revoked OAuth install, jobs/park.ts): logged and parked as an
 *   UnrecoverableError naming the cause and the fix, not retried; a recovery slot's job is scheduled for
 *   the records put back;
 * - anything else (another PermanentError among them): logged as unexpected and thrown for the backoff.
 * A batch that completes puts back the leads another writer kept changing (STATE_CONFLICT) and releases
 * the rest; their other failures are in the audit trail and the metrics.
 * https://docs.bullmq.io/guide/rate-limiting#manual-rate-limit
 */
export function reconcileProcessor(deps: ReconcileProcessorDeps): (job: Job) => Promise<ReconcileJobResult> {
  const perTenant = deps.perTenant ?? Number.POSITIVE_INFINITY;
  /** This process's running jobs per tenant (JavaScript runs one at a time: check and count are one step). */
  const running = new Map<string, number>();
  return async (job) => {
    const { tenant, shard } = ReconcileJob.parse(job.data);
    const busy = running.get(tenant) ?? 0;
    if (busy >= perTenant && job.opts.priority !== LANE_PRIORITY.rep) {
      // This process runs its share of the tenant: the slot stays free for other tenants and the rep
      // lane. One of the tenant's jobs running here ends soon and schedules the shards with records
      // (a batch: all of them; a job that took nothing: those no running batch will); a coarse
      // recovery-slot job is the safety net, at most one per shard per slot, not a loop of refusals.
      await deps.schedule(tenant, PER_TENANT_RETRY_MS, { shard, recovery: true });
      return { tenant, shard, refs: 0, result: null };
    }
    running.set(tenant, busy + 1);
    try {
      return await runJob(deps, tenant, shard);
    } finally {
      const left = (running.get(tenant) ?? 1) - 1;
      if (left > 0) running.set(tenant, left);
      else running.delete(tenant);
    }
  };
}

/** One job: take a batch of the tenant (its shard first), reconcile it, schedule what is left. */
async function runJob(
  deps: ReconcileProcessorDeps,
  tenant: string,
  shard: number,
): Promise<ReconcileJobResult> {
  const batchSize = deps.batchSize ?? RECONCILE_BATCH_SIZE;
  {
    const { engine } = deps;
    const nowMs = engine.now().getTime();
    // Only records already due: jobs run at the end of their scheduling slot, at most the slot tolerance
    // before a record's due instant (jobs/reconcile-queue.ts).
    const horizon = nowMs + SLOT_TOLERANCE_MS;
    const batch = await deps.pending.takeBatch(tenant, { dueByMs: horizon, limit: batchSize, shard, nowMs });
    const { refs } = batch;
    if (refs.length === 0) {
      await scheduleDueShards(deps, tenant, nowMs, { horizon });
      return { tenant, shard, refs: 0, result: null };
    }
    let result: ReconcileBatchResult;
    try {
      result = await deps.pending.renewWhile(
        tenant,
        refs,
        () => deps.reconcileBatch(engine, tenant, refs),
        batch.id,
      );
      // A lead whose state another writer changed on every pass was never reconciled by anyone who
      // saw this change: it goes back for the next batch (put back before the claims end, so a crash
      // in between loses nothing). The outcome of the rest (state, links, audit) is stored.
      const again = concurrentlyReconciled(result.failures);
      if (again.length > 0) await deps.pending.putBack(tenant, again, engine.now().getTime());
      await deps.pending.release(tenant, refs, batch.id);
    } catch (error) {
      if (error instanceof RateLimitedError) {
        engine.logger.info(
          { tenant, waitMs: error.waitMs, policy: error.policy },
          'reconcile rate limited; tenant deferred',
        );
        await deps.pending.putBack(tenant, refs, engine.now().getTime() + error.waitMs, batch.id);
        await scheduleDueShards(deps, tenant, engine.now().getTime(), null);
        return { tenant, shard, refs: refs.length, result: null, deferredMs: error.waitMs };
      }
      await deps.pending.putBack(tenant, refs, engine.now().getTime(), batch.id);
      if (!(error instanceof RetryableError)) {
        engine.logger.error({ err: error, tenant, refs: refs.length }, 'reconcile batch failed unexpectedly');
      }
      if (isTenantWide(error)) {
        // The job is failed for good, so no retry comes for the records put back: a recovery slot's job
        // looks for them once the slot ends (after a fix, they go through; before, it parks again).
        await deps.schedule(tenant, RECOVERY_SLOT_MS, { shard, recovery: true });
      }
      throw parkPermanent(error);
    }
    for (const failure of result.failures) {
      if (failure.code === 'STATE_CONFLICT') engine.logger.info({ failure }, 'lead put back for the next batch');
      else engine.logger.warn({ failure }, 'record not synced');
    }
    await scheduleDueShards(deps, tenant, engine.now().getTime(), null);
    return { tenant, shard, refs: refs.length, result };
  }
}
