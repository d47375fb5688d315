import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { backfillCursor } from '../../../connectors/salesforce/cursor.ts';
import {
  startSalesforceEmulator,
  type SalesforceEmulator,
} from '../../../connectors/salesforce/emulator/index.ts';
import type { SalesforceConnector } from '../../../connectors/salesforce/connector.ts';
import type { SalesforcePollPage } from '../../../connectors/salesforce/poller.ts';
import type { PollCursor } from '../../../connectors/types.ts';
import { connectorFor, control, stats } from './helpers.ts';

/** Reads pages from `start` until one says it is the last, acknowledging each as a pass does. */
async function readAll(
  connector: SalesforceConnector,
  start: PollCursor | null,
  options: { backfillSince?: string; between?: (pages: SalesforcePollPage[]) => Promise<void> } = {},
) {
  const pages: SalesforcePollPage[] = [];
  let cursor = start;
  for (let i = 0; i < 50; i += 1) {
    const page = await connector.poll(
      cursor,
      new Date(),
      options.backfillSince ? { backfillSince: options.backfillSince } : {},
    );
    await page.acknowledge?.();
    pages.push(page);
    cursor = page.next;
    if (page.done) break;
    await options.between?.(pages);
  }
  return { pages, cursor, records: pages.flatMap((page) => page.records) };
}

/** Calls made per endpoint template between two `stats` readings. */
function callsBetween(
  before: Awaited<ReturnType<typeof stats>>,
  after: Awaited<ReturnType<typeof stats>>,
): Record<string, number> {
  const sum = (byStatus: Record<string, number> | undefined) =>
    Object.values(byStatus ?? {}).reduce((a, b) => a + b, 0);
  const made: Record<string, number> = {};
  for (const endpoint of Object.keys(after.calls)) {
    const n = sum(after.calls[endpoint]) - sum(before.calls[endpoint]);
    if (n > 0) made[endpoint] = n;
  }
  return made;
}

describe('Salesforce backfill reads (real jsforce against the emulator)', () => {
  let emulator: SalesforceEmulator;

  beforeAll(async () => {
    emulator = await startSalesforceEmulator({ seed: 7 });
  });
  afterAll(async () => {
    await emulator.close();
  });
  beforeEach(async () => {
    await control(emulator, 'reset', {});
    await control(emulator, 'seed', { count: 450 });
  });

  const leadCount = () => emulator.state.store.rows('Lead').filter((row) => row.IsDeleted !== true).length;

  it('knows a page holding every lead left is the last: no closing empty page, no re-scan, no closed-deal query', async () => {
    // Pages exactly as large as the org: a LIMIT query that comes back full cannot tell it was the last.
    const { connector } = connectorFor(emulator, { pageSize: leadCount() });
    await connector.integrationUserId();
    const before = await stats(emulator);
    const { pages, records } = await readAll(connector, backfillCursor(), {
      backfillSince: new Date().toISOString(),
    });
    const made = callsBetween(before, await stats(emulator));

    expect(pages).toHaveLength(1);
    expect(new Set(records.map((record) => record.leadId)).size).toBe(leadCount());
    expect(records.some((record) => record.objectType === 'Contact' && record.opportunity)).toBe(true);
    // One Lead query, which brings the converted leads' Contacts and Opportunities along; one composite
    // call brings the org's metadata (the Contact describe says which mapped fields it has).
    expect(made).toEqual({ 'GET /queryAll': 1, 'POST /composite': 1 });
  });

  it('reads the org metadata (status picklist, Contact describe) in one call, once per connector', async () => {
    const { connector } = connectorFor(emulator);
    await connector.integrationUserId();
    const before = await stats(emulator);
    const open = emulator.state.store.rows('Lead').find((row) => row.IsConverted !== true);
    const [written] = await connector.write([
      { id: String(open?.Id), fields: { stage: 'opportunity', title: 'CFO' } },
      { key: 'lb-key-metadata', fields: { email: 'meta@example.com', lastName: 'Meta', company: 'M' } },
    ]);
    expect(written?.ok).toBe(true);
    // A converted status is only conversion's to set: the picklist said which, so Status was left alone.
    expect(emulator.state.store.get('Lead', String(open?.Id))?.Status).toBe(open?.Status);
    await readAll(connector, backfillCursor(), { backfillSince: new Date().toISOString() });
    const made = callsBetween(before, await stats(emulator));
    expect(made['POST /composite']).toBe(1);
    expect(made['GET /query']).toBeUndefined();
    expect(made['GET /sobjects/Contact/describe']).toBeUndefined();
  });

  it('loses no change a person made during the backfill: the first poll after it finds what moved behind its cursor', async () => {
    const { connector } = connectorFor(emulator, { pageSize: 200 });
    const fresh = emulator.state.store.rows('Lead').find((row) => row.IsConverted !== true);
    if (!fresh) throw new Error('seed has no open lead');
    // A lead edited just now puts the backfill's last keyset at the current second.
    await control(emulator, `leads/${String(fresh.Id)}/edit`, { fields: { Title: 'VP Sales' } });
    let moved: string | undefined;
    const backfill = await readAll(connector, backfillCursor(), {
      backfillSince: new Date().toISOString(),
      // After the first page: a rep edits a lead it handed out; its row moves ahead of the cursor.
      between: async (pages) => {
        if (pages.length !== 1) return;
        moved = pages[0]?.records.find((record) => record.objectType === 'Lead')?.id;
        await control(emulator, `leads/${String(moved)}/edit`, { fields: { Title: 'Head of Ops' } });
      },
    });
    expect(backfill.pages.length).toBeGreaterThan(1);
    // After the last page: a rep's edit in a transaction that began 60 s ago commits; its row lands
    // behind the cursor the backfill hands over, where no keyset page looks.
    const late = backfill.records.find((record) => record.objectType === 'Lead' && record.id !== moved)?.id;
    await control(emulator, `leads/${String(late)}/edit`, {
      Status: 'Working - Contacted',
      lateCommitMs: 60_000,
    });

    const next = await readAll(connector, backfill.cursor);
    const seen = [...backfill.records, ...next.records];
    expect(seen.find((record) => record.id === moved && record.lead.title === 'Head of Ops')).toBeDefined();
    expect(next.records.find((record) => record.id === late)).toMatchObject({
      lead: { stage: 'sql' },
      modifiedByUs: false,
    });
    // Found once: the poll after that does not hand it out again.
    const again = await readAll(connector, next.cursor);
    expect(again.records.map((record) => record.id)).not.toContain(late);
  });

  it('a deal closed after its lead was backfilled reaches the first poll after the backfill', async () => {
    const { connector } = connectorFor(emulator);
    const lead = emulator.state.store.rows('Lead').find((row) => row.IsConverted !== true);
    if (!lead) throw new Error('seed has no open lead');
    const converted = (await control(emulator, `leads/${String(lead.Id)}/convert`, {})) as {
      contactId: string;
      opportunityId: string;
    };
    const backfill = await readAll(connector, backfillCursor(), { backfillSince: new Date().toISOString() });
    expect(backfill.records.find((record) => record.leadId === lead.Id)?.opportunity?.isClosed).toBe(false);

    await control(emulator, `opportunities/${converted.opportunityId}/close`, { won: true });
    const next = await readAll(connector, backfill.cursor);
    expect(next.records.find((record) => record.leadId === lead.Id)).toMatchObject({
      id: converted.contactId,
      lead: { stage: 'customer' },
      opportunity: { isClosed: true, isWon: true },
    });
  });
});
