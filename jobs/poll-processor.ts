import type { Job } from 'bullmq';
import { RateLimitedError } from '../src/errors/rate-limited-error.ts';
import { parkPermanent } from './park.ts';
import type { EngineDeps } from './engine.ts';
import { enqueueChangeEvents, type IngestQueue } from './ingest-queue.ts';
import { pollPass, type PollPassResult } from './poll-pass.ts';
import { PollJob, schedulePollFollowUp, type PollQueue } from './poll-queue.ts';

/** Pages one scheduled poll reads at most, so a mass update cannot hold a worker for long. */
export const POLL_PAGES_PER_RUN = 50;

export interface PollProcessorDeps {
  engine: EngineDeps;
  ingestQueue: IngestQueue;
  pollQueue: Pick<PollQueue, 'add'>;
  /** Pages per run (default {@link POLL_PAGES_PER_RUN}). */
  maxPages?: number;
}

/** A poll run's outcome; `deferredMs` when the API said "slow down" and this tenant's poll waits that long. */
export type PollRunResult = PollPassResult & { deferredMs?: number };

/**
 * The poll queue's processor: one bounded pass of one tenant's system into the ingest queue, cursor
 * committed per page after its events are enqueued; when the bound stopped it, a follow-up job goes on
 * at once. A rate-limited API defers only this tenant's system: the pages already read stay committed,
 * a follow-up runs after the API's wait, and the job completes without burning an attempt (pausing the
 * whole queue would stall every other tenant behind one org's exhausted limit).
 */
export function pollProcessor(deps: PollProcessorDeps): (job: Job) => Promise<PollRunResult> {
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
        deps.engine.logger.info(
          { tenant: data.tenant, system: data.system, waitMs: error.waitMs, policy: error.policy },
          'poll rate limited; deferred',
        );
        await schedulePollFollowUp(deps.pollQueue, data, error.waitMs);
        return {
          tenant: data.tenant,
          system: data.system,
          pages: 0,
          records: 0,
          deleted: 0,
          echoes: 0,
          done: false,
          deferredMs: error.waitMs,
        };
      }
      throw parkPermanent(error);
    }
  };
}
