import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  afterPage,
  capAtHorizon,
  cursorFromKeyset,
  keysetFromCursor,
  modeOf,
  searchRequest,
  type Keyset,
  type PageRecord,
  type PollMode,
} from '../../../connectors/hubspot/poll-window.ts';

describe('poll window arithmetic', () => {
  it('starts a fresh poller at the beginning of the overlap window and round-trips cursors', () => {
    expect(keysetFromCursor(null, 1_000_000, 120_000)).toEqual({ at: 880_000, id: '0' });
    const keyset = { at: Date.parse('2024-11-30T23:59:59.123Z'), id: '51000000007' };
    expect(keysetFromCursor(cursorFromKeyset(keyset), 0, 0)).toEqual(keyset);
    expect(keysetFromCursor({ modifiedAt: 'garbage', id: 'x' }, 1_000, 100)).toEqual({ at: 900, id: '0' });
  });

  it('advances by time, and drains one timestamp by id', () => {
    expect(modeOf({ at: 5, id: '0' })).toBe('advance');
    expect(searchRequest({ at: 5, id: '0' }, 'advance', ['email'], 200)).toMatchObject({
      filterGroups: [{ filters: [{ propertyName: 'lastmodifieddate', operator: 'GTE', value: '5' }] }],
      sorts: ['lastmodifieddate'],
    });
    expect(searchRequest({ at: 5, id: '42' }, 'drain', ['email'], 200)).toMatchObject({
      filterGroups: [
        {
          filters: [
            { propertyName: 'lastmodifieddate', operator: 'EQ', value: '5' },
            { propertyName: 'hs_object_id', operator: 'GT', value: '42' },
          ],
        },
      ],
      sorts: ['hs_object_id'],
    });
  });

  it('keeps back the newest timestamp of a full page, and drains a page that is all one timestamp', () => {
    const page = [
      { id: '9', at: 10 },
      { id: '3', at: 11 },
      { id: '4', at: 12 },
      { id: '1', at: 12 },
    ];
    expect(afterPage({ at: 10, id: '0' }, 'advance', page, 4)).toEqual({
      take: 2,
      next: { at: 12, id: '0' },
      exhausted: false,
      drainNext: false,
    });
    expect(afterPage({ at: 10, id: '0' }, 'advance', page, 5)).toEqual({
      take: 4,
      next: { at: 13, id: '0' },
      exhausted: true,
      drainNext: false,
    });
    const same = [
      { id: '7', at: 12 },
      { id: '2', at: 12 },
    ];
    expect(afterPage({ at: 10, id: '0' }, 'advance', same, 2)).toEqual({
      take: 0,
      next: { at: 12, id: '0' },
      exhausted: false,
      drainNext: true,
    });
    expect(
      afterPage(
        { at: 12, id: '0' },
        'drain',
        [
          { id: '2', at: 12 },
          { id: '7', at: 12 },
        ],
        2,
      ),
    ).toMatchObject({ take: 2, next: { at: 12, id: '7' } });
    expect(afterPage({ at: 12, id: '7' }, 'drain', [{ id: '8', at: 12 }], 2)).toMatchObject({
      take: 1,
      next: { at: 13, id: '0' },
      exhausted: false,
    });
  });

  it('never stores a finished pass past now - overlap', () => {
    expect(capAtHorizon({ at: 500, id: '9' }, 400)).toEqual({ at: 400, id: '0' });
    expect(capAtHorizon({ at: 300, id: '9' }, 400)).toEqual({ at: 300, id: '9' });
  });

  it('hands every record on exactly once, whatever the timestamps and the order of ties', () => {
    // A model of the search API: sorted by time with ties in arbitrary order, or by id within one time.
    const records = fc.uniqueArray(
      fc.record({ id: fc.integer({ min: 1, max: 5_000 }).map(String), at: fc.integer({ min: 0, max: 6 }) }),
      { selector: (record) => record.id, maxLength: 120 },
    );
    fc.assert(
      fc.property(records, fc.integer({ min: 2, max: 9 }), fc.integer(), (all, limit, salt) => {
        const scramble = (record: PageRecord) => (Number(record.id) * 2654435761 + salt) >>> 0;
        const query = (keyset: Keyset, mode: PollMode): PageRecord[] =>
          mode === 'drain'
            ? all
                .filter((r) => r.at === keyset.at && Number(r.id) > Number(keyset.id))
                .sort((a, b) => Number(a.id) - Number(b.id))
                .slice(0, limit)
            : all
                .filter((r) => r.at >= keyset.at)
                .sort((a, b) => a.at - b.at || scramble(a) - scramble(b))
                .slice(0, limit);
        const seen: string[] = [];
        let keyset: Keyset = { at: 0, id: '0' };
        let mode: PollMode = 'advance';
        for (let step = 0; step < 10_000; step++) {
          const page = query(keyset, mode);
          const outcome = afterPage(keyset, mode, page, limit);
          seen.push(...page.slice(0, outcome.take).map((record) => record.id));
          if (outcome.exhausted) break;
          keyset = outcome.next;
          mode = outcome.drainNext ? 'drain' : modeOf(keyset);
        }
        expect(seen.sort()).toEqual(all.map((record) => record.id).sort());
      }),
      { numRuns: 300 },
    );
  });
});
