import { UnrecoverableError, type Job, type Processor } from 'bullmq';
import { deliver } from './deliver.ts';
import type { NotifyDeps } from './notify-deps.ts';
import { NotifyJob } from './notify-jobs.ts';
import { prepare } from './prepare.ts';
import { fireTimer } from './timer.ts';

/** The notify queue's processor: prepare (owner + event), deliver (one channel), timer (escalation). */
export function notifyProcessor(deps: NotifyDeps): Processor {
  return async (job: Job) => {
    const parsed = NotifyJob.safeParse(job.data);
    if (!parsed.success)
      throw new UnrecoverableError(`malformed notify job: ${parsed.error.issues[0]?.message}`);
    const data = parsed.data;
    switch (data.kind) {
      case 'prepare':
        return prepare(deps, data.draft);
      case 'deliver':
        return deliver(deps, job, data.event, data.channel);
      case 'timer':
        return fireTimer(deps, data.step, data.draft);
    }
  };
}
