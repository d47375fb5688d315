import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CAPS, hubspotCallBound, rateLimitBoundSeconds, salesforceCallBound } from '../../../bench/bounds.ts';
import {
  evaluate,
  exitCode,
  formatTable,
  meets,
  percentile,
  ratio,
  spread,
  type FigureSpec,
} from '../../../bench/figures.ts';
import { benchSizes, selectScenarios } from '../../../bench/sizes.ts';
import { SPECS } from '../../../bench/specs.ts';

const atMost: FigureSpec = {
  id: 'calls',
  title: 'calls',
  unit: 'calls',
  reference: 'bound',
  target: { of: 'ratio', op: '<=', limit: 1.1 },
};
const atLeast: FigureSpec = { ...atMost, id: 'speed', target: { of: 'ratio', op: '>=', limit: 0.9 } };
const latency: FigureSpec = { ...atMost, id: 'p50', target: { of: 'value', op: '<=', limit: 0.5 } };

describe('bench arithmetic', () => {
  it('spread: median of odd and even counts, min and max, NaN for nothing', () => {
    expect(spread([3, 1, 2])).toEqual({ median: 2, min: 1, max: 3, runs: 3 });
    expect(spread([4, 1, 3, 2])).toEqual({ median: 2.5, min: 1, max: 4, runs: 4 });
    expect(spread([]).runs).toBe(0);
    expect(Number.isNaN(spread([]).median)).toBe(true);
  });

  it('spread: the median always lies between min and max', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ noNaN: true, min: -1e9, max: 1e9 }), { minLength: 1 }), (values) => {
        const { median, min, max } = spread(values);
        return min <= median && median <= max;
      }),
    );
  });

  it('ratio: ours over the reference; a zero reference is 0 for nothing done, infinite otherwise', () => {
    expect(ratio(351, 23)).toBeCloseTo(15.26, 2);
    expect(ratio(0, 0)).toBe(0);
    expect(ratio(3, 0)).toBe(Number.POSITIVE_INFINITY);
  });

  it('percentile by nearest rank', () => {
    const values = Array.from({ length: 100 }, (_, index) => index + 1);
    expect(percentile(values, 50)).toBe(50);
    expect(percentile(values, 99)).toBe(99);
    expect(percentile([5], 99)).toBe(5);
    expect(Number.isNaN(percentile([], 50))).toBe(true);
  });

  it('meets: both directions, the limit itself included, NaN never', () => {
    expect(meets(atMost.target, 1.1)).toBe(true);
    expect(meets(atMost.target, 1.11)).toBe(false);
    expect(meets(atLeast.target, 0.9)).toBe(true);
    expect(meets(atLeast.target, 0.89)).toBe(false);
    expect(meets(atMost.target, Number.NaN)).toBe(false);
  });
});

describe('bench targets', () => {
  it('a ratio figure passes or fails on the median ratio of its runs, not on one noisy run', () => {
    const passing = evaluate(atMost, [
      { ours: 100, reference: 100 },
      { ours: 150, reference: 100 },
      { ours: 105, reference: 100 },
    ]);
    expect(passing.ratio).toMatchObject({ median: 1.05, min: 1, max: 1.5 });
    expect(passing.pass).toBe(true);
    const failing = evaluate(atMost, [
      { ours: 351, reference: 23 },
      { ours: 340, reference: 23 },
      { ours: 360, reference: 23 },
    ]);
    expect(failing.pass).toBe(false);
  });

  it('a throughput figure must reach its ratio from below', () => {
    expect(evaluate(atLeast, [{ ours: 1_400, reference: 1_800 }]).pass).toBe(false);
    expect(evaluate(atLeast, [{ ours: 1_700, reference: 1_800 }]).pass).toBe(true);
  });

  it('a value figure is judged on the value, whatever its baseline', () => {
    expect(evaluate(latency, [{ ours: 0.4, reference: 1.9 }]).pass).toBe(true);
    expect(evaluate(latency, [{ ours: 1.9, reference: 1.9 }]).pass).toBe(false);
  });

  it('zero 429s allowed: one 429 fails', () => {
    expect(evaluate(SPECS.backfill429s, [{ ours: 0, reference: 0 }]).pass).toBe(true);
    expect(evaluate(SPECS.backfill429s, [{ ours: 1, reference: 0 }]).pass).toBe(false);
  });

  it('a figure whose scenario failed, or that has no runs, fails', () => {
    expect(evaluate(atMost, [{ ours: 1, reference: 1 }], { error: 'emulator down' }).pass).toBe(false);
    expect(evaluate(atMost, []).pass).toBe(false);
  });

  it('exit code: 0 only when every figure passed, 1 when any missed or none was measured', () => {
    const pass = evaluate(atMost, [{ ours: 1, reference: 1 }]);
    const fail = evaluate(atMost, [{ ours: 2, reference: 1 }]);
    expect(exitCode([pass, pass])).toBe(0);
    expect(exitCode([pass, fail])).toBe(1);
    expect(exitCode([])).toBe(1);
  });

  it('the table shows the median with min-max, the target and PASS/FAIL', () => {
    const table = formatTable([
      evaluate(atMost, [
        { ours: 351, reference: 23 },
        { ours: 340, reference: 23 },
        { ours: 360, reference: 23 },
      ]),
    ]);
    expect(table).toContain('351 (340-360) calls');
    expect(table).toContain('23 (bound)');
    expect(table).toContain('15.3 (14.8-15.7)');
    expect(table).toContain('ratio <= 1.1');
    expect(table).toMatch(/FAIL$/m);
  });
});

describe('bench bounds come from the vendors caps', () => {
  it('uses 2,000 rows per Salesforce query page, not the 200-record write cap', () => {
    expect(CAPS.salesforceQueryPage).toBe(2_000);
    expect(salesforceCallBound({ read: 2_000, created: 0, updated: 0 })).toBe(1);
    // Creates: 22 collection calls, and their emails looked up first, 400 a call.
    expect(salesforceCallBound({ read: 2_000, created: 4_394, updated: 0 })).toBe(1 + 11 + 22);
  });

  it('HubSpot: 100 per list page and per batch, creates and updates apart', () => {
    expect(hubspotCallBound({ read: 10_000, created: 2_000, updated: 9_500 })).toBe(100 + 20 + 95);
    expect(hubspotCallBound({ read: 0, created: 0, updated: 0 })).toBe(0);
    expect(hubspotCallBound({ read: 1, created: 1, updated: 1 })).toBe(3);
  });

  it('the bound never exceeds one call per record (a full batch is never worse than single calls)', () => {
    fc.assert(
      fc.property(fc.nat(50_000), fc.nat(50_000), fc.nat(50_000), (read, created, updated) => {
        const work = { read, created, updated };
        return (
          hubspotCallBound(work) <= read + created + updated &&
          // A Salesforce create is looked up by email first: two calls at most per created record.
          salesforceCallBound(work) <= read + 2 * created + updated
        );
      }),
    );
  });

  it('rate-limit bound: calls needed / 19 per second at 190 per 10 s', () => {
    expect(rateLimitBoundSeconds(215, 190)).toBeCloseTo(11.32, 2);
    expect(() => rateLimitBoundSeconds(10, 0)).toThrow(/perWindow/);
  });
});

describe('bench settings', () => {
  it('full by default, small on request, BENCH_RUNS and BENCH_RSS_CONTACTS on top', () => {
    expect(benchSizes({}).sizes.backfill).toEqual({ contacts: 10_000, leads: 2_000 });
    expect(benchSizes({}).sizes.runs).toBe(3);
    expect(benchSizes({ BENCH_SIZE: 'small' }).name).toBe('small');
    const custom = benchSizes({ BENCH_RUNS: '5', BENCH_RSS_CONTACTS: '20000' }).sizes;
    expect(custom).toMatchObject({ runs: 5, rssContacts: 20_000 });
  });

  it('a bad setting names the variable', () => {
    expect(() => benchSizes({ BENCH_SIZE: 'huge' })).toThrow(/BENCH_SIZE/);
    expect(() => benchSizes({ BENCH_RUNS: '0' })).toThrow(/BENCH_RUNS/);
    expect(() => benchSizes({ BENCH_RSS_CONTACTS: 'lots' })).toThrow(/BENCH_RSS_CONTACTS/);
    expect(() => selectScenarios('backfill,warp')).toThrow(/BENCH_ONLY: unknown scenario warp/);
    expect(selectScenarios('webhook')).toEqual(['webhook']);
  });
});
