import { Worker, type Processor, type Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from '../src/log/logger.ts';

/** How long a one-shot drain runs at most before it leaves the rest for a later run. */
export const DRAIN_LIMIT_MS = 30_000;
const POLL_MS = 50;

/** Whether the queue holds a job that could run now: waiting, prioritized or running, or delayed and due. */
export async function hasReadyJob(queue: Queue, nowMs: number): Promise<boolean> {
  const counts = await queue.getJobCounts('wait', 'active', 'prioritized');
  if ((counts.wait ?? 0) + (counts.active ?? 0) + (counts.prioritized ?? 0) > 0) return true;
  // Counts delayed jobs due strictly before the timestamp.
  return (await queue.getDelayedCount(nowMs + 1)) > 0;
}

export interface DrainOptions {
  /** A connection of its own for the worker (`maxRetriesPerRequest: null`); the drain does not close it. */
  connection: Redis;
  logger: Logger;
  concurrency?: number;
  limitMs?: number;
}

/**
 * Runs a queue's jobs that are ready now with a short-lived worker, until none is (jobs delayed into the
 * future, including retries in backoff, stay for a later run) or `limitMs` has passed. Returns how many
 * jobs completed. For `sync --once`, which has no long-running worker.
 */
export async function drainReady(queue: Queue, processor: Processor, options: DrainOptions): Promise<number> {
  const until = Date.now() + (options.limitMs ?? DRAIN_LIMIT_MS);
  if (!(await hasReadyJob(queue, Date.now()))) return 0;
  let completed = 0;
  const worker = new Worker(queue.name, processor, {
    connection: options.connection,
    prefix: queue.opts.prefix,
    concurrency: options.concurrency ?? 4,
  });
  worker.on('completed', () => (completed += 1));
  worker.on('error', (error) => options.logger.warn({ err: error, queue: queue.name }, 'worker error'));
  worker.on('failed', (job, error) =>
    options.logger.warn({ err: error, queue: queue.name, jobId: job?.id }, 'job failed'),
  );
  try {
    while (Date.now() < until && (await hasReadyJob(queue, Date.now()))) {
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
    if (Date.now() >= until) options.logger.warn({ queue: queue.name }, 'jobs left for the next run');
  } finally {
    await worker.close();
  }
  return completed;
}
