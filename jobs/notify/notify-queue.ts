import { Queue, type ConnectionOptions, type JobsOptions } from 'bullmq';
import type { NotificationsConfig } from '../../src/config/notifications-schema.ts';
import { durationMs } from '../../src/domain/duration.ts';
import type { Logger } from '../../src/log/logger.ts';
import { DEFAULT_QUEUE_PREFIX, QUEUE_NAMES, queuePrefix } from '../queue-names.ts';
import type { NotifyJob } from './notify-jobs.ts';

export type NotifyQueue = Queue<NotifyJob>;

/**
 * Notifications have their own queue and workers, so a dead or slow endpoint only ever holds notify
 * jobs (each bounded by the delivery timeout and the attempts), never ingest, reconcile or poll.
 */
export function createNotifyQueue(
  connection: ConnectionOptions,
  logger: Logger,
  prefix = DEFAULT_QUEUE_PREFIX,
): NotifyQueue {
  const queue = new Queue<NotifyJob>(QUEUE_NAMES.notify, {
    connection,
    prefix: queuePrefix(prefix, 'notify'),
    defaultJobOptions: {
      attempts: 8,
      backoff: { type: 'exponential', delay: 5_000, jitter: 0.5 },
      // Kept a week, so the same job id added again (a replay) is a no-op while it is remembered.
      removeOnComplete: { age: 7 * 24 * 3600, count: 10_000 },
      removeOnFail: { age: 7 * 24 * 3600 },
    },
  });
  queue.on('error', (error) => logger.warn({ err: error, queue: QUEUE_NAMES.notify }, 'queue error'));
  return queue;
}

/** Attempts and exponential backoff with jitter from the tenant's notification settings. */
export function deliveryOptions(config: NotificationsConfig): Pick<JobsOptions, 'attempts' | 'backoff'> {
  return {
    attempts: config.attempts,
    backoff: { type: 'exponential', delay: durationMs(config.backoff), jitter: 0.5 },
  };
}
