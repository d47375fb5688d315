import type { ChangeEvent } from '../src/domain/change-event.ts';
import { ingestJobs, type IngestJob, type IngestQueue } from './ingest-queue.ts';

/** Most events one coalesced `addBulk` carries; a group that reaches it is sent at once. */
export const COALESCE_MAX_EVENTS = 1_000;

/**
 * Coalesced `addBulk` calls in flight at once. With one, every request waited for the Redis round trip
 * ahead of its group while the route sat idle, and a slow Redis (a busy one, or one across a network)
 * capped the route at one group per round trip; with four, groups are built and sent while Redis stores
 * the earlier ones, and at 10 concurrent requests they still carry two or three requests each. Measured
 * with `bench/webhook-ingest.ts`' load on a shared 2-core machine: 1, 2 and 4 in flight made 0.74, 0.87
 * and 1.02 of the bare receiver's req/s (medians of 10 alternating rounds; load average 12, so noisy).
 */
export const COALESCE_MAX_IN_FLIGHT = 4;

export interface IngestCoalescerOptions {
  /** Most events in one `addBulk` (default {@link COALESCE_MAX_EVENTS}); a caller's events are never split. */
  maxEvents?: number;
  /** Most `addBulk` calls in flight at once, at least 1 (default {@link COALESCE_MAX_IN_FLIGHT}). */
  maxInFlight?: number;
}

interface Waiter {
  count: number;
  resolve: (count: number) => void;
  reject: (error: unknown) => void;
}

interface Group {
  jobs: IngestJob[];
  events: number;
  waiters: Waiter[];
}

/**
 * Adds the change events of concurrent callers (webhook requests) in shared `addBulk` calls, a group
 * commit: while `maxInFlight` `addBulk`s are in flight the next callers gather, and they go out together as
 * soon as one is back; below that, a caller's events go out right after the current event-loop turn
 * (`setImmediate`), so a lone request waits for nothing. Under load a Redis round trip, its MULTI and
 * BullMQ's per-call work then serve many requests instead of one each.
 *
 * Groups go out in the order they were gathered, all on the queue's one connection, so Redis stores them in
 * that order. Each caller's promise resolves only once Redis has its jobs, and rejects when its group's
 * `addBulk` failed (the other groups are not affected), so a route still acknowledges only what is stored
 * (the jobs' deterministic ids make a redelivery after a failure harmless). A caller's invalid event rejects
 * that caller alone, before anything joins a group.
 */
export class IngestCoalescer {
  private readonly queue: IngestQueue;
  private readonly maxEvents: number;
  private readonly maxInFlight: number;
  private next: Group = { jobs: [], events: 0, waiters: [] };
  private inFlight = 0;
  private scheduled = false;

  constructor(queue: IngestQueue, options: IngestCoalescerOptions = {}) {
    this.queue = queue;
    this.maxEvents = options.maxEvents ?? COALESCE_MAX_EVENTS;
    this.maxInFlight = Math.max(1, options.maxInFlight ?? COALESCE_MAX_IN_FLIGHT);
  }

  /**
   * Validates `events` and queues them with the other callers', as the caller's own jobs (one per lane:
   * jobs/ingest-queue.ts, so a redelivery of the same request is deduplicated); resolves with how many
   * events were added.
   */
  add(events: ChangeEvent[]): Promise<number> {
    if (events.length === 0) return Promise.resolve(0);
    let jobs: IngestJob[];
    try {
      jobs = ingestJobs(events);
    } catch (error) {
      return Promise.reject(error);
    }
    return new Promise<number>((resolve, reject) => {
      const group = this.next;
      group.jobs.push(...jobs);
      group.events += events.length;
      group.waiters.push({ count: events.length, resolve, reject });
      if (group.events >= this.maxEvents) this.send();
      else if (this.inFlight < this.maxInFlight && !this.scheduled) {
        this.scheduled = true;
        setImmediate(() => {
          this.scheduled = false;
          if (this.inFlight < this.maxInFlight) this.send();
        });
      }
    });
  }

  /** Sends the gathered group; when it is back, the group gathered meanwhile. */
  private send(): void {
    const { jobs, waiters } = this.next;
    if (waiters.length === 0) return;
    this.next = { jobs: [], events: 0, waiters: [] };
    this.inFlight += 1;
    const settle = (outcome: (waiter: Waiter) => void) => {
      this.inFlight -= 1;
      waiters.forEach(outcome);
      if (this.inFlight < this.maxInFlight) this.send();
    };
    new Promise((resolve) => resolve(this.queue.addBulk(jobs))).then(
      () => settle((waiter) => waiter.resolve(waiter.count)),
      (error: unknown) => settle((waiter) => waiter.reject(error)),
    );
  }
}
