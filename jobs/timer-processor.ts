import type { Job } from 'bullmq';
import { foldLedger } from '../src/domain/ledger-fold.ts';
import { openTimers } from '../src/domain/ledger-timers.ts';
import type { EngineDeps } from './engine.ts';
import type { PendingRef, PendingRefs } from './pending-refs.ts';
import type { ScheduleOptions } from './reconcile-queue.ts';
import { TimerJob } from './timer-queue.ts';

export interface TimerProcessorDeps {
  engine: Pick<EngineDeps, 'config' | 'ledger' | 'links' | 'now' | 'logger'>;
  pending: Pick<PendingRefs, 'add' | 'shardOf'>;
  /** Makes sure a reconcile of the tenant's shard runs within `delayMs` milliseconds. */
  schedule(tenant: string, delayMs: number, options?: ScheduleOptions): Promise<void>;
}

export interface TimerOutcome {
  fired: boolean;
  /** Why nothing was done: the lead moved on (deadline met, new episode, no longer rejected) or is gone. */
  skipped?: 'moved_on' | 'no_link';
  /** Milliseconds between the due time and the job running. */
  lateMs: number;
}

/**
 * A deadline fell due: if the lead's ledger still holds it open, the lead is reconciled at once, and that
 * pass records the breach, reminder or recycle (at the due time) and writes it to both sides; otherwise
 * nothing happens. Firing twice records nothing twice: the first pass closes the deadline in the ledger.
 */
export function timerProcessor(deps: TimerProcessorDeps): (job: Job) => Promise<TimerOutcome> {
  return async (job) => {
    const timer = TimerJob.parse(job.data);
    const { engine } = deps;
    const now = engine.now().getTime();
    const lateMs = now - Date.parse(timer.dueAt);
    const { entries } = await engine.ledger.read(timer.tenant, timer.leadKey);
    const state = foldLedger(entries, engine.config.lifecycle.handoffStage);
    const open = openTimers(state).some(
      (candidate) =>
        candidate.name === timer.name &&
        candidate.episode === timer.episode &&
        candidate.dueAt === timer.dueAt,
    );
    if (!open) return { fired: false, skipped: 'moved_on', lateMs };
    const link = await engine.links.get(timer.tenant, timer.leadKey);
    if (!link) return { fired: false, skipped: 'no_link', lateMs };
    const occurredAt = new Date(now).toISOString();
    const refs: PendingRef[] = [];
    const leadKey = timer.leadKey;
    if (link.hubspot)
      refs.push({ system: 'hubspot', id: link.hubspot, source: 'timer', occurredAt, leadKey });
    const salesforce = link.salesforceContact ?? link.salesforceLead;
    if (salesforce) refs.push({ system: 'salesforce', id: salesforce, source: 'timer', occurredAt, leadKey });
    if (refs.length === 0) return { fired: false, skipped: 'no_link', lateMs };
    // An SLA action travels in the rep lane: due at once, before routine records.
    await deps.pending.add(timer.tenant, refs, now, 'rep');
    await deps.schedule(timer.tenant, 0, {
      shard: deps.pending.shardOf(timer.tenant, refs[0]!),
      lane: 'rep',
    });
    engine.logger.debug({ timer, lateMs }, 'timer fired');
    return { fired: true, lateMs };
  };
}
