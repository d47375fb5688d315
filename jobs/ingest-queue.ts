import { hash } from 'node:crypto';
import { Queue, type ConnectionOptions } from 'bullmq';
import { ChangeEvent } from '../src/domain/change-event.ts';
import { laneOf } from '../src/domain/reconcile-lane.ts';
import type { Logger } from '../src/log/logger.ts';
import { DEFAULT_QUEUE_PREFIX, QUEUE_NAMES, queuePrefix } from './queue-names.ts';

/**
 * Completed ingest jobs are kept this long so that their ids keep deduplicating redeliveries:
 * HubSpot retries a batch for up to 24 hours and Salesforce keeps outbound messages for 24 hours.
 */
const KEEP_COMPLETED_SECONDS = 25 * 3600;
const KEEP_FAILED_SECONDS = 7 * 24 * 3600;

export type IngestQueue = Queue<ChangeEvent>;

export function createIngestQueue(
  connection: ConnectionOptions,
  logger: Logger,
  prefix = DEFAULT_QUEUE_PREFIX,
): IngestQueue {
  const queue = new Queue<ChangeEvent>(QUEUE_NAMES.ingest, {
    connection,
    prefix: queuePrefix(prefix, 'ingest'),
    defaultJobOptions: {
      attempts: 8,
      backoff: { type: 'exponential', delay: 1_000, jitter: 0.5 },
      removeOnComplete: { age: KEEP_COMPLETED_SECONDS },
      removeOnFail: { age: KEEP_FAILED_SECONDS },
    },
  });
  queue.on('error', (error) => logger.warn({ err: error, queue: QUEUE_NAMES.ingest }, 'queue error'));
  return queue;
}

/** Deterministic job id for a delivery: BullMQ ignores an add whose id already exists, so redeliveries vanish. */
export function ingestJobId(event: Pick<ChangeEvent, 'tenant' | 'system' | 'dedupKey'>): string {
  // One-shot hash: half the CPU of createHash().update().digest() on every webhook event; same digest.
  const digest = hash('sha256', `${event.tenant}\u0000${event.system}\u0000${event.dedupKey}`, 'hex');
  return `ev-${digest.slice(0, 40)}`;
}

/** The ingest jobs of `events`, each validated: one job per event, named by system and kind, deterministic id. */
export function ingestJobs(events: ChangeEvent[]): IngestJob[] {
  return events.map((event) => {
    const valid = ChangeEvent.parse(event);
    const opts: IngestJob['opts'] = { jobId: ingestJobId(valid) };
    // BullMQ takes jobs without a priority before prioritized ones: a rep's change (an outbound message)
    // overtakes a backlog of routine events, e.g. the webhook echoes of a running backfill's writes.
    // https://docs.bullmq.io/guide/jobs/prioritized
    if (laneOf(valid) === 'routine') opts.priority = ROUTINE_INGEST_PRIORITY;
    return { name: `${valid.system}-${valid.kind}`, data: valid, opts };
  });
}

/** BullMQ priority of routine ingest jobs (any priority ranks after the rep lane's unprioritized jobs). */
export const ROUTINE_INGEST_PRIORITY = 1;

/** One job as `addBulk` takes it. */
export interface IngestJob {
  name: string;
  data: ChangeEvent;
  opts: { jobId: string; priority?: number };
}

/**
 * Validates and adds change events in one round trip. Resolves only once Redis has them, so a webhook
 * route may acknowledge after awaiting it.
 */
export async function enqueueChangeEvents(queue: IngestQueue, events: ChangeEvent[]): Promise<number> {
  if (events.length === 0) return 0;
  const jobs = ingestJobs(events);
  await queue.addBulk(jobs);
  return jobs.length;
}
