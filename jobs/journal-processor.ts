import type { Job } from 'bullmq';
import { RateLimitedError } from '../src/errors/rate-limited-error.ts';
import type { JournalOffsetStore } from '../src/store/journal-offsets.ts';
import type { EngineDeps } from './engine.ts';
import { enqueueChangeEvents, type IngestQueue } from './ingest-queue.ts';
import { journalPass, type JournalPassResult } from './journal-pass.ts';
import { JournalJob, scheduleJournalFollowUp, type JournalQueue } from './journal-queue.ts';
import { schedulePollFollowUp, type PollQueue } from './poll-queue.ts';

export interface JournalProcessorDeps {
  engine: EngineDeps;
  offsets: JournalOffsetStore;
  ingestQueue: IngestQueue;
  journalQueue: Pick<JournalQueue, 'add'>;
  /** Where a catch-up poll goes when the stored offset has left the journal's retention. */
  pollQueue: Pick<PollQueue, 'add'>;
  /** Files per run (default 50). */
  maxFiles?: number;
}

/**
 * The journal queue's processor: one bounded pass of one tenant's Webhooks Journal into the ingest queue,
 * offset committed per file after its events are enqueued; a follow-up job when the bound stopped it. A
 * rate-limited read defers this tenant only (the files read stay committed).
 */
export function journalProcessor(
  deps: JournalProcessorDeps,
): (job: Job) => Promise<JournalPassResult | { tenant: string; deferredMs: number }> {
  return async (job) => {
    const { tenant } = JournalJob.parse(job.data);
    try {
      const result = await journalPass(
        {
          engine: deps.engine,
          offsets: deps.offsets,
          sink: async (events) => {
            await enqueueChangeEvents(deps.ingestQueue, events);
          },
          catchUp: (id) => schedulePollFollowUp(deps.pollQueue, { tenant: id, system: 'hubspot' }),
        },
        tenant,
        deps.maxFiles === undefined ? {} : { maxFiles: deps.maxFiles },
      );
      if (!result.done) await scheduleJournalFollowUp(deps.journalQueue, tenant);
      return result;
    } catch (error) {
      if (error instanceof RateLimitedError) {
        await deps.journalQueue.add('journal', { tenant }, { delay: error.waitMs });
        return { tenant, deferredMs: error.waitMs };
      }
      throw error;
    }
  };
}
