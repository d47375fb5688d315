import { SystemName } from '../src/domain/lead.ts';
import { addBatchResult, type BatchTotals } from './batch-totals.ts';
import { batchFailure, withRetries, type RetryOptions } from './batch-retry.ts';
import type { RecordRef, ReconcileBatch } from './engine.ts';
import type { EngineRuntime } from './engine-runtime.ts';
import { concurrentlyReconciled } from './hand-to-workers.ts';
import { ingestChangeEvent } from './ingest-processor.ts';
import type { PendingRef } from './pending-refs.ts';
import { pollPass, type PollPassResult } from './poll-pass.ts';
import { RECONCILE_BATCH_SIZE } from './reconcile-processor.ts';

export interface SyncOnceOptions extends RetryOptions {
  /** Records per reconcile batch (default 100). */
  batchSize?: number;
}

/** `failures` also holds whole polls that failed (record id null). */
export interface SyncOnceSummary extends BatchTotals {
  polls: PollPassResult[];
}

/**
 * `leadbridge sync --once`: for every tenant, polls both systems from their cursors until caught up
 * (cursor committed per page once its records are in the pending set), then reconciles everything
 * pending, debounce or not, batch by batch. Rate limits are waited out and transient errors retried with
 * backoff; a batch that still fails, and a lead another writer kept changing (STATE_CONFLICT), is
 * reported per record and left pending for the workers (or the next run), never dropped.
 */
export async function syncOnce(
  runtime: EngineRuntime,
  reconcileBatch: ReconcileBatch,
  options: SyncOnceOptions = {},
): Promise<SyncOnceSummary> {
  const { engine, pending } = runtime;
  const summary: SyncOnceSummary = {
    polls: [],
    batches: 0,
    leads: 0,
    reconciles: 0,
    unchanged: 0,
    conflicts: 0,
    written: { hubspot: 0, salesforce: 0 },
    created: { hubspot: 0, salesforce: 0 },
    failures: [],
  };
  const ingest = { engine, pending, schedule: async () => {} };

  const reconcileWithRetries = (tenant: string, refs: RecordRef[]) =>
    withRetries(() => reconcileBatch(engine, tenant, refs), engine.logger, options);

  for (const { id: tenant } of engine.config.tenants) {
    for (const system of SystemName.options) {
      try {
        const sink = async (events: unknown[]) => {
          for (const event of events) await ingestChangeEvent(ingest, event);
        };
        summary.polls.push(await pollPass({ engine, sink }, tenant, system, { retries: options }));
      } catch (error) {
        engine.logger.warn({ tenant, system, err: error }, 'poll failed');
        summary.failures.push(batchFailure(tenant, system, null, error));
      }
    }
    const failed: PendingRef[] = [];
    for (;;) {
      const refs = await pending.popDue(
        tenant,
        Number.MAX_SAFE_INTEGER,
        options.batchSize ?? RECONCILE_BATCH_SIZE,
        engine.now().getTime(),
      );
      if (refs.length === 0) break;
      try {
        const result = await pending.renewWhile(tenant, refs, () => reconcileWithRetries(tenant, refs));
        addBatchResult(summary, result);
        // Put back after the loop, as failed batches are: this run would only meet the other writer again.
        failed.push(...concurrentlyReconciled(result.failures));
        await pending.release(tenant, refs);
      } catch (error) {
        engine.logger.warn({ tenant, refs: refs.length, err: error }, 'reconcile batch failed');
        failed.push(...refs);
        summary.failures.push(...refs.map((ref) => batchFailure(tenant, ref.system, ref.id, error)));
      }
    }
    await pending.putBack(tenant, failed, engine.now().getTime());
  }
  return summary;
}
