import { describe, expect, it } from 'vitest';
import { budgetDecision } from '../../../connectors/salesforce/budget.ts';
import {
  advance,
  afterKeyset,
  backfillCursor,
  decodeCursor,
  encodeCursor,
  revisitWindow,
  soqlDateTime,
  soqlString,
} from '../../../connectors/salesforce/cursor.ts';
import { parseLimitInfo } from '../../../connectors/salesforce/limit-info.ts';
import { chunk } from '../../../connectors/salesforce/chunk.ts';
import { BUDGET_RECHECK_MS, COLLECTION_MAX_RECORDS } from '../../../connectors/salesforce/limits.ts';
import { endpointTemplate } from '../../../connectors/salesforce/endpoint.ts';
import { retryDelayMs } from '../../../connectors/salesforce/retry.ts';

const now = new Date('2026-05-01T12:00:00.000Z');

describe('poll cursor arithmetic', () => {
  it('round-trips both keysets through the opaque engine cursor', () => {
    const state = {
      lead: { ts: '2026-05-01T11:00:00.000Z', id: '00Q5g0000000009EAA' },
      opp: { ts: '2026-04-30T08:00:00.000Z', id: '0065g0000000001AAA' },
    };
    const cursor = encodeCursor(state);
    expect(cursor.modifiedAt).toBe(state.lead.ts);
    expect(decodeCursor(cursor, now, 120_000)).toEqual(state);
  });

  it('starts at the beginning of the overlap window for null or unreadable cursors', () => {
    const start = { ts: '2026-05-01T11:58:00.000Z', id: '' };
    expect(decodeCursor(null, now, 120_000)).toEqual({ lead: start, opp: start });
    expect(decodeCursor({ modifiedAt: 'yesterday', id: 'x' }, now, 120_000)).toEqual({
      lead: start,
      opp: start,
    });
    expect(decodeCursor(backfillCursor(), now, 120_000).lead).toEqual({
      ts: '1970-01-01T00:00:00.000Z',
      id: '',
    });
  });

  it('builds a keyset condition that never skips nor repeats rows sharing a stamp', () => {
    expect(afterKeyset({ ts: '2026-05-01T11:00:00.000Z', id: '00Q5g0000000009EAA' })).toBe(
      "(SystemModstamp > 2026-05-01T11:00:00Z OR (SystemModstamp = 2026-05-01T11:00:00Z AND Id > '00Q5g0000000009EAA'))",
    );
    expect(afterKeyset({ ts: '2026-05-01T11:00:00.000Z', id: '' })).toBe(
      'SystemModstamp >= 2026-05-01T11:00:00Z',
    );
    expect(revisitWindow({ ts: '2026-05-01T11:00:00.000Z', id: '00Q1' }, 60_000)).toBe(
      "SystemModstamp >= 2026-05-01T10:59:00Z AND (SystemModstamp < 2026-05-01T11:00:00Z OR (SystemModstamp = 2026-05-01T11:00:00Z AND Id <= '00Q1'))",
    );
  });

  it('advances to the last row of a page, or stays put on an empty one', () => {
    const keyset = { ts: '2026-05-01T11:00:00.000Z', id: '' };
    expect(advance(keyset, [])).toBe(keyset);
    expect(
      advance(keyset, [
        { Id: '00Q1', SystemModstamp: '2026-05-01T11:00:00.000+0000' },
        { Id: '00Q2', SystemModstamp: '2026-05-01T11:00:05.000+0000' },
      ]),
    ).toEqual({ ts: '2026-05-01T11:00:05.000Z', id: '00Q2' });
  });

  it('writes SOQL literals safely', () => {
    expect(soqlDateTime('2026-05-01T11:00:00.999Z')).toBe('2026-05-01T11:00:00Z');
    expect(soqlString("O'Brien \\ co")).toBe("'O\\'Brien \\\\ co'");
  });
});

describe('API budget decisions', () => {
  const base = { used: 0, limit: 1000, observedAt: now.getTime(), pausedUntil: 0 };
  it('lets work start below the share and stops it at the share', () => {
    expect(budgetDecision(null, 0.8, now.getTime())).toEqual({ kind: 'go' });
    expect(budgetDecision({ ...base, used: 799 }, 0.8, now.getTime())).toEqual({ kind: 'go' });
    expect(budgetDecision({ ...base, used: 800 }, 0.8, now.getTime())).toEqual({
      kind: 'wait',
      waitMs: BUDGET_RECHECK_MS,
      reason: 'BUDGET_SHARE',
      used: 800,
      limit: 1000,
    });
  });

  it('pauses after REQUEST_LIMIT_EXCEEDED, then allows one probe', () => {
    const paused = { ...base, used: 1000, pausedUntil: now.getTime() + 3_600_000 };
    expect(budgetDecision(paused, 0.8, now.getTime())).toMatchObject({
      kind: 'wait',
      reason: 'REQUEST_LIMIT_EXCEEDED',
      waitMs: 3_600_000,
    });
    expect(budgetDecision(paused, 0.8, now.getTime() + 3_600_001)).toEqual({ kind: 'probe' });
    // A probe that reads room again lets work go, whatever the old pause said.
    expect(
      budgetDecision(
        { ...paused, used: 100, observedAt: now.getTime() + 3_600_002 },
        0.8,
        now.getTime() + 3_600_003,
      ),
    ).toEqual({ kind: 'go' });
  });

  it('parses Sforce-Limit-Info', () => {
    expect(parseLimitInfo('api-usage=10018/100000; api-bursts=1/750')).toEqual({
      used: 10018,
      limit: 100000,
    });
    expect(
      parseLimitInfo('api-usage=25/5000; per-app-api-usage=17/250(appName=sample-connected-app)'),
    ).toEqual({ used: 25, limit: 5000 });
    expect(parseLimitInfo(undefined)).toBeNull();
  });

  it('names endpoints by template and backs off exponentially with jitter', () => {
    expect(endpointTemplate('GET', 'https://x.my.salesforce.com/services/data/v62.0/query?q=SELECT+Id')).toBe(
      'GET /query',
    );
    expect(endpointTemplate('GET', 'https://x/services/data/v62.0/query/01gD0000002HU6KIAW-2000')).toBe(
      'GET /query/{locator}',
    );
    expect(endpointTemplate('PATCH', 'https://x/services/data/v62.0/sobjects/Lead/00Q5g0000000001EAA')).toBe(
      'PATCH /sobjects/Lead/{id}',
    );
    expect(endpointTemplate('POST', 'https://x/services/oauth2/token')).toBe('POST /services/oauth2/token');
    expect(retryDelayMs(1, 0)).toBe(250);
    expect(retryDelayMs(1, 1)).toBe(500);
    expect(retryDelayMs(3, 1)).toBe(2000);
    expect(retryDelayMs(10, 1)).toBe(8000);
  });
});

describe('collection chunking at the 200 cap', () => {
  it('cuts 200, 201 and 400 records into calls of at most 200, keeping order', () => {
    const sizes = (n: number) =>
      chunk(
        Array.from({ length: n }, (_, i) => i),
        COLLECTION_MAX_RECORDS,
      );
    expect(sizes(200).map((part) => part.length)).toEqual([200]);
    expect(sizes(201).map((part) => part.length)).toEqual([200, 1]);
    expect(sizes(400).map((part) => part.length)).toEqual([200, 200]);
    expect(sizes(401).flat()).toEqual(Array.from({ length: 401 }, (_, i) => i));
    expect(sizes(0)).toEqual([]);
  });
});
