import { Queue, type ConnectionOptions } from 'bullmq';
import { z } from 'zod';
import type { Logger } from '../src/log/logger.ts';
import { DEFAULT_QUEUE_PREFIX, QUEUE_NAMES, queuePrefix } from './queue-names.ts';

/** A reconcile job names only its tenant: the records come from the tenant's pending set when it runs. */
export const ReconcileJob = z.object({ tenant: z.string().min(1) });
export type ReconcileJob = z.infer<typeof ReconcileJob>;

export type ReconcileQueue = Queue<ReconcileJob>;

export function createReconcileQueue(
  connection: ConnectionOptions,
  logger: Logger,
  prefix = DEFAULT_QUEUE_PREFIX,
): ReconcileQueue {
  const queue = new Queue<ReconcileJob>(QUEUE_NAMES.reconcile, {
    connection,
    prefix: queuePrefix(prefix, 'reconcile'),
    defaultJobOptions: {
      // A failed batch puts its records back first, so exhausting the attempts drops nothing: the next
      // change or poll of the tenant schedules a new job that finds them still pending.
      attempts: 10,
      backoff: { type: 'exponential', delay: 1_000, jitter: 0.5 },
      removeOnComplete: { count: 1_000 },
      removeOnFail: { age: 7 * 24 * 3600 },
    },
  });
  queue.on('error', (error) => logger.warn({ err: error, queue: QUEUE_NAMES.reconcile }, 'queue error'));
  return queue;
}

/**
 * Makes sure one reconcile job of the tenant runs in `delayMs` (milliseconds) or sooner. Deduplicated by
 * tenant with `keepLastIfActive`: while a job is waiting or delayed, further calls are no-ops (that job
 * will find the new records); while one is running, one follow-up is kept and started when it finishes,
 * so a record added just after the running job looked is never left without a job, and a tenant never
 * has two batches in flight.
 * https://docs.bullmq.io/guide/jobs/deduplication
 */
export async function scheduleReconcile(
  queue: ReconcileQueue,
  tenant: string,
  delayMs: number,
): Promise<void> {
  await queue.add(
    'reconcile',
    { tenant },
    {
      delay: Math.max(0, Math.round(delayMs)),
      deduplication: { id: `reconcile-${tenant}`, keepLastIfActive: true },
    },
  );
}
