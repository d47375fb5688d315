import { setTimeout as sleep } from 'node:timers/promises';
import type { PendingRefs } from './pending-refs.ts';

export interface YieldOptions {
  /** Longest a backfill batch waits for the rep lane (a rep's change, an SLA action), in milliseconds. */
  maxRepWaitMs?: number;
  /** Longest a backfill batch waits for due routine changes (score refreshes), in milliseconds. */
  maxRoutineWaitMs?: number;
  /** Pause between two looks at the lanes, in milliseconds. */
  pollMs?: number;
  sleep?: (ms: number) => Promise<unknown>;
  now?: () => number;
}

/** Defaults: a rep's change waits for nothing; routine changes get a short head start per batch. */
export const BACKFILL_YIELD_DEFAULTS = { maxRepWaitMs: 10_000, maxRoutineWaitMs: 500, pollMs: 50 };

/**
 * Priority lanes for the backfill, which reconciles pages in its own process, outside the queues: before
 * each batch it lets the tenant's live work go first, so a rep's change made during a large backfill does
 * not queue behind it for the API budget. It waits while a rep-lane record is pending or a batch with
 * one runs (at most `maxRepWaitMs`), then while routine records are due (at most `maxRoutineWaitMs`:
 * a steady stream of score refreshes slows the backfill, never stops it). Returns the milliseconds waited.
 */
export async function yieldToLanes(
  pending: Pick<PendingRefs, 'laneWork'>,
  tenant: string,
  options: YieldOptions = {},
): Promise<number> {
  const { maxRepWaitMs, maxRoutineWaitMs, pollMs } = { ...BACKFILL_YIELD_DEFAULTS, ...options };
  const pause = options.sleep ?? sleep;
  const now = options.now ?? Date.now;
  const started = now();
  for (;;) {
    let work: { rep: number; routine: number };
    try {
      work = await pending.laneWork(tenant, now());
    } catch {
      // Redis away: the batch itself will ride out the outage; yielding is only a courtesy.
      return now() - started;
    }
    const waited = now() - started;
    const repWaiting = work.rep > 0 && waited < maxRepWaitMs;
    const routineWaiting = work.routine > 0 && waited < maxRoutineWaitMs;
    if (!repWaiting && !routineWaiting) return waited;
    await pause(pollMs);
  }
}
