import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { backfillCursor } from '../../../connectors/salesforce/cursor.ts';
import {
  startSalesforceEmulator,
  type SalesforceEmulator,
} from '../../../connectors/salesforce/emulator/index.ts';
import type { SalesforcePollPage } from '../../../connectors/salesforce/poller.ts';
import type { SalesforceConnector } from '../../../connectors/salesforce/connector.ts';
import { RateLimitedError } from '../../../src/errors/index.ts';
import type { PollCursor, RecordPatch } from '../../../connectors/types.ts';
import { connectorFor, control, stats } from './helpers.ts';

async function pollAll(connector: SalesforceConnector, start: PollCursor | null) {
  const pages: SalesforcePollPage[] = [];
  let cursor = start;
  for (let i = 0; i < 100; i += 1) {
    const page = await connector.poll(cursor, new Date());
    // As the poll pass does once the page is enqueued.
    await page.acknowledge?.();
    pages.push(page);
    cursor = page.next;
    if (page.done) break;
  }
  return {
    pages,
    cursor,
    records: pages.flatMap((p) => p.records),
    deleted: pages.flatMap((p) => p.deletedIds),
  };
}

function salesforceRow(emulator: SalesforceEmulator, type: string, id: string) {
  return emulator.state.store.rows(type).find((row) => row.Id === id);
}

describe('Salesforce connector against the emulator (real jsforce)', () => {
  let emulator: SalesforceEmulator;

  beforeAll(async () => {
    emulator = await startSalesforceEmulator({ seed: 42 });
  });
  afterAll(async () => {
    await emulator.close();
  });
  beforeEach(async () => {
    await control(emulator, 'reset', {});
    await control(emulator, 'seed', { count: 450 });
  });

  it('backfills every lead across pages, through a token refresh in the middle', async () => {
    const { connector, recorder, tokens } = connectorFor(emulator, { pageSize: 100 });
    // The session dies after the 4th API call, i.e. halfway through the backfill.
    await control(emulator, 'faults', { expireSessionsAfterCalls: 4 });
    const { records, pages } = await pollAll(connector, backfillCursor());
    const leadIds = records.map((r) => r.leadId);
    expect(new Set(leadIds).size).toBe(450);
    // The only repeats are converted leads whose deal closed, seen again by the Opportunity pass with the
    // same (id, modifiedAt): the ingest dedup key `${id}@${modifiedAt}` collapses them.
    const versions = new Map<string, number>();
    for (const r of records)
      versions.set(`${r.id}@${r.modifiedAt}`, (versions.get(`${r.id}@${r.modifiedAt}`) ?? 0) + 1);
    expect(versions.size).toBe(450);
    const repeated = records.filter((r, i) => leadIds.indexOf(r.leadId) !== i);
    expect(repeated.every((r) => r.objectType === 'Contact' && r.opportunity?.isClosed)).toBe(true);
    expect(pages.length).toBeGreaterThanOrEqual(5);
    // Converted seed leads come back as their Contact, the others as Leads.
    expect(records.filter((r) => r.objectType === 'Contact').every((r) => r.id.startsWith('003'))).toBe(true);
    expect(records.some((r) => r.objectType === 'Contact')).toBe(true);
    const calls = recorder.calls.map((c) => `${c.endpoint} ${c.status}`);
    expect(calls.filter((c) => c === 'POST /services/oauth2/token 200')).toHaveLength(2);
    expect(calls.some((c) => c.endsWith(' 401'))).toBe(true);
    const session = await tokens.load('acme');
    expect(session?.accessToken).toBe(connector.client.conn.accessToken);
    const emulatorStats = await stats(emulator);
    expect(emulatorStats.calls['POST /services/oauth2/token']).toEqual({ '200': 2 });
  });

  it('follows nextRecordsUrl when a result is larger than one batch', async () => {
    const { connector } = connectorFor(emulator);
    await control(emulator, 'faults', { queryBatchSize: 200 });
    const rows = await connector.client.query('SELECT Id FROM Lead ORDER BY Id');
    expect(rows).toHaveLength(450);
    expect(new Set(rows.map((r) => r.Id)).size).toBe(450);
    expect((await stats(emulator)).calls['GET /query/{locator}']).toEqual({ '200': 2 });
  });

  it('pages queries by Sforce-Query-Options batchSize as Salesforce does: 2,000 by default, held to 200..2,000', async () => {
    await control(emulator, 'seed', { count: 2_100, seed: 9 });
    const rowsOfFirstPage = async (options?: string) => {
      const response = await fetch(
        `${emulator.url}/services/data/v66.0/query?q=${encodeURIComponent('SELECT Id FROM Lead')}`,
        {
          headers: {
            authorization: 'Bearer emulator-token',
            ...(options ? { 'sforce-query-options': options } : {}),
          },
        },
      );
      expect(response.status).toBe(200);
      const body = (await response.json()) as { records: unknown[]; done: boolean; totalSize: number };
      expect(body.totalSize).toBe(2_550);
      return body.records.length;
    };
    expect(await rowsOfFirstPage()).toBe(2_000);
    expect(await rowsOfFirstPage('batchSize=500')).toBe(500);
    expect(await rowsOfFirstPage('batchSize=50')).toBe(200);
    expect(await rowsOfFirstPage('batchSize=5000')).toBe(2_000);
  });

  it('polls 2,550 leads in two query pages of 2,000 rows', async () => {
    await control(emulator, 'seed', { count: 2_100, seed: 9 });
    const { connector } = connectorFor(emulator);
    const before = await stats(emulator);
    const { records } = await pollAll(connector, backfillCursor());
    expect(new Set(records.map((r) => r.leadId)).size).toBe(2_550);
    const after = await stats(emulator);
    const made = (endpoint: string) =>
      Object.values(after.calls[endpoint] ?? {}).reduce((a, b) => a + b, 0) -
      Object.values(before.calls[endpoint] ?? {}).reduce((a, b) => a + b, 0);
    // The keyset query of each page (the second one short, so the leads are done) and the re-scan of
    // the overlap window behind the cursor for late commits; no queryMore.
    expect(made('GET /queryAll')).toBe(3);
    expect(made('GET /queryAll/{locator}')).toBe(0);
  });

  it('updates Leads and converted leads’ Contacts together, 200 records a call', async () => {
    const { connector } = connectorFor(emulator);
    const { records } = await pollAll(connector, backfillCursor());
    const contacts = records.filter((r) => r.objectType === 'Contact');
    const leads = records.filter((r) => r.objectType === 'Lead').slice(0, 200 - contacts.length);
    expect(contacts.length).toBeGreaterThan(0);
    const before = await stats(emulator);
    const outcomes = await connector.write(
      [...leads, ...contacts].map((r, i) => ({ id: r.id, fields: { score: i % 100 } })),
    );
    expect(outcomes.every((outcome) => outcome.ok)).toBe(true);
    const after = await stats(emulator);
    const patches = (stats: typeof before) => stats.calls['PATCH /composite/sobjects']?.['200'] ?? 0;
    expect(patches(after) - patches(before)).toBe(1);
    const row = salesforceRow(emulator, 'Contact', contacts[0]!.id);
    expect(row?.LeadBridge_Score__c).toBe(leads.length % 100);
  });

  it('writes 450 patches in three collection calls, keeping each record’s own error', async () => {
    await control(emulator, 'seed', { count: 100, seed: 7 });
    const { connector } = connectorFor(emulator);
    const { records } = await pollAll(connector, backfillCursor());
    const leads = records.filter((r) => r.objectType === 'Lead').slice(0, 447);
    expect(leads).toHaveLength(447);
    const patches: RecordPatch[] = leads.map((r, i) => ({ id: r.id, fields: { score: i } }));
    const [a, b, c] = leads.slice(0, 3) as [
      (typeof leads)[number],
      (typeof leads)[number],
      (typeof leads)[number],
    ];
    patches[0] = { id: a.id, fields: { company: null } };
    patches[1] = { id: b.id, fields: { email: 'not-an-email' } };
    patches[2] = { id: c.id, fields: { stage: 'rejected', rejectionReason: 'No budget this year' } };
    patches.push({ id: '00Q5g0000009999EAA', fields: { score: 1 } });
    const before = await stats(emulator);
    const outcomes = await connector.write(patches);
    const after = await stats(emulator);
    expect(outcomes).toHaveLength(448);
    expect(outcomes[0]).toMatchObject({ ok: false, id: a.id, error: { code: 'REQUIRED_FIELD_MISSING' } });
    expect(outcomes[1]).toMatchObject({ ok: false, id: b.id, error: { code: 'INVALID_EMAIL_ADDRESS' } });
    expect(outcomes[2]).toEqual({ ok: true, id: c.id, created: false });
    expect(outcomes[447]).toMatchObject({ ok: false, error: { code: 'INVALID_CROSS_REFERENCE_KEY' } });
    expect(outcomes.slice(3, 447).every((o) => o.ok)).toBe(true);
    const patchCalls =
      (after.calls['PATCH /composite/sobjects']?.['200'] ?? 0) -
      (before.calls['PATCH /composite/sobjects']?.['200'] ?? 0);
    expect(patchCalls).toBe(3);
    const rejected = await control(emulator, `records/Lead/${c.id}`);
    expect(rejected).toMatchObject({
      Status: 'Closed - Not Converted',
      LeadBridge_Stage__c: 'rejected',
      Rejection_Reason__c: 'No budget this year',
    });
    expect(rejected.LastModifiedById).toBe(emulator.integrationUserId);
  });

  it('creates leads, refusing one without Company as the org does', async () => {
    const { connector } = connectorFor(emulator);
    const outcomes = await connector.write([
      {
        fields: { email: 'new@lead.example', lastName: 'New', company: 'Fresh Co', stage: 'mql', score: 61 },
      },
      { fields: { email: 'nocompany@lead.example', lastName: 'Nobody' } },
    ]);
    expect(outcomes[0]).toMatchObject({ ok: true, created: true });
    expect(outcomes[1]).toMatchObject({ ok: false, error: { code: 'REQUIRED_FIELD_MISSING' } });
    const created = await connector.read([(outcomes[0] as { id: string }).id]);
    expect(created[0]?.lead).toMatchObject({
      email: 'new@lead.example',
      company: 'Fresh Co',
      stage: 'mql',
      score: 61,
    });
    expect(created[0]?.modifiedByUs).toBe(true);
  });

  it('follows a conversion: writes go to the Contact, a won deal makes a customer, a lost one recycled', async () => {
    const { connector } = connectorFor(emulator);
    const start = await pollAll(connector, backfillCursor());
    const [first, second] = start.records.filter((r) => r.objectType === 'Lead' && r.lead.stage === 'sql');
    if (!first || !second) throw new Error('seed has too few working leads');
    const won = (await control(emulator, `leads/${first.id}/convert`, {})) as {
      contactId: string;
      opportunityId: string;
    };
    const lost = (await control(emulator, `leads/${second.id}/convert`, {})) as {
      contactId: string;
      opportunityId: string;
    };

    const [outcome] = await connector.write([
      { id: first.id, fields: { score: 88, stage: 'opportunity', company: 'Ignored on Contact' } },
    ]);
    expect(outcome).toEqual({ ok: true, id: won.contactId, created: false });
    expect(await control(emulator, `records/Contact/${won.contactId}`)).toMatchObject({
      LeadBridge_Score__c: 88,
    });

    await control(emulator, `opportunities/${won.opportunityId}/close`, { won: true });
    await control(emulator, `opportunities/${lost.opportunityId}/close`, { won: false });
    const later = await pollAll(connector, start.cursor);
    const byLead = new Map(later.records.map((r) => [r.leadId, r]));
    expect(byLead.get(first.id)).toMatchObject({
      id: won.contactId,
      objectType: 'Contact',
      lead: { stage: 'customer' },
    });
    expect(byLead.get(first.id)?.opportunity).toMatchObject({ isClosed: true, isWon: true });
    expect(byLead.get(second.id)).toMatchObject({ id: lost.contactId, lead: { stage: 'recycled' } });
    const read = await connector.read([won.contactId, second.id]);
    expect(read.map((r) => [r.id, r.lead.stage]).sort()).toEqual(
      [
        [lost.contactId, 'recycled'],
        [won.contactId, 'customer'],
      ].sort(),
    );
  });

  it('catches a late commit behind the cursor once, sees deletions, and does not read our own echoes back', async () => {
    const { connector } = connectorFor(emulator);
    const start = await pollAll(connector, backfillCursor());
    const [target, victim, ours] = start.records.filter((r) => r.objectType === 'Lead');
    if (!target || !victim || !ours) throw new Error('seed too small');
    await connector.write([{ id: ours.id, fields: { score: 99 } }]);
    // A rep's edit in a transaction that started 60 s ago: its SystemModstamp is behind our cursor.
    await control(emulator, `leads/${target.id}/edit`, {
      Status: 'Working - Contacted',
      lateCommitMs: 60_000,
    });
    await control(emulator, `leads/${victim.id}/delete`, {});
    const next = await pollAll(connector, start.cursor);
    expect(next.records.map((r) => r.id)).toContain(target.id);
    expect(next.records.find((r) => r.id === target.id)?.modifiedByUs).toBe(false);
    // Our write moved `ours` ahead of the cursor; the query leaves it out instead of reading it again.
    expect(next.records.map((r) => r.id)).not.toContain(ours.id);
    expect(next.deleted).toEqual([victim.id]);
    const again = await pollAll(connector, next.cursor);
    expect(again.records.map((r) => r.id)).not.toContain(target.id);
    expect(again.deleted).toEqual([]);
  });

  it('hands a late commit out again when the page that found it never reached the queue', async () => {
    const { connector } = connectorFor(emulator);
    const start = await pollAll(connector, backfillCursor());
    const [target, other] = start.records.filter((r) => r.objectType === 'Lead');
    if (!target || !other) throw new Error('seed too small');
    // A fresh edit moves the cursor to now; then a transaction that started 60 s ago commits behind it.
    await control(emulator, `leads/${other.id}/edit`, { fields: { Title: 'CTO' } });
    const current = await pollAll(connector, start.cursor);
    await control(emulator, `leads/${target.id}/edit`, {
      Status: 'Working - Contacted',
      lateCommitMs: 60_000,
    });
    // The overlap re-scan finds it; the enqueue fails, so the page is neither acknowledged nor stored.
    const failed = await connector.poll(current.cursor, new Date());
    expect(failed.records.map((r) => r.id)).toContain(target.id);
    const retried = await connector.poll(current.cursor, new Date());
    expect(retried.records.map((r) => r.id)).toContain(target.id);
    await retried.acknowledge?.();
    const after = await connector.poll(retried.next, new Date());
    expect(after.records.map((r) => r.id)).not.toContain(target.id);
  });

  it('checks the setup: custom fields, the real LeadStatus picklist, the budget', async () => {
    const { connector } = connectorFor(emulator);
    const checks = await connector.checkSetup();
    expect(checks.filter((c) => !c.ok)).toEqual([]);
    expect(checks.map((c) => c.name)).toEqual(
      expect.arrayContaining([
        'salesforce.credentials',
        'salesforce.Lead.Rejection_Reason__c',
        'salesforce.LeadStatus.Closed - Not Converted',
        'salesforce.apiBudget',
      ]),
    );
    const renamed = connectorFor(emulator);
    renamed.config.lifecycle.salesforce.status = {
      ...renamed.config.lifecycle.salesforce.status,
      'Qualified - Hot': 'sql',
    };
    renamed.config.customFields.salesforce.score = 'Lead_Score__c';
    const { SalesforceConnector } = await import('../../../connectors/salesforce/connector.ts');
    const broken = new SalesforceConnector({
      config: renamed.config,
      tenant: renamed.config.tenants[0] as (typeof renamed.config.tenants)[number],
    });
    const failed = (await broken.checkSetup()).filter((c) => !c.ok);
    expect(failed.map((c) => c.name).sort()).toEqual([
      'salesforce.Lead.Lead_Score__c',
      'salesforce.LeadStatus.Qualified - Hot',
    ]);
    expect(failed.every((c) => c.fix)).toBe(true);
  });

  it('stops starting work at its budget share, and treats REQUEST_LIMIT_EXCEEDED as a pause', async () => {
    await control(emulator, 'faults', { dailyLimit: 100, apiUsed: 60 });
    const { connector, recorder } = connectorFor(emulator, { pageSize: 20 });
    let stoppedBy: unknown;
    let cursor: PollCursor | null = backfillCursor();
    for (let i = 0; i < 100 && !stoppedBy; i += 1) {
      try {
        const page = await connector.poll(cursor, new Date());
        cursor = page.next;
      } catch (err) {
        stoppedBy = err;
      }
    }
    expect(stoppedBy).toBeInstanceOf(RateLimitedError);
    expect((stoppedBy as RateLimitedError).policy).toBe('LEADBRIDGE_BUDGET');
    const used = (await stats(emulator)).apiUsage.used;
    // 80% of 100: one page of work (a few calls) may run past the line, never into the org's last 20%.
    expect(used).toBeGreaterThanOrEqual(80);
    expect(used).toBeLessThan(90);
    expect(recorder.calls.filter((c) => c.status === 403)).toEqual([]);
    // Asking again makes no call at all: no error storm.
    const callsBefore = recorder.calls.length;
    await expect(connector.poll(cursor, new Date())).rejects.toBeInstanceOf(RateLimitedError);
    expect(recorder.calls.length).toBe(callsBefore);

    // Another integration exhausts the org: the first call gets 403, after which we pause without calling.
    await control(emulator, 'faults', { apiUsed: 100 });
    const fresh = connectorFor(emulator, { pageSize: 20, salesforce: { apiBudgetShare: 1 } });
    const err = await fresh.connector.poll(null, new Date()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RateLimitedError);
    expect((err as RateLimitedError).policy).toBe('REQUEST_LIMIT_EXCEEDED');
    const after403 = fresh.recorder.calls.length;
    expect(fresh.recorder.calls.filter((c) => c.status === 403)).toHaveLength(1);
    await expect(fresh.connector.poll(null, new Date())).rejects.toSatisfy(
      (e) => e instanceof RateLimitedError && e.waitMs > 3_000_000,
    );
    expect(fresh.recorder.calls.length).toBe(after403);
  });
});
