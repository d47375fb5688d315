import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ScoringConfig } from '../../../src/domain/scoring-schema.ts';
import { scoreLead } from '../../../src/domain/scoring.ts';

const now = new Date('2025-03-01T12:00:00.000Z');
const fields = ['company', 'industry', 'pageViews', 'lastSeenAt'] as const;

const aRule = fc.record({
  id: fc.string({ minLength: 1, maxLength: 6 }),
  category: fc.constantFrom('fit', 'engagement'),
  field: fc.constantFrom(...fields),
  points: fc.integer({ min: -30, max: 40 }),
  spec: fc.oneof(
    fc.constant({ op: 'exists' }),
    fc.record({ op: fc.constant('equals'), value: fc.constantFrom('Acme', 'software', 12, null) }),
    fc.record({ op: fc.constant('in'), values: fc.constant(['Software', 'Retail', 5]) }),
    fc.record({ op: fc.constant('contains'), value: fc.constantFrom('ac', 'soft', '1') }),
    fc.record({ op: fc.constant('range'), min: fc.integer({ min: 0, max: 20 }) }),
    fc.record({ op: fc.constant('recent_within'), within: fc.constantFrom('1d', '7d', '30d') }),
  ),
});

const aLead = fc.record(
  {
    company: fc.constantFrom('Acme', 'acme corp', '', null),
    industry: fc.constantFrom('Software', 'retail', 'SOFTWARE', null),
    pageViews: fc.oneof(fc.integer({ min: 0, max: 30 }), fc.constantFrom('12', '5', 'n/a')),
    lastSeenAt: fc
      .integer({ min: 0, max: 60 * 86_400_000 })
      .map((ago) => new Date(now.getTime() - ago).toISOString()),
  },
  { requiredKeys: [] },
);

const caps = fc.record(
  {
    fit: fc.integer({ min: 1, max: 60 }),
    engagement: fc.integer({ min: 1, max: 60 }),
    total: fc.integer({ min: 1, max: 100 }),
  },
  { requiredKeys: [] },
);

describe('scoring invariants', () => {
  it('the score is the sum of the fired rules points, less what the caps took', () => {
    fc.assert(
      fc.property(fc.array(aRule, { maxLength: 12 }), aLead, caps, (rules, lead, capSet) => {
        const config = ScoringConfig.parse({
          caps: capSet,
          rules: rules.map(({ spec, ...base }) => ({ ...base, ...spec })),
        });
        const result = scoreLead(lead, config, now);
        const firedSum = result.fired.reduce((sum, rule) => sum + rule.points, 0);
        const capped = result.capping.reduce((sum, cap) => sum + (cap.after - cap.before), 0);
        expect(result.score).toBe(firedSum + capped);
        expect(result.capping.every((cap) => cap.after < cap.before)).toBe(true);
        if (capSet.fit !== undefined) expect(result.fit).toBeLessThanOrEqual(capSet.fit);
        if (capSet.engagement !== undefined) expect(result.engagement).toBeLessThanOrEqual(capSet.engagement);
        if (capSet.total !== undefined) expect(result.score).toBeLessThanOrEqual(capSet.total);
        const uncapped = scoreLead(lead, { ...config, caps: {} }, now);
        expect(uncapped.score).toBe(firedSum);
        expect(uncapped.fired).toEqual(result.fired);
        expect(result.score).toBeLessThanOrEqual(uncapped.score);
      }),
    );
  });
});
