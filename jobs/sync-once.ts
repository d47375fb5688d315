import { setTimeout as sleep } from 'node:timers/promises';
import { SystemName } from '../src/domain/lead.ts';
import { PermanentError } from '../src/errors/permanent-error.ts';
import { RateLimitedError } from '../src/errors/rate-limited-error.ts';
import { RetryableError } from '../src/errors/retryable-error.ts';
import type { RecordFailure, RecordRef, ReconcileBatch, ReconcileBatchResult } from './engine.ts';
import type { EngineRuntime } from './engine-runtime.ts';
import { ingestChangeEvent } from './ingest-processor.ts';
import type { PendingRef } from './pending-refs.ts';
import { pollPass, type PollPassResult } from './poll-pass.ts';
import { RECONCILE_BATCH_SIZE } from './reconcile-processor.ts';

export interface SyncOnceOptions {
  /** Records per reconcile batch (default 100). */
  batchSize?: number;
  /** Tries of one batch before its records count as failed (default 5). */
  maxAttempts?: number;
  /** Longest rate-limit wait waited out, in milliseconds (default 60 s); a longer one fails the batch. */
  maxRateLimitWaitMs?: number;
  /** First retry delay in milliseconds, doubled per try (default 1 s). */
  retryDelayMs?: number;
  sleep?: (ms: number) => Promise<unknown>;
}

export interface SyncOnceSummary {
  polls: PollPassResult[];
  batches: number;
  leads: number;
  unchanged: number;
  conflicts: number;
  written: Record<SystemName, number>;
  created: Record<SystemName, number>;
  /** Every record (or whole poll) that did not sync, with its code. */
  failures: RecordFailure[];
}

function errorCode(error: unknown): string {
  if (error instanceof RateLimitedError) return `RATE_LIMITED_${error.policy}`;
  if (error instanceof PermanentError) return error.code;
  if (error instanceof RetryableError) return 'TRANSIENT';
  return error instanceof Error ? error.name : 'UNKNOWN';
}

function failure(tenant: string, system: SystemName, recordId: string | null, error: unknown): RecordFailure {
  return {
    tenant,
    leadKey: null,
    system,
    recordId,
    code: errorCode(error),
    message: error instanceof Error ? error.message : String(error),
    retryable: error instanceof RetryableError,
  };
}

function add(summary: SyncOnceSummary, result: ReconcileBatchResult): void {
  summary.batches += 1;
  summary.leads += result.leads;
  summary.unchanged += result.unchanged;
  summary.conflicts += result.conflicts;
  for (const system of SystemName.options) {
    summary.written[system] += result.written[system];
    summary.created[system] += result.created[system];
  }
  summary.failures.push(...result.failures);
}

/**
 * `leadbridge sync --once`: for every tenant, polls both systems from their cursors until caught up
 * (cursor committed per page once its records are in the pending set), then reconciles everything
 * pending, debounce or not, batch by batch. Rate limits are waited out and transient errors retried with
 * backoff; a batch that still fails is reported per record and its records are left pending for the
 * workers (or the next run), never dropped.
 */
export async function syncOnce(
  runtime: EngineRuntime,
  reconcileBatch: ReconcileBatch,
  options: SyncOnceOptions = {},
): Promise<SyncOnceSummary> {
  const { engine, pending } = runtime;
  const wait = options.sleep ?? sleep;
  const maxAttempts = options.maxAttempts ?? 5;
  const summary: SyncOnceSummary = {
    polls: [],
    batches: 0,
    leads: 0,
    unchanged: 0,
    conflicts: 0,
    written: { hubspot: 0, salesforce: 0 },
    created: { hubspot: 0, salesforce: 0 },
    failures: [],
  };
  const ingest = { engine, pending, schedule: async () => {} };

  const reconcileWithRetries = async (tenant: string, refs: RecordRef[]) => {
    for (let attempt = 1; ; attempt++) {
      try {
        return await reconcileBatch(engine, tenant, refs);
      } catch (error) {
        const waitMs =
          error instanceof RateLimitedError
            ? error.waitMs
            : (options.retryDelayMs ?? 1_000) * 2 ** (attempt - 1) * (0.5 + Math.random() / 2);
        const retry =
          error instanceof RetryableError &&
          attempt < maxAttempts &&
          waitMs <= (options.maxRateLimitWaitMs ?? 60_000);
        if (!retry) throw error;
        engine.logger.info({ tenant, attempt, waitMs, err: error }, 'reconcile batch retried');
        await wait(waitMs);
      }
    }
  };

  for (const { id: tenant } of engine.config.tenants) {
    for (const system of SystemName.options) {
      try {
        const sink = async (events: unknown[]) => {
          for (const event of events) await ingestChangeEvent(ingest, event);
        };
        summary.polls.push(await pollPass({ engine, sink }, tenant, system));
      } catch (error) {
        engine.logger.warn({ tenant, system, err: error }, 'poll failed');
        summary.failures.push(failure(tenant, system, null, error));
      }
    }
    const failed: PendingRef[] = [];
    for (;;) {
      const refs = await pending.popDue(
        tenant,
        Number.MAX_SAFE_INTEGER,
        options.batchSize ?? RECONCILE_BATCH_SIZE,
      );
      if (refs.length === 0) break;
      try {
        add(summary, await reconcileWithRetries(tenant, refs));
      } catch (error) {
        engine.logger.warn({ tenant, refs: refs.length, err: error }, 'reconcile batch failed');
        failed.push(...refs);
        summary.failures.push(...refs.map((ref) => failure(tenant, ref.system, ref.id, error)));
      }
    }
    await pending.putBack(tenant, failed, engine.now().getTime());
  }
  return summary;
}
