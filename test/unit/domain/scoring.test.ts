import { describe, expect, it } from 'vitest';
import { ScoringConfig, ScoringRule } from '../../../src/domain/scoring-schema.ts';
import {
  domainOf,
  isMarketingQualified,
  looselyEqual,
  ruleFires,
  scoreLead,
} from '../../../src/domain/scoring.ts';

const now = new Date('2025-03-01T12:00:00.000Z');
const rule = (spec: Record<string, unknown>) =>
  ScoringRule.parse({ id: 'r', category: 'fit', field: 'f', points: 10, ...spec });
const fires = (spec: Record<string, unknown>, value: unknown) =>
  ruleFires(rule(spec), { f: value as string }, now);

describe('scoring ops', () => {
  it('equals: case-insensitive text, numbers from numeric strings, booleans from words, null for blank', () => {
    expect(fires({ op: 'equals', value: 'Software' }, 'software ')).toBe(true);
    expect(fires({ op: 'equals', value: 'Software' }, 'Hardware')).toBe(false);
    expect(fires({ op: 'equals', value: 500 }, '500')).toBe(true);
    expect(fires({ op: 'equals', value: '500' }, 500.0)).toBe(true);
    expect(fires({ op: 'equals', value: true }, 'true')).toBe(true);
    expect(fires({ op: 'equals', value: true }, 'false')).toBe(false);
    expect(fires({ op: 'equals', value: null }, '  ')).toBe(true);
    expect(fires({ op: 'equals', value: 'x' }, undefined)).toBe(false);
  });

  it('in: any of the values, with the same comparison', () => {
    const spec = { op: 'in', values: ['Software', 'Financial Services', 42] };
    expect(fires(spec, 'FINANCIAL SERVICES')).toBe(true);
    expect(fires(spec, '42')).toBe(true);
    expect(fires(spec, 'Retail')).toBe(false);
    expect(fires(spec, null)).toBe(false);
  });

  it('contains: case-insensitive substring, numbers read as text', () => {
    expect(fires({ op: 'contains', value: 'Director' }, 'Sales DIRECTOR, EMEA')).toBe(true);
    expect(fires({ op: 'contains', value: 'Director' }, 'Manager')).toBe(false);
    expect(fires({ op: 'contains', value: '12' }, 3125)).toBe(true);
    expect(fires({ op: 'contains', value: 'x' }, '')).toBe(false);
  });

  it('domain_in: the domain of an email or URL, subdomains included, case-insensitive', () => {
    const spec = { op: 'domain_in', domains: ['gmail.com', '@Yahoo.com', 'acme.io'] };
    expect(fires(spec, 'Ann@GMAIL.com')).toBe(true);
    expect(fires(spec, 'bob@yahoo.com')).toBe(true);
    expect(fires(spec, 'https://www.acme.io/pricing')).toBe(true);
    expect(fires(spec, 'eve@eu.acme.io')).toBe(true);
    expect(fires(spec, 'eve@notacme.io')).toBe(false);
    expect(fires(spec, 'carol@gmail.com.evil.net')).toBe(false);
    expect(fires(spec, null)).toBe(false);
    expect(domainOf('http://Example.COM:8080/x')).toBe('example.com');
  });

  it('range: inclusive bounds, open on a missing side, numeric strings count', () => {
    expect(fires({ op: 'range', min: 50, max: 5000 }, '50')).toBe(true);
    expect(fires({ op: 'range', min: 50, max: 5000 }, 5000)).toBe(true);
    expect(fires({ op: 'range', min: 50, max: 5000 }, 5001)).toBe(false);
    expect(fires({ op: 'range', min: 10 }, 1e6)).toBe(true);
    expect(fires({ op: 'range', max: 10 }, -3)).toBe(true);
    expect(fires({ op: 'range', min: 10 }, 'many')).toBe(false);
    expect(() => rule({ op: 'range' })).toThrow();
  });

  it('exists: anything not blank', () => {
    expect(fires({ op: 'exists' }, 'Acme')).toBe(true);
    expect(fires({ op: 'exists' }, 0)).toBe(true);
    expect(fires({ op: 'exists' }, '   ')).toBe(false);
    expect(fires({ op: 'exists' }, null)).toBe(false);
  });

  it('recent_within: ISO-8601 or epoch ms, at most `within` before now', () => {
    const spec = { op: 'recent_within', within: '30d' };
    expect(fires(spec, '2025-02-01T12:00:00Z')).toBe(true);
    expect(fires(spec, '2025-01-30T12:00:00Z')).toBe(true); // exactly 30 days: inclusive
    expect(fires(spec, '2025-01-30T11:59:59.999Z')).toBe(false);
    expect(fires(spec, '2025-01-30T13:00:00.000+0100')).toBe(true);
    expect(fires(spec, '2025-01-30T11:00:00.000-0100')).toBe(true);
    expect(fires(spec, '2025-01-30T10:59:00.000-0100')).toBe(false);
    expect(fires(spec, String(Date.UTC(2025, 1, 20)))).toBe(true);
    expect(fires(spec, Date.UTC(2025, 0, 1))).toBe(false);
    expect(fires(spec, '2025-03-01T12:05:00Z')).toBe(true);
    expect(fires(spec, 'last week')).toBe(false);
    expect(fires(spec, null)).toBe(false);
  });

  it('compares loosely the way rules need', () => {
    expect(looselyEqual('YES', 'yes')).toBe(true);
    expect(looselyEqual(1, true)).toBe(true);
    expect(looselyEqual('', null)).toBe(true);
  });
});

describe('scoring a lead', () => {
  const config = ScoringConfig.parse({
    mqlThreshold: 50,
    rules: [
      { id: 'has-company', category: 'fit', field: 'company', op: 'exists', points: 10 },
      { id: 'director', category: 'fit', field: 'title', op: 'contains', value: 'director', points: 15 },
      {
        id: 'free-mail',
        category: 'fit',
        field: 'email',
        op: 'domain_in',
        domains: ['gmail.com'],
        points: -20,
      },
      {
        id: 'demo',
        category: 'engagement',
        field: 'lastDemoRequestAt',
        op: 'recent_within',
        within: '30d',
        points: 30,
      },
      { id: 'views', category: 'engagement', field: 'pageViews', op: 'range', min: 10, points: 10 },
    ],
  });
  const lead = {
    email: 'ann@acme.com',
    company: 'Acme',
    title: 'Director of IT',
    lastDemoRequestAt: '2025-02-25T00:00:00Z',
    pageViews: '14',
  };

  it('adds the points of every rule that fires and lists them for explain', () => {
    const result = scoreLead(lead, config, now);
    expect(result).toMatchObject({ score: 65, fit: 25, engagement: 40, capping: [] });
    expect(result.fired.map((f) => [f.id, f.points])).toEqual([
      ['has-company', 10],
      ['director', 15],
      ['demo', 30],
      ['views', 10],
    ]);
    expect(result.fired[3]).toMatchObject({
      field: 'pageViews',
      op: 'range',
      value: '14',
      category: 'engagement',
    });
    expect(isMarketingQualified(result.score, config)).toBe(true);
  });

  it('takes points away for negative rules, below zero if that is the sum', () => {
    const result = scoreLead({ email: 'joe@gmail.com' }, config, now);
    expect(result.score).toBe(-20);
    expect(isMarketingQualified(result.score, config)).toBe(false);
  });

  it('holds each category to its cap, then the total, and says so', () => {
    const capped = { ...config, caps: { fit: 20, engagement: 35, total: 50 } };
    const result = scoreLead(lead, capped, now);
    expect(result).toMatchObject({ score: 50, fit: 20, engagement: 35 });
    expect(result.capping).toEqual([
      { scope: 'fit', cap: 20, before: 25, after: 20 },
      { scope: 'engagement', cap: 35, before: 40, after: 35 },
      { scope: 'total', cap: 50, before: 55, after: 50 },
    ]);
  });

  it('treats the threshold as inclusive', () => {
    expect(isMarketingQualified(50, config)).toBe(true);
    expect(isMarketingQualified(49, config)).toBe(false);
  });

  it('scores an empty lead zero', () => {
    expect(scoreLead({}, config, now)).toEqual({ score: 0, fit: 0, engagement: 0, fired: [], capping: [] });
  });
});
