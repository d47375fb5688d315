import { Queue, type ConnectionOptions } from 'bullmq';
import { z } from 'zod';
import type { LeadBridgeConfig } from '../src/config/schema.ts';
import { durationMs } from '../src/domain/duration.ts';
import type { Logger } from '../src/log/logger.ts';
import { DEFAULT_QUEUE_PREFIX, QUEUE_NAMES, queuePrefix } from './queue-names.ts';

export const JournalJob = z.object({ tenant: z.string().min(1) });
export type JournalJob = z.infer<typeof JournalJob>;

export type JournalQueue = Queue<JournalJob>;

const JOURNAL_JOB_OPTIONS = {
  attempts: 3,
  backoff: { type: 'exponential', delay: 5_000, jitter: 0.5 },
  removeOnComplete: { count: 100 },
  removeOnFail: { age: 7 * 24 * 3600 },
};

export function createJournalQueue(
  connection: ConnectionOptions,
  logger: Logger,
  prefix = DEFAULT_QUEUE_PREFIX,
): JournalQueue {
  const queue = new Queue<JournalJob>(QUEUE_NAMES.journal, {
    connection,
    prefix: queuePrefix(prefix, 'journal'),
    defaultJobOptions: JOURNAL_JOB_OPTIONS,
  });
  queue.on('error', (error) => logger.warn({ err: error, queue: QUEUE_NAMES.journal }, 'queue error'));
  return queue;
}

export function journalSchedulerId(tenant: string): string {
  return `journal-${tenant}`;
}

/**
 * One job scheduler per tenant whose `hubspot.ingest` is `journal`, every `hubspot.journalInterval`;
 * schedulers of other tenants are removed. Idempotent, so every worker calls it at start.
 * https://docs.bullmq.io/guide/job-schedulers
 */
export async function upsertJournalSchedulers(
  queue: JournalQueue,
  config: LeadBridgeConfig,
): Promise<string[]> {
  const tenants = config.tenants.filter((tenant) => tenant.hubspot.ingest === 'journal');
  const ids = tenants.map((tenant) => journalSchedulerId(tenant.id));
  for (const tenant of tenants) {
    await queue.upsertJobScheduler(
      journalSchedulerId(tenant.id),
      { every: durationMs(tenant.hubspot.journalInterval) },
      { name: 'journal', data: { tenant: tenant.id }, opts: JOURNAL_JOB_OPTIONS },
    );
  }
  for (const scheduler of await queue.getJobSchedulers()) {
    if (!ids.includes(scheduler.key)) await queue.removeJobScheduler(scheduler.key);
  }
  return ids;
}

/** Continues a pass that stopped at its file bound now, instead of at the next interval. */
export async function scheduleJournalFollowUp(
  queue: Pick<JournalQueue, 'add'>,
  tenant: string,
): Promise<void> {
  await queue.add('journal', { tenant }, { deduplication: { id: `${journalSchedulerId(tenant)}-more` } });
}
