import { z } from 'zod';
import type { PollCursor } from '../types.ts';

/** A (SystemModstamp, Id) position: everything at or before it has been handed out. */
export interface Keyset {
  /** ISO-8601 instant. */
  ts: string;
  /** Id of the last record at `ts`; '' means "before every record at `ts`". */
  id: string;
}

/** The poller's state: one keyset over Leads and one over closed converted Opportunities. */
export interface PollState {
  lead: Keyset;
  opp: Keyset;
}

const SfId = z.string().regex(/^([a-zA-Z0-9]{15}|[a-zA-Z0-9]{18})?$/);
const Instant = z.iso.datetime({ offset: true });
const Encoded = z.tuple([SfId, Instant, SfId]);

/**
 * Pure: the engine keeps one opaque cursor per tenant and object, so both keysets travel in it:
 * `modifiedAt` is the Lead stamp and `id` is `<leadId>~<oppStamp>~<oppId>`.
 */
export function encodeCursor(state: PollState): PollCursor {
  return { modifiedAt: state.lead.ts, id: `${state.lead.id}~${state.opp.ts}~${state.opp.id}` };
}

/**
 * Pure: a stored cursor back into keysets. `null` (or a cursor that does not parse, e.g. written by an
 * older version) starts at the beginning of the overlap window, as the Connector contract says.
 */
export function decodeCursor(cursor: PollCursor | null, now: Date, overlapMs: number): PollState {
  const start: Keyset = { ts: new Date(now.getTime() - overlapMs).toISOString(), id: '' };
  if (!cursor) return { lead: start, opp: start };
  const leadTs = Instant.safeParse(cursor.modifiedAt);
  if (!leadTs.success) return { lead: start, opp: start };
  const parts = Encoded.safeParse(cursor.id.split('~'));
  if (parts.success) {
    const [leadId, oppTs, oppId] = parts.data;
    return { lead: { ts: leadTs.data, id: leadId }, opp: { ts: oppTs, id: oppId } };
  }
  const plainId = SfId.safeParse(cursor.id);
  const lead = { ts: leadTs.data, id: plainId.success ? plainId.data : '' };
  return { lead, opp: lead };
}

/** Where a backfill starts: before every record. */
export function backfillCursor(): PollCursor {
  const origin = '1970-01-01T00:00:00.000Z';
  return encodeCursor({ lead: { ts: origin, id: '' }, opp: { ts: origin, id: '' } });
}

/**
 * SOQL date-time literal (unquoted UTC, second precision; SystemModstamp carries no milliseconds).
 * https://developer.salesforce.com/docs/atlas.en-us.soql_sosl.meta/soql_sosl/sforce_api_calls_soql_select_dateformats.htm
 */
export function soqlDateTime(iso: string): string {
  return `${new Date(Math.floor(Date.parse(iso) / 1000) * 1000).toISOString().slice(0, 19)}Z`;
}

/** A quoted SOQL string literal. */
export function soqlString(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/** Rows strictly after the keyset, so rows sharing a stamp are never skipped nor repeated. */
export function afterKeyset(keyset: Keyset): string {
  const ts = soqlDateTime(keyset.ts);
  if (!keyset.id) return `SystemModstamp >= ${ts}`;
  return `(SystemModstamp > ${ts} OR (SystemModstamp = ${ts} AND Id > ${soqlString(keyset.id)}))`;
}

/**
 * Rows at or before the keyset but within `overlapMs` of it: where a long transaction that committed
 * late lands, with a stamp from when it started.
 */
export function revisitWindow(keyset: Keyset, overlapMs: number): string {
  const ts = soqlDateTime(keyset.ts);
  const from = soqlDateTime(new Date(Date.parse(keyset.ts) - overlapMs).toISOString());
  const upTo = keyset.id
    ? `(SystemModstamp < ${ts} OR (SystemModstamp = ${ts} AND Id <= ${soqlString(keyset.id)}))`
    : `SystemModstamp < ${ts}`;
  return `SystemModstamp >= ${from} AND ${upTo}`;
}

/** Keyset of the last row of an ordered page, or the old one when the page is empty. */
export function advance(keyset: Keyset, rows: Array<{ Id: string; SystemModstamp: string }>): Keyset {
  const last = rows.at(-1);
  if (!last) return keyset;
  const ts = new Date(Date.parse(last.SystemModstamp.replace(/([+-]\d{2})(\d{2})$/, '$1:$2'))).toISOString();
  return { ts, id: last.Id };
}

/** Dedup key of a record version: the same record at the same stamp is the same change. */
export function versionKey(id: string, stamp: string): string {
  return `${id}@${stamp}`;
}
