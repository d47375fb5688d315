import { Queue, type ConnectionOptions } from 'bullmq';
import { z } from 'zod';
import type { LeadBridgeConfig } from '../src/config/schema.ts';
import { durationMs } from '../src/domain/duration.ts';
import { SystemName } from '../src/domain/lead.ts';
import type { Logger } from '../src/log/logger.ts';
import { DEFAULT_QUEUE_PREFIX, QUEUE_NAMES, queuePrefix } from './queue-names.ts';

export const PollJob = z.object({ tenant: z.string().min(1), system: SystemName });
export type PollJob = z.infer<typeof PollJob>;

export type PollQueue = Queue<PollJob>;

const POLL_JOB_OPTIONS = {
  // The scheduler fires again at the next interval anyway; a few quick retries cover a blip.
  attempts: 3,
  backoff: { type: 'exponential', delay: 5_000, jitter: 0.5 },
  removeOnComplete: { count: 100 },
  removeOnFail: { age: 7 * 24 * 3600 },
};

export function createPollQueue(
  connection: ConnectionOptions,
  logger: Logger,
  prefix = DEFAULT_QUEUE_PREFIX,
): PollQueue {
  const queue = new Queue<PollJob>(QUEUE_NAMES.poll, {
    connection,
    prefix: queuePrefix(prefix, 'poll'),
    defaultJobOptions: POLL_JOB_OPTIONS,
  });
  queue.on('error', (error) => logger.warn({ err: error, queue: QUEUE_NAMES.poll }, 'queue error'));
  return queue;
}

export function pollSchedulerId(job: PollJob): string {
  return `poll-${job.tenant}-${job.system}`;
}

/**
 * One job scheduler per tenant and system, every `sync.pollInterval`. Upserting is idempotent, so every
 * worker calls it at start; schedulers of tenants no longer in the config are removed.
 * https://docs.bullmq.io/guide/job-schedulers
 */
export async function upsertPollSchedulers(queue: PollQueue, config: LeadBridgeConfig): Promise<string[]> {
  const every = durationMs(config.sync.pollInterval);
  const wanted = config.tenants.flatMap((tenant) =>
    SystemName.options.map((system) => ({ tenant: tenant.id, system })),
  );
  const ids = wanted.map(pollSchedulerId);
  for (const job of wanted) {
    await queue.upsertJobScheduler(
      pollSchedulerId(job),
      { every },
      { name: 'poll', data: job, opts: POLL_JOB_OPTIONS },
    );
  }
  for (const scheduler of await queue.getJobSchedulers()) {
    if (!ids.includes(scheduler.key)) await queue.removeJobScheduler(scheduler.key);
  }
  return ids;
}

/** Continues a pass that stopped at its page bound now, instead of at the next interval. */
export async function schedulePollFollowUp(
  queue: Pick<PollQueue, 'add'>,
  job: PollJob,
  delayMs = 0,
): Promise<void> {
  await queue.add('poll', job, {
    deduplication: { id: `${pollSchedulerId(job)}-more` },
    ...(delayMs > 0 ? { delay: delayMs } : {}),
  });
}
