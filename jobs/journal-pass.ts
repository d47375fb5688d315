import { journalChangeEvents } from '../connectors/hubspot/journal-events.ts';
import { readEarliest, readNext, type JournalRead } from '../connectors/hubspot/journal-client.ts';
import type { ChangeEvent } from '../src/domain/change-event.ts';
import type { JournalOffsetStore } from '../src/store/journal-offsets.ts';
import type { EngineDeps } from './engine.ts';

export interface JournalPassDeps {
  engine: Pick<EngineDeps, 'connectors' | 'logger' | 'now'>;
  offsets: JournalOffsetStore;
  /** Hands a file's events on (the ingest queue); must resolve only once they are safely stored. */
  sink(events: ChangeEvent[]): Promise<void>;
  /** Starts a poll-based catch-up of the tenant's HubSpot side (a poll job now). */
  catchUp(tenant: string): Promise<void>;
}

export interface JournalPassResult {
  tenant: string;
  /** Journal files read. */
  files: number;
  /** Change events enqueued. */
  events: number;
  /** Offset stored at the end of the pass (null: nothing read yet). */
  offset: string | null;
  /** True when the stored offset had left the journal's retention and a poll catch-up was started. */
  caughtUp: boolean;
  /** True when the pass reached the end of the journal. */
  done: boolean;
}

/**
 * Reads one tenant's Webhooks Journal from its stored offset, file by file, until the end or `maxFiles`.
 * Each file's events go to the sink first; the file's offset is stored only after the sink resolved, so a
 * crash in between reads the file again (the ingest queue drops the repeats) and never loses it. With no
 * stored offset it starts at the earliest file kept. When the stored offset is older than the journal's
 * 3-day retention, events were missed: it starts a poll-based catch-up (the poller reads everything changed
 * since its own cursor), says so in the log and the stored position, and resumes from the earliest file.
 */
export async function journalPass(
  deps: JournalPassDeps,
  tenant: string,
  options: { maxFiles?: number } = {},
): Promise<JournalPassResult> {
  const connectors = deps.engine.connectors.get(tenant);
  if (!connectors) throw new Error(`no connectors for tenant "${tenant}"`);
  const client = connectors.hubspot.client;
  const maxFiles = options.maxFiles ?? 50;
  const stored = await deps.offsets.get(tenant);
  const result: JournalPassResult = {
    tenant,
    files: 0,
    events: 0,
    offset: stored?.offset ?? null,
    caughtUp: false,
    done: false,
  };
  let lastCatchUpAt = stored?.lastCatchUpAt;
  while (result.files < maxFiles) {
    let read: JournalRead =
      result.offset === null ? await readEarliest(client) : await readNext(client, result.offset);
    if (read.kind === 'expired') {
      deps.engine.logger.warn(
        { tenant, offset: result.offset, detail: read.detail },
        'HubSpot journal offset is older than the journal keeps (3 days): catching up by polling, then reading the journal from its earliest file',
      );
      await deps.catchUp(tenant);
      result.caughtUp = true;
      lastCatchUpAt = deps.engine.now().toISOString();
      read = await readEarliest(client);
      if (read.kind === 'end') {
        // Nothing kept at all: forget the stale offset so the next pass starts cleanly.
        await deps.offsets.clear(tenant);
        result.offset = null;
      }
    }
    if (read.kind !== 'page') {
      result.done = true;
      break;
    }
    const { events } = journalChangeEvents(tenant, read.events);
    await deps.sink(events);
    await deps.offsets.set(tenant, {
      offset: read.offset,
      updatedAt: deps.engine.now().toISOString(),
      ...(lastCatchUpAt ? { lastCatchUpAt } : {}),
    });
    result.offset = read.offset;
    result.files += 1;
    result.events += events.length;
  }
  deps.engine.logger.debug(result, 'journal pass');
  return result;
}
