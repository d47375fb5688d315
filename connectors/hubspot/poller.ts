import type { PollCursor } from '../types.ts';
import type { HubSpotClient } from './client.ts';
import { SEARCH_PAGE_MAX } from './limits.ts';
import {
  afterPage,
  capAtHorizon,
  cursorFromKeyset,
  keysetFromCursor,
  modeOf,
  searchRequest,
  type Keyset,
  type PollMode,
} from './poll-window.ts';
import type { HubSpotContact } from './schemas.ts';

export interface PollOptions {
  /** Properties to read for each contact. */
  properties: string[];
  /** How far behind `now` a finished pass leaves its cursor, in milliseconds (search-index lag). */
  overlapMs: number;
  /** Results per search page; the API's maximum is 200. */
  pageSize?: number;
}

export interface ContactPollPage {
  contacts: HubSpotContact[];
  next: PollCursor;
  /** True when the pass has caught up; the next pass starts from `next`. */
  done: boolean;
}

function modifiedAtMs(contact: HubSpotContact): number {
  const value = contact.properties.lastmodifieddate;
  const at = value ? (/^\d+$/.test(value) ? Number(value) : Date.parse(value)) : NaN;
  return Number.isNaN(at) ? Date.parse(contact.updatedAt) : at;
}

/**
 * One page of contacts modified after `cursor`, oldest first, through the search API sorted by
 * lastmodifieddate (the list endpoint cannot filter by time). Usually one search call; two when a
 * single timestamp fills a whole page (a mass update) and its drain by id starts at once.
 */
export async function pollContacts(
  client: HubSpotClient,
  cursor: PollCursor | null,
  now: Date,
  options: PollOptions,
): Promise<ContactPollPage> {
  const limit = Math.min(options.pageSize ?? SEARCH_PAGE_MAX, SEARCH_PAGE_MAX);
  const properties = options.properties.includes('lastmodifieddate')
    ? options.properties
    : [...options.properties, 'lastmodifieddate'];
  let keyset: Keyset = keysetFromCursor(cursor, now.getTime(), options.overlapMs);
  let mode: PollMode = modeOf(keyset);
  for (;;) {
    const page = await client.search(searchRequest(keyset, mode, properties, limit));
    const outcome = afterPage(
      keyset,
      mode,
      page.results.map((contact) => ({ id: contact.id, at: modifiedAtMs(contact) })),
      limit,
    );
    if (outcome.drainNext) {
      keyset = outcome.next;
      mode = 'drain';
      continue;
    }
    const next = outcome.exhausted
      ? capAtHorizon(outcome.next, now.getTime() - options.overlapMs)
      : outcome.next;
    return {
      contacts: page.results.slice(0, outcome.take),
      next: cursorFromKeyset(next),
      done: outcome.exhausted,
    };
  }
}
