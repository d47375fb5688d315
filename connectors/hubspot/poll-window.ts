import { FilterOperatorEnum } from '@hubspot/api-client/lib/codegen/crm/contacts/index.js';
import type { PollCursor } from '../types.ts';
import type { SearchRequest } from './client.ts';

// Keyset arithmetic of the contacts poller, pure. A cursor (T, id) means: every contact with
// lastmodifieddate < T, and every one at exactly T with hs_object_id <= id, has been handed on.
// id "0" therefore means "nothing at T yet". The search API honours only one sort, so a page sorted by
// lastmodifieddate says nothing about the order of ids within one timestamp; a timestamp that fills a
// whole page is drained separately, sorted by hs_object_id. Each page is a fresh query anchored on the
// keyset, so `after` never grows and the 10,000-result cap is never reached, however many contacts
// share a timestamp. https://developers.hubspot.com/docs/api/crm/search

export interface Keyset {
  /** lastmodifieddate, epoch milliseconds. */
  at: number;
  /** hs_object_id, as a decimal string; "0" covers nothing at `at`. */
  id: string;
}

export type PollMode = 'advance' | 'drain';

export function keysetFromCursor(cursor: PollCursor | null, nowMs: number, overlapMs: number): Keyset {
  if (!cursor) return { at: nowMs - overlapMs, id: '0' };
  const at = Date.parse(cursor.modifiedAt);
  return Number.isNaN(at)
    ? { at: nowMs - overlapMs, id: '0' }
    : { at, id: /^\d+$/.test(cursor.id) ? cursor.id : '0' };
}

export function cursorFromKeyset(keyset: Keyset): PollCursor {
  return { modifiedAt: new Date(keyset.at).toISOString(), id: keyset.id };
}

/** A cursor part-way through a timestamp drains it by id; otherwise the poller advances by time. */
export function modeOf(keyset: Keyset): PollMode {
  return keyset.id === '0' ? 'advance' : 'drain';
}

export function searchRequest(
  keyset: Keyset,
  mode: PollMode,
  properties: string[],
  limit: number,
): SearchRequest {
  const at = String(keyset.at);
  if (mode === 'drain')
    return {
      filterGroups: [
        {
          filters: [
            { propertyName: 'lastmodifieddate', operator: FilterOperatorEnum.Eq, value: at },
            { propertyName: 'hs_object_id', operator: FilterOperatorEnum.Gt, value: keyset.id },
          ],
        },
      ],
      sorts: ['hs_object_id'],
      properties,
      limit,
    };
  return {
    filterGroups: [
      { filters: [{ propertyName: 'lastmodifieddate', operator: FilterOperatorEnum.Gte, value: at }] },
    ],
    sorts: ['lastmodifieddate'],
    properties,
    limit,
  };
}

export interface PageRecord {
  id: string;
  /** lastmodifieddate, epoch milliseconds. */
  at: number;
}

export interface PageOutcome {
  /** How many of the page's records (a prefix, in page order) are handed on. */
  take: number;
  next: Keyset;
  /** True when this query has nothing more after the page. */
  exhausted: boolean;
  /** A whole page shared one timestamp: drain it by id before going on. */
  drainNext: boolean;
}

/** What a page means for the keyset. `records` in the order the API returned them. */
export function afterPage(keyset: Keyset, mode: PollMode, records: PageRecord[], limit: number): PageOutcome {
  const full = records.length >= limit;
  const last = records.at(-1);
  if (mode === 'drain' && !last)
    return { take: 0, next: { at: keyset.at + 1, id: '0' }, exhausted: false, drainNext: false };
  if (!last) return { take: 0, next: keyset, exhausted: true, drainNext: false };
  if (mode === 'drain') {
    // Sorted by id within one timestamp: the last id covers everything before it. A short page ends
    // the timestamp, so the next query starts just after it.
    return full
      ? { take: records.length, next: { at: keyset.at, id: last.id }, exhausted: false, drainNext: false }
      : { take: records.length, next: { at: keyset.at + 1, id: '0' }, exhausted: false, drainNext: false };
  }
  if (!full) {
    // The query is complete: every record at the newest timestamp is in this page.
    const newest = Math.max(...records.map((record) => record.at));
    return { take: records.length, next: { at: newest + 1, id: '0' }, exhausted: true, drainNext: false };
  }
  // Full page sorted by time: all records older than the newest timestamp are complete; those at the
  // newest may continue on the next page, in unknown id order, so they are left to the next query.
  const newest = last.at;
  const take = records.findIndex((record) => record.at >= newest);
  if (take > 0) return { take, next: { at: newest, id: '0' }, exhausted: false, drainNext: false };
  return { take: 0, next: { at: newest, id: '0' }, exhausted: false, drainNext: true };
}

/**
 * The cursor a finished pass stores: never past `now - overlap`, so contacts the search index had not
 * yet shown (it lags "a few moments") are seen on the next pass. Those inside the window are seen
 * again, which reconcile turns into no patch.
 */
export function capAtHorizon(keyset: Keyset, horizonMs: number): Keyset {
  return keyset.at > horizonMs ? { at: horizonMs, id: '0' } : keyset;
}
