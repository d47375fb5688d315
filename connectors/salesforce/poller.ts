import type { PollCursor, PollPage } from '../types.ts';
import type { SalesforceClient } from './client.ts';
import {
  advance,
  afterKeyset,
  decodeCursor,
  encodeCursor,
  revisitWindow,
  soqlDateTime,
  soqlString,
  versionKey,
  type Keyset,
} from './cursor.ts';
import { POLL_PAGE_SIZE } from './limits.ts';
import { OPPORTUNITY_FIELDS, type RecordReader, type SalesforceRecord } from './records.ts';
import { LeadRow, OpportunityRow } from './schemas.ts';
import type { SeenStore } from './seen-store.ts';

export interface LeadPollerOptions {
  tenant: string;
  client: SalesforceClient;
  reader: RecordReader;
  seen: SeenStore;
  /** How far behind the cursor each pass looks again for late commits, in milliseconds. */
  overlapMs: number;
  /** Rows per page (default {@link POLL_PAGE_SIZE}, 2,000). */
  pageSize?: number;
}

/** How one poll call reads. */
export interface LeadPollOptions {
  /**
   * Set by a backfill to the ISO-8601 instant it began (it reads every Lead from the start of time
   * after that instant). Rows the integration user changed since then are skipped (older writes of
   * ours are still read). Its last page neither re-scans the overlap window nor reads closed deals: the
   * cursor it returns leaves both to the first poll after it (the deals from this instant on), and a
   * deal closed before then came with its lead's row. Default (incremental poll): skip every row whose
   * last change is ours.
   */
  backfillSince?: string;
}

export interface SalesforcePollPage extends PollPage {
  records: SalesforceRecord[];
}

/**
 * Incremental polling of Leads on SystemModstamp (indexed, and bumped by system changes too, unlike
 * LastModifiedDate) with a (SystemModstamp, Id) keyset, through queryAll so deleted rows come too.
 * When the Leads have caught up, the same call re-reads the overlap window behind the cursor for rows a
 * long transaction committed late (filtered against what was already handed out), and then polls closed
 * Opportunities so a won or lost deal reaches the converted lead.
 * https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_queryall.htm
 */
/**
 * Pure: the SOQL condition that leaves out our own echoes. A write of ours moves a Lead ahead of the
 * cursor (it bumps SystemModstamp), so without it every page we write to is read again later. A
 * person's edit (or conversion) after ours makes them the last modifier, so it is never left out.
 */
export function notOurEcho(integrationUserId: string, since?: string): string {
  const notUs = `LastModifiedById != ${soqlString(integrationUserId)}`;
  return since === undefined ? notUs : `(${notUs} OR SystemModstamp < ${soqlDateTime(since)})`;
}

export class LeadPoller {
  private readonly options: LeadPollerOptions;
  private readonly pageSize: number;

  constructor(options: LeadPollerOptions) {
    this.options = options;
    this.pageSize = options.pageSize ?? POLL_PAGE_SIZE;
  }

  async poll(
    cursor: PollCursor | null,
    now: Date,
    options: LeadPollOptions = {},
  ): Promise<SalesforcePollPage> {
    const { client, reader, overlapMs } = this.options;
    const state = decodeCursor(cursor, now, overlapMs);
    const userId = await client.integrationUserId();
    const fields = await reader.leadSelect();
    const notOurs = notOurEcho(userId, options.backfillSince);
    // One row more than a page: the first batch (a page) says `done` only when no row is left after it,
    // so the last page is known when it is read and no empty page has to prove it (a LIMIT-page query
    // that comes back full cannot tell); the LIMIT keeps the query from counting every row left.
    const first = await client.queryFirstBatch(
      `SELECT ${fields} FROM Lead WHERE ${afterKeyset(state.lead)} AND ${notOurs} ORDER BY SystemModstamp ASC, Id ASC LIMIT ${this.pageSize + 1}`,
      { scanAll: true, batchSize: this.pageSize },
    );
    const rows = first.records.slice(0, this.pageSize).map((raw) => ({ raw, row: LeadRow.parse(raw) }));
    const leadKeyset = advance(
      state.lead,
      rows.map(({ row }) => row),
    );
    const leadsDone = first.done && first.records.length <= this.pageSize;
    const backfill = options.backfillSince !== undefined;
    // A backfill leaves the re-scan of its overlap window to the first poll after it, which starts at
    // the cursor the backfill hands over and re-scans that same window against the same seen store, so
    // a late commit is found there once; done here, it mostly meets rows of pages still reconciling.
    if (leadsDone && !backfill) rows.push(...(await this.lateCommits(state.lead, notOurs)));

    const deleted = rows.filter(({ row }) => row.IsDeleted).map(({ row }) => row);
    const deletedIds = deleted.filter((row) => !row.MasterRecordId).map((row) => row.Id);
    const merges = mergesOf(deleted);
    const live = rows.filter(({ row }) => !row.IsDeleted).map(({ raw }) => raw);
    const records = await reader.fromLeadRows(live, userId);

    let oppKeyset = state.opp;
    let done = leadsDone;
    if (leadsDone && backfill) {
      // Deals closed before the backfill began came with their leads' rows (their Opportunity is read
      // with each converted lead); the first poll after it reads the deals closed since it began.
      const since = new Date(options.backfillSince as string).toISOString();
      oppKeyset = laterKeyset(state.opp, { ts: since, id: '' });
    } else if (leadsDone) {
      const closed = await this.closedOpportunities(state.opp);
      oppKeyset = advance(state.opp, closed);
      done = closed.length < this.pageSize;
      if (closed.length > 0) {
        const seenLeads = new Set(records.map((record) => record.leadId));
        const leads = await reader.leadsByOpportunity(closed.map((opp) => opp.Id));
        const fresh = leads.filter((raw) => {
          const lead = LeadRow.parse(raw);
          return !seenLeads.has(lead.Id) && !lead.IsDeleted;
        });
        records.push(...(await reader.fromLeadRows(fresh, userId)));
      }
    }

    return {
      records,
      deletedIds,
      ...(merges.length > 0 ? { merges } : {}),
      next: encodeCursor({ lead: leadKeyset, opp: oppKeyset }),
      done,
      // Marked as handed out only once enqueued: a late commit whose page never reached the queue
      // must turn up again in the next re-scan.
      acknowledge: () =>
        this.remember(
          rows.map(({ row }) => row),
          leadKeyset,
        ),
    };
  }

  /** Rows in the overlap window behind the cursor that were not handed out before. */
  private async lateCommits(
    keyset: Keyset,
    notOurs: string,
  ): Promise<Array<{ raw: Record<string, unknown>; row: LeadRow }>> {
    const { client, reader, seen, tenant, overlapMs } = this.options;
    if (overlapMs <= 0 || (!keyset.id && Date.parse(keyset.ts) <= 0)) return [];
    const rows = (
      await client.query(
        `SELECT ${await reader.leadSelect()} FROM Lead WHERE ${revisitWindow(keyset, overlapMs)} AND ${notOurs} ORDER BY SystemModstamp ASC, Id ASC`,
        { scanAll: true },
      )
    ).map((raw) => ({ raw, row: LeadRow.parse(raw) }));
    const unseen = new Set(
      await seen.unseen(
        tenant,
        rows.map(({ row }) => versionKey(row.Id, row.SystemModstamp)),
      ),
    );
    return rows.filter(({ row }) => unseen.has(versionKey(row.Id, row.SystemModstamp)));
  }

  private async closedOpportunities(keyset: Keyset): Promise<OpportunityRow[]> {
    const rows = await this.options.client.query(
      `SELECT ${OPPORTUNITY_FIELDS} FROM Opportunity WHERE IsClosed = true AND ${afterKeyset(keyset)} ORDER BY SystemModstamp ASC, Id ASC LIMIT ${this.pageSize}`,
    );
    return rows.map((raw) => OpportunityRow.parse(raw));
  }

  private async remember(rows: LeadRow[], keyset: Keyset): Promise<void> {
    const { seen, tenant, overlapMs } = this.options;
    const entries = rows.map((row) => ({
      key: versionKey(row.Id, row.SystemModstamp),
      at: Date.parse(advance(keyset, [row]).ts),
    }));
    await seen.remember(tenant, entries, Date.parse(keyset.ts) - 2 * overlapMs);
  }
}

/** Pure: whichever keyset is further along. */
export function laterKeyset(a: Keyset, b: Keyset): Keyset {
  const [ta, tb] = [Date.parse(a.ts), Date.parse(b.ts)];
  if (ta !== tb) return ta > tb ? a : b;
  return a.id >= b.id ? a : b;
}

/**
 * Pure: Leads a merge deleted, grouped by the surviving Lead (`MasterRecordId`).
 * https://developer.salesforce.com/docs/atlas.en-us.api.meta/api/sforce_api_calls_merge.htm
 */
export function mergesOf(deleted: LeadRow[]): Array<{ winnerId: string; loserIds: string[] }> {
  const byMaster = new Map<string, string[]>();
  for (const row of deleted) {
    if (!row.MasterRecordId) continue;
    byMaster.set(row.MasterRecordId, [...(byMaster.get(row.MasterRecordId) ?? []), row.Id]);
  }
  return [...byMaster].map(([winnerId, loserIds]) => ({ winnerId, loserIds }));
}
