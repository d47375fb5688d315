import type { ChangeEvent } from '../src/domain/change-event.ts';
import type { SystemName } from '../src/domain/lead.ts';
import { withRetries, type RetryOptions } from './batch-retry.ts';
import type { EngineDeps } from './engine.ts';
import { pageEvents } from './poll-events.ts';

export interface PollPassDeps {
  engine: Pick<EngineDeps, 'connectors' | 'cursors' | 'logger' | 'now' | 'health'>;
  /** Hands a page's events on (the ingest queue); must resolve only once they are safely stored. */
  sink(events: ChangeEvent[]): Promise<void>;
}

export interface PollPassOptions {
  /** Most pages one pass reads (default unbounded); a pass that stops early reports `done: false`. */
  maxPages?: number;
  /**
   * Retry each page read on a transient error (5xx, timeout, expired token) or a short rate limit before
   * the pass fails. A one-shot pass (`sync --once`) has no job retry behind it; a poll job leaves this
   * unset and lets BullMQ's backoff retry the job.
   */
  retries?: RetryOptions;
}

export interface PollPassResult {
  tenant: string;
  system: SystemName;
  pages: number;
  records: number;
  deleted: number;
  /** Our own writes coming back, skipped. */
  echoes: number;
  /** True when the poller caught up. */
  done: boolean;
}

/**
 * Polls one system of one tenant from its stored cursor, page by page, until it has caught up or read
 * `maxPages`. Each page's events are handed to the sink first and the page's cursor is committed only
 * after the sink resolved: a crash in between polls the page again (the ingest queue's job ids drop the
 * repeats), while committing first could lose the page.
 */
export async function pollPass(
  deps: PollPassDeps,
  tenant: string,
  system: SystemName,
  options: PollPassOptions = {},
): Promise<PollPassResult> {
  const { engine } = deps;
  const connectors = engine.connectors.get(tenant);
  if (!connectors) throw new Error(`no connectors for tenant "${tenant}"`);
  const connector = connectors[system];
  const maxPages = options.maxPages ?? Number.POSITIVE_INFINITY;
  const result: PollPassResult = { tenant, system, pages: 0, records: 0, deleted: 0, echoes: 0, done: false };
  let cursor = await engine.cursors.getCursor(tenant, system);
  while (result.pages < maxPages) {
    const now = engine.now();
    const from = cursor;
    const read = () => connector.poll(from, now);
    const page = options.retries ? await withRetries(read, engine.logger, options.retries) : await read();
    const { events, echoes } = pageEvents(tenant, system, page, now);
    await deps.sink(events);
    await page.acknowledge?.();
    if (page.next) {
      await engine.cursors.setCursor(tenant, system, page.next);
      cursor = page.next;
    }
    result.pages += 1;
    result.records += page.records.length;
    result.deleted += page.deletedIds.length;
    result.echoes += echoes;
    if (page.done) {
      result.done = true;
      break;
    }
    if (!page.next) {
      // Not caught up, yet no position to go on from: asking again would read the same page forever.
      engine.logger.warn({ tenant, system }, 'poller returned an unfinished page without a cursor');
      break;
    }
  }
  if (result.done) await engine.health?.recordPoll(tenant, system, engine.now());
  engine.logger.debug(result, 'poll pass');
  return result;
}
