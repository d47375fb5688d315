import { Queue, type ConnectionOptions } from 'bullmq';
import { z } from 'zod';
import type { ReconcileLane } from '../src/domain/reconcile-lane.ts';
import type { Logger } from '../src/log/logger.ts';
import { DEFAULT_QUEUE_PREFIX, QUEUE_NAMES, queuePrefix } from './queue-names.ts';

/**
 * A reconcile job names its tenant and shard: the records come from the tenant's pending sets when it
 * runs, its shard's first (jobs/pending-refs.ts). Jobs queued before shards existed have no shard: 0.
 */
export const ReconcileJob = z.object({
  tenant: z.string().min(1),
  shard: z.number().int().min(0).default(0),
});
export type ReconcileJob = z.infer<typeof ReconcileJob>;

export type ReconcileQueue = Queue<z.input<typeof ReconcileJob>>;

/**
 * BullMQ priorities of the lanes (lower runs first): a rep's change or an SLA action overtakes every
 * routine job waiting in the queue, whichever tenant it belongs to.
 * https://docs.bullmq.io/guide/jobs/prioritized
 */
export const LANE_PRIORITY: Record<ReconcileLane, number> = { rep: 1, routine: 10 };

export interface ScheduleOptions {
  /** The shard whose records the job takes first (default 0). */
  shard?: number;
  /** The lane of the change that asks for the job (default `routine`). */
  lane?: ReconcileLane;
  /**
   * A job for when a claim's lease ends (a dead batch's records return then): coarse slots of
   * {@link RECOVERY_SLOT_MS}, run at the end of the slot, so running batches' leases add few jobs.
   */
  recovery?: boolean;
}

/** Slot width of recovery jobs, in milliseconds. */
export const RECOVERY_SLOT_MS = 10_000;

export function createReconcileQueue(
  connection: ConnectionOptions,
  logger: Logger,
  prefix = DEFAULT_QUEUE_PREFIX,
): ReconcileQueue {
  const queue = new Queue<z.input<typeof ReconcileJob>>(QUEUE_NAMES.reconcile, {
    connection,
    prefix: queuePrefix(prefix, 'reconcile'),
    defaultJobOptions: {
      // A failed batch puts its records back first, so exhausting the attempts drops nothing: the next
      // change or poll of the tenant schedules a new job that finds them still pending.
      attempts: 10,
      backoff: { type: 'exponential', delay: 1_000, jitter: 0.5 },
      removeOnComplete: { count: 1_000 },
      removeOnFail: { age: 7 * 24 * 3600 },
    },
  });
  queue.on('error', (error) => logger.warn({ err: error, queue: QUEUE_NAMES.reconcile }, 'queue error'));
  return queue;
}

/**
 * Width of a scheduling slot, in milliseconds: requests for a shard's job due within one slot share a job
 * (deduplicated), requests for different slots get jobs of their own. A job delayed for a hot record or a
 * dead batch's lease never holds back an earlier request, as one job per shard would.
 */
export const SCHEDULE_SLOT_MS = 250;

/**
 * How far past a slot boundary (milliseconds) a requested run time may fall and still count as that
 * boundary. A caller computes its delay a little before the job is added (its clock read, a Redis round
 * trip), so a delay aimed at a boundary (the batch grid, a fixed debounce's tick) arrives a few
 * milliseconds past it; rounded up, it would wait a whole slot more (250 ms, which the change-latency
 * bench saw on most batches). The reconcile processor takes records due within the same tolerance, so a
 * job that runs this much before a record's due instant still takes it.
 */
export const SLOT_TOLERANCE_MS = 20;

/**
 * The scheduling slot of a request `delayMs` from `nowMs` (epoch ms) and when its job runs: at the end
 * of the slot (never earlier than `toleranceMs` before the requested time), or at once when due now.
 */
export function scheduleSlot(
  nowMs: number,
  delayMs: number,
  width: number,
  toleranceMs: number,
): { slot: number; runAt: number } {
  // Never early: a delayed job runs at the end of its slot (a rate-limited tenant waits the whole wait);
  // one due now runs now, deduplicated with the slot it falls in.
  if (!(delayMs > 0)) return { slot: Math.floor(nowMs / width), runAt: nowMs };
  const slot = Math.ceil((nowMs + Math.max(0, delayMs - toleranceMs)) / width);
  return { slot, runAt: Math.max(nowMs, slot * width) };
}

/**
 * Makes sure a reconcile job of the tenant's shard runs in `delayMs` (milliseconds), at most one slot
 * later: at the end of the scheduling slot it falls in (at once when it is due now). Deduplicated by tenant, shard, lane and slot with `keepLastIfActive`: while that job is
 * waiting or delayed, further calls are no-ops (it will find the new records); while it runs, one
 * follow-up is kept and started when it finishes, so a record added just after the running job looked
 * is never left without a job. A rep-lane job has ids of its own and a higher priority. One active batch
 * per shard is the pending set's rule (jobs/pending-refs.ts), not the queue's: extra jobs find nothing
 * to take and end.
 * https://docs.bullmq.io/guide/jobs/deduplication
 */
export async function scheduleReconcile(
  queue: ReconcileQueue,
  tenant: string,
  delayMs: number,
  options: ScheduleOptions = {},
  added?: AddedSlots,
): Promise<void> {
  const shard = options.shard ?? 0;
  const lane = options.lane ?? 'routine';
  const now = Date.now();
  const { slot, runAt } = options.recovery
    ? scheduleSlot(now, delayMs, RECOVERY_SLOT_MS, 0)
    : scheduleSlot(now, delayMs, SCHEDULE_SLOT_MS, SLOT_TOLERANCE_MS);
  const kind = options.recovery ? 'lease' : lane;
  const id = `reconcile-${tenant}-${shard}-${kind}-${slot}`;
  const add = (delay: number) =>
    queue.add(
      'reconcile',
      { tenant, shard },
      { delay, priority: LANE_PRIORITY[lane], deduplication: { id, keepLastIfActive: true } },
    );
  if (added?.pending(id, now)) {
    // Skipped on this clock's word; once the job surely started, one add keeps a follow-up for it.
    added.recheck(id, now, async () => {
      await add(0);
    });
    return;
  }
  await add(Math.max(0, runAt - now));
  added?.remember(id, runAt, now);
}

/**
 * How long before its run time a delayed job this process added is still taken as not started, in
 * milliseconds. Another process's clock may run ahead by more (BullMQ promotes a delayed job by the clock
 * of the worker that moves it): a request skipped then is covered by `AddedSlots.recheck`.
 */
export const ADDED_SLOT_MARGIN_MS = 50;

/**
 * How long after its run time (by this clock) a remembered job that requests were skipped for is asked
 * for once more, in milliseconds: one scheduling slot, past the clock skew between processes.
 */
export const ADDED_SLOT_RECHECK_MS = SCHEDULE_SLOT_MS;

export interface AddedSlotsOptions {
  /** Runs `run` after `delayMs` milliseconds (default: an unref'd setTimeout); tests pass their own. */
  later?: (run: () => void, delayMs: number) => void;
}

/**
 * The delayed reconcile jobs this process added and that cannot have started yet, by deduplication id.
 * Adding the same id again before its run time is a no-op in BullMQ (the job is delayed, so it is
 * deduplicated), yet costs a round trip and a script of about a quarter of a millisecond of this
 * process's CPU; a mass change asks for the same slot's job hundreds of times (once per change event).
 * A job due at once is never remembered: once it may have started, an add keeps its follow-up.
 *
 * "Cannot have started" is this process's clock's view. A worker whose clock runs ahead may start the
 * job while requests here are still skipped; a record added after the job took its batch would then
 * wait for the next change. So the first skipped request arms one re-add a slot after the run time
 * (`ADDED_SLOT_RECHECK_MS`): BullMQ keeps it as the running job's follow-up, starts a job at once when
 * the job is done, and drops it while the job is still delayed. One add per slot, not per request.
 */
export class AddedSlots {
  readonly #runAt = new Map<string, number>();
  /** Ids a re-add is armed for. */
  readonly #armed = new Set<string>();
  readonly #later: (run: () => void, delayMs: number) => void;

  constructor(options: AddedSlotsOptions = {}) {
    this.#later =
      options.later ??
      ((run, delayMs) => {
        setTimeout(run, delayMs).unref();
      });
  }

  /** True when the job `id` was added here and runs more than the margin after `nowMs` (epoch ms). */
  pending(id: string, nowMs: number): boolean {
    const runAt = this.#runAt.get(id);
    return runAt !== undefined && nowMs < runAt - ADDED_SLOT_MARGIN_MS;
  }

  /**
   * A request for the remembered job `id` was skipped at `nowMs` (epoch ms): arms `readd` for a slot
   * after the job's run time, once per job.
   */
  recheck(id: string, nowMs: number, readd: () => Promise<void>): void {
    const runAt = this.#runAt.get(id);
    if (runAt === undefined || this.#armed.has(id)) return;
    this.#armed.add(id);
    this.#later(
      () => {
        this.#armed.delete(id);
        readd().catch(() => {
          // Redis away: the records wait for the next change's job, as they would without the re-add.
        });
      },
      runAt + ADDED_SLOT_RECHECK_MS - nowMs,
    );
  }

  /** Remembers the job `id`, added at `nowMs` to run at `runAt` (epoch ms); jobs due at once are not. */
  remember(id: string, runAt: number, nowMs: number): void {
    if (runAt - ADDED_SLOT_MARGIN_MS <= nowMs) return;
    this.#runAt.set(id, runAt);
    // Slots pass every quarter second: drop the ones that ran, so the map stays the size of the next few.
    if (this.#runAt.size > 256)
      for (const [key, at] of this.#runAt) if (at - ADDED_SLOT_MARGIN_MS <= nowMs) this.#runAt.delete(key);
  }
}
