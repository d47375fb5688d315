import { RateLimitError, type Job } from 'bullmq';
import { RateLimitedError } from '../src/errors/rate-limited-error.ts';
import type { EngineDeps } from './engine.ts';
import { enqueueChangeEvents, type IngestQueue } from './ingest-queue.ts';
import { pollPass, type PollPassResult } from './poll-pass.ts';
import { PollJob, schedulePollFollowUp, type PollQueue } from './poll-queue.ts';

/** Pages one scheduled poll reads at most, so a mass update cannot hold a worker for long. */
export const POLL_PAGES_PER_RUN = 50;

export interface PollProcessorDeps {
  engine: EngineDeps;
  ingestQueue: IngestQueue;
  pollQueue: Pick<PollQueue, 'rateLimit' | 'add'>;
  /** Pages per run (default {@link POLL_PAGES_PER_RUN}). */
  maxPages?: number;
}

/**
 * The poll queue's processor: one bounded pass of one tenant's system into the ingest queue, cursor
 * committed per page after its events are enqueued; when the bound stopped it, a follow-up job goes on
 * at once. A rate-limited API pauses the poll queue without burning an attempt.
 */
export function pollProcessor(deps: PollProcessorDeps): (job: Job) => Promise<PollPassResult> {
  return async (job) => {
    const data = PollJob.parse(job.data);
    try {
      const result = await pollPass(
        {
          engine: deps.engine,
          sink: async (events) => {
            await enqueueChangeEvents(deps.ingestQueue, events);
          },
        },
        data.tenant,
        data.system,
        { maxPages: deps.maxPages ?? POLL_PAGES_PER_RUN },
      );
      if (!result.done) await schedulePollFollowUp(deps.pollQueue, data);
      return result;
    } catch (error) {
      if (error instanceof RateLimitedError) {
        await deps.pollQueue.rateLimit(error.waitMs);
        throw new RateLimitError();
      }
      throw error;
    }
  };
}
