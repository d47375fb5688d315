import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { LeadLink } from '../../../src/store/lead-link.ts';
import { decodeLink, encodeLink } from '../../../src/store/link-codec.ts';

const KEY = 'lb_01m8qtkrb1q9en8567peh3ydck';

const links: Array<[string, LeadLink]> = [
  [
    'a lead on both sides',
    {
      leadKey: KEY,
      hubspot: '51000000548',
      salesforceLead: '00Q5g000000007pEAA',
      salesforceContact: null,
      email: 'emma.carter547@cyberdyne.ai',
      history: [],
      createdAt: '2026-12-01T03:33:12.161Z',
      updatedAt: '2026-12-01T03:33:12.000Z',
    },
  ],
  [
    'a HubSpot contact alone, never updated',
    {
      leadKey: KEY,
      hubspot: '51000000264',
      salesforceLead: null,
      salesforceContact: null,
      email: null,
      history: [],
      createdAt: '2026-12-01T03:33:12.161Z',
      updatedAt: '2026-12-01T03:33:12.161Z',
    },
  ],
  [
    'a converted, merged lead with its history',
    {
      leadKey: KEY,
      hubspot: '101',
      salesforceLead: '00Q000000000101AAA',
      salesforceContact: '003000000000101AAA',
      email: 'ann@example.com',
      history: [
        { at: '2026-03-01T10:00:00.000Z', side: 'hubspot', id: '102', change: 'merged', into: '101' },
        {
          at: '2026-03-01T11:00:00Z',
          side: 'salesforceLead',
          id: '00Q000000000101AAA',
          change: 'converted',
          into: '003000000000101AAA',
        },
        { at: '2026-03-02T10:00:00.000Z', side: 'hubspot', id: '103', change: 'absorbed', intoLead: 'lb_x' },
        { at: '2026-03-03T10:00:00.000Z', side: 'hubspot', id: '104', change: 'deleted', propagated: true },
      ],
      createdAt: '2026-03-01T09:00:00+00:00',
      updatedAt: '2026-03-03T10:00:00.000Z',
    },
  ],
];

describe('link codec', () => {
  it.each(links)('gives back %s', (_name, link) => {
    expect(decodeLink(encodeLink(link), KEY)).toEqual({ link });
  });

  it('reads links stored in the earlier long form', () => {
    for (const [, link] of links) expect(decodeLink(JSON.stringify(link), KEY)).toEqual({ link });
  });

  it('stores a linked lead in about half the bytes of the long form, without its lead key', () => {
    const [, link] = links[0]!;
    const stored = encodeLink(link);
    expect(stored).not.toContain(KEY);
    expect(stored.length).toBeLessThan(JSON.stringify(link).length * 0.55);
  });

  it('says why a stored value is not a link', () => {
    expect(decodeLink('{oops', KEY)).toEqual({ reason: 'not JSON' });
    expect(decodeLink('{"h":5}', KEY)).toHaveProperty('reason');
    expect(decodeLink('{"a":1}', 'not a lead key')).toHaveProperty('reason');
  });

  it('round-trips any link', () => {
    const id = fc.option(fc.string({ minLength: 1 }), { nil: null });
    const instant = fc.oneof(
      fc.integer({ min: 0, max: 4_102_444_800_000 }).map((ms) => new Date(ms).toISOString()),
      fc.string(),
    );
    const change = fc.record(
      {
        at: instant,
        side: fc.constantFrom('hubspot' as const, 'salesforceLead' as const, 'salesforceContact' as const),
        id: fc.string(),
        change: fc.constantFrom('merged' as const, 'deleted' as const, 'duplicate' as const),
        into: fc.string(),
        intoLead: fc.string(),
        propagated: fc.boolean(),
      },
      { requiredKeys: ['at', 'side', 'id', 'change'] },
    );
    const link = fc.record({
      leadKey: fc.constant(KEY),
      hubspot: id,
      salesforceLead: id,
      salesforceContact: id,
      email: id,
      history: fc.array(change, { maxLength: 3 }),
      createdAt: instant,
      updatedAt: instant,
    });
    fc.assert(
      fc.property(link, (value) => {
        expect(decodeLink(encodeLink(value), KEY)).toEqual({ link: value });
      }),
    );
  });
});
