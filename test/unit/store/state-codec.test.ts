import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeSyncState, encodeSyncState } from '../../../src/store/state-codec.ts';
import { LeadSyncState } from '../../../src/store/sync-state.ts';

/** A lead handed off by its score, as the backfill leaves it. */
const handedOff: LeadSyncState = {
  base: {
    email: 'priya.nguyen158@hooli.com',
    firstName: 'Priya',
    lastName: 'Nguyen',
    company: 'Hooli',
    phone: '+1 486-555-3985',
    stage: 'mql',
    score: 50,
    rejectionReason: null,
    rejectedAt: null,
    slaDueAt: '2026-11-13T03:01:14.000Z',
    slaBreached: true,
    title: 'RevOps Lead',
    gateReason: null,
  },
  timeline: { handoffAt: '2026-11-13T02:01:14.000Z' },
  lastDecision: {
    from: 'lead',
    proposed: 'mql',
    stage: 'mql',
    changed: true,
    rule: 'handoff',
    by: 'hubspot',
    explanation: 'lead -> mql (handoff, marketing_stage by hubspot)',
  },
  syncedAt: '2026-12-01T03:33:12.000Z',
};

const states: Array<[string, LeadSyncState]> = [
  ['a handed-off lead', handedOff],
  [
    'a new subscriber (no decision, empty timeline)',
    {
      base: { email: 'chloe@example.com', firstName: 'Chloé', phone: null, stage: 'subscriber', score: 20 },
      timeline: {},
      lastDecision: null,
      syncedAt: '2026-12-01T03:33:12.000Z',
    },
  ],
  [
    'a rejected lead with custom fields, a refused move and instants in another ISO form',
    {
      base: {
        email: 'a@b.example',
        stage: 'rejected',
        rejectionReason: 'No budget',
        rejectedAt: '2026-03-02T11:58:00Z',
        slaDueAt: null,
        industry: 'Software',
        employees: 250,
        doNotCall: false,
      },
      timeline: { handoffAt: '2026-03-01T10:00:00.000Z', feedbackAt: '2026-03-02T11:58:00+00:00' },
      lastDecision: {
        from: 'mql',
        proposed: 'rejected',
        stage: 'mql',
        changed: false,
        rule: 'handoff_blocked',
        by: 'leadbridge',
        move: { actor: '0055g0000000002AAA', reason: 'No budget' },
        explanation: 'handoff gate: company is missing',
      },
      syncedAt: 'not an instant',
    },
  ],
  [
    'a first decision (from nothing)',
    {
      base: {},
      timeline: {},
      lastDecision: {
        from: null,
        proposed: 'lead',
        stage: null,
        changed: false,
        rule: 'seeded',
        by: 'leadbridge',
        explanation: 'new -> lead (seeded, seed by leadbridge): first seen',
      },
      syncedAt: '2026-12-01T03:33:12.000Z',
    },
  ],
];

describe('sync state codec', () => {
  it.each(states)('gives back %s', (_name, state) => {
    expect(decodeSyncState(encodeSyncState(state))).toEqual({ state });
  });

  it('reads states stored in the earlier long form', () => {
    for (const [, state] of states) expect(decodeSyncState(JSON.stringify(state))).toEqual({ state });
  });

  it('stores a handed-off lead in at most two thirds of the long form', () => {
    expect(encodeSyncState(handedOff).length).toBeLessThan((JSON.stringify(handedOff).length * 2) / 3);
  });

  it('keeps a state whose field name is all digits in the long form, unchanged', () => {
    const odd = { ...handedOff, base: { ...handedOff.base, '7': 'seven' } };
    expect(encodeSyncState(odd)).toBe(JSON.stringify(odd));
    expect(decodeSyncState(encodeSyncState(odd))).toEqual({ state: odd });
  });

  it('says why a stored value is not a state', () => {
    expect(decodeSyncState('{oops')).toEqual({ reason: 'not JSON' });
    expect(decodeSyncState('{"b":{"5":7},"a":1}')).toHaveProperty('reason');
  });

  it('round-trips any base, timeline and decision', () => {
    const name = fc.oneof(
      fc.constantFrom('email', 'stage', 'rejectedAt', 'slaDueAt', 'title', 'gateReason'),
      fc.stringMatching(/^[A-Za-z][A-Za-z0-9_]{0,10}$/),
    );
    const value = fc.oneof(fc.string(), fc.integer(), fc.boolean(), fc.constant(null));
    const instant = fc.oneof(
      fc.integer({ min: 0, max: 4_102_444_800_000 }).map((ms) => new Date(ms).toISOString()),
      fc.string(),
    );
    const state = fc.record({
      base: fc.dictionary(name, value),
      timeline: fc.record(
        { handoffAt: instant, firstFollowUpAt: instant, feedbackAt: instant },
        { requiredKeys: [] },
      ),
      lastDecision: fc.option(
        fc.record({
          from: fc.option(fc.constantFrom('lead', 'mql'), { nil: null }),
          proposed: fc.constantFrom('mql', 'sql', 'none'),
          stage: fc.option(fc.constantFrom('mql', 'sql'), { nil: null }),
          changed: fc.boolean(),
          rule: fc.constantFrom('handoff', 'forward'),
          by: fc.constantFrom('hubspot' as const, 'salesforce' as const, 'leadbridge' as const),
          explanation: fc.string(),
        }),
        { nil: null },
      ),
      syncedAt: instant,
    });
    fc.assert(
      fc.property(state, (input) => {
        // Only what the schema takes is ever stored (a well-known field holds its own type).
        fc.pre(LeadSyncState.safeParse(input).success);
        expect(decodeSyncState(encodeSyncState(input))).toEqual({ state: input });
      }),
    );
  });
});
