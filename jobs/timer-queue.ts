import { Queue, type ConnectionOptions } from 'bullmq';
import { z } from 'zod';
import type { OpenTimer } from '../src/domain/ledger-timers.ts';
import type { Logger } from '../src/log/logger.ts';
import { DEFAULT_QUEUE_PREFIX, QUEUE_NAMES, queuePrefix } from './queue-names.ts';

/** One open deadline of one lead. */
export const TimerJob = z.object({
  tenant: z.string().min(1),
  leadKey: z.string().min(1),
  name: z.enum(['follow_up', 'reminder', 'feedback', 'recycle']),
  episode: z.number().int().nonnegative(),
  /** ISO-8601 due instant. */
  dueAt: z.string().min(1),
});
export type TimerJob = z.infer<typeof TimerJob>;

export type TimerQueue = Queue<TimerJob>;

/** Keeps completed timer jobs this long (seconds), so scheduling the same deadline again is a no-op. */
const KEEP_COMPLETED_S = 7 * 24 * 3600;

export function createTimerQueue(
  connection: ConnectionOptions,
  logger: Logger,
  prefix = DEFAULT_QUEUE_PREFIX,
): TimerQueue {
  const queue = new Queue<TimerJob>(QUEUE_NAMES.timers, {
    connection,
    prefix: queuePrefix(prefix, 'timers'),
    defaultJobOptions: {
      attempts: 10,
      backoff: { type: 'exponential', delay: 1_000, jitter: 0.5 },
      removeOnComplete: { age: KEEP_COMPLETED_S },
      removeOnFail: { age: KEEP_COMPLETED_S },
    },
  });
  queue.on('error', (error) => logger.warn({ err: error, queue: QUEUE_NAMES.timers }, 'queue error'));
  return queue;
}

/**
 * The job id of a deadline: the same deadline (tenant, lead, timer, episode) always gets the same id, so
 * scheduling it again while its job is delayed or recently done adds nothing, and it fires once. BullMQ
 * custom ids may not contain `:`.
 * https://docs.bullmq.io/guide/jobs/job-ids
 */
export function timerJobId(job: Pick<TimerJob, 'tenant' | 'leadKey' | 'name' | 'episode'>): string {
  return ['timer', job.tenant, job.leadKey, job.name, job.episode].join('~').replaceAll(':', '_');
}

/** Schedules each deadline as a delayed job (BullMQ keeps delayed jobs in Redis, so they survive restarts). */
export async function scheduleTimers(
  queue: TimerQueue,
  tenant: string,
  timers: Array<{ leadKey: string; timer: OpenTimer }>,
  nowMs: number,
): Promise<void> {
  if (timers.length === 0) return;
  await queue.addBulk(
    timers.map(({ leadKey, timer }) => {
      const data: TimerJob = {
        tenant,
        leadKey,
        name: timer.name,
        episode: timer.episode,
        dueAt: timer.dueAt,
      };
      return {
        name: timer.name,
        data,
        opts: { jobId: timerJobId(data), delay: Math.max(0, Date.parse(timer.dueAt) - nowMs) },
      };
    }),
  );
}
