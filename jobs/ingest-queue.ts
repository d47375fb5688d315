import { hash } from 'node:crypto';
import { Queue, type ConnectionOptions } from 'bullmq';
import { z } from 'zod';
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

/**
 * An ingest job's payload: the events of one delivery (a webhook request, a poll page), each parsed by the
 * processor (a bad one fails alone). Jobs queued before this shape carry one bare `ChangeEvent`.
 */
export const IngestBatch = z.object({ events: z.array(z.unknown()).min(1) });
export type IngestBatch = z.infer<typeof IngestBatch>;

/** What an ingest job carries: many events (as queued), or one (the former shape, still processed). */
export type IngestJobData = { events: ChangeEvent[] } | ChangeEvent;

/** The change events an ingest job carries, whichever its shape. */
export function eventsOfIngestJob(data: IngestJobData): ChangeEvent[] {
  return 'events' in data ? data.events : [data];
}

/**
 * Most events one ingest job carries: a HubSpot webhook request holds up to 100
 * (https://developers.hubspot.com/docs/api/webhooks), a Salesforce outbound message up to 100
 * notifications; a bigger poll page is split.
 */
export const INGEST_JOB_MAX_EVENTS = 100;

export type IngestQueue = Queue<IngestJobData>;

export function createIngestQueue(
  connection: ConnectionOptions,
  logger: Logger,
  prefix = DEFAULT_QUEUE_PREFIX,
): IngestQueue {
  const queue = new Queue<IngestJobData>(QUEUE_NAMES.ingest, {
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

/**
 * Deterministic id of the job carrying `events`: a redelivery of the same events (a HubSpot retry of the
 * same request) gets the same id, so BullMQ ignores it. One event keeps the id it had as a one-event job.
 */
export function ingestBatchJobId(events: Array<Pick<ChangeEvent, 'tenant' | 'system' | 'dedupKey'>>): string {
  if (events.length === 1) return ingestJobId(events[0]!);
  const identities = events.map((event) => `${event.tenant}\u0000${event.system}\u0000${event.dedupKey}`);
  const digest = hash('sha256', identities.sort().join('\u0001'), 'hex');
  return `evs-${digest.slice(0, 40)}`;
}

/**
 * The ingest jobs of `events`, each validated: one job per lane and per `INGEST_JOB_MAX_EVENTS`, in
 * order, named by system and kind (one event) or system, deterministic id.
 */
export function ingestJobs(events: ChangeEvent[]): IngestJob[] {
  const lanes = { rep: [] as ChangeEvent[], routine: [] as ChangeEvent[] };
  for (const event of events) {
    const valid = ChangeEvent.parse(event);
    lanes[laneOf(valid)].push(valid);
  }
  const jobs: IngestJob[] = [];
  for (const lane of ['rep', 'routine'] as const) {
    for (let start = 0; start < lanes[lane].length; start += INGEST_JOB_MAX_EVENTS) {
      const chunk = lanes[lane].slice(start, start + INGEST_JOB_MAX_EVENTS);
      const opts: IngestJob['opts'] = { jobId: ingestBatchJobId(chunk) };
      // BullMQ takes jobs without a priority before prioritized ones: a rep's change (an outbound message)
      // overtakes a backlog of routine events, e.g. the webhook echoes of a running backfill's writes.
      // https://docs.bullmq.io/guide/jobs/prioritized
      if (lane === 'routine') opts.priority = ROUTINE_INGEST_PRIORITY;
      const systems = new Set(chunk.map((event) => event.system));
      const name =
        chunk.length === 1 ? `${chunk[0]!.system}-${chunk[0]!.kind}` : `${[...systems].join('-')}-events`;
      jobs.push({ name, data: { events: chunk }, opts });
    }
  }
  return jobs;
}

/** BullMQ priority of routine ingest jobs (any priority ranks after the rep lane's unprioritized jobs). */
export const ROUTINE_INGEST_PRIORITY = 1;

/** One job as `addBulk` takes it. */
export interface IngestJob {
  name: string;
  data: { events: ChangeEvent[] };
  opts: { jobId: string; priority?: number };
}

/**
 * Validates and adds change events in one round trip, as few jobs (one per lane for up to
 * `INGEST_JOB_MAX_EVENTS` events). Resolves only once Redis has them, so a webhook
 * route may acknowledge after awaiting it.
 */
export async function enqueueChangeEvents(queue: IngestQueue, events: ChangeEvent[]): Promise<number> {
  if (events.length === 0) return 0;
  await queue.addBulk(ingestJobs(events));
  return events.length;
}
