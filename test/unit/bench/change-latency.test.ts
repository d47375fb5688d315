import { describe, expect, it } from 'vitest';
import {
  countByEndpoint,
  FIXED_DEBOUNCE_BASELINE,
  frontierSettings,
  quietMs,
  SETTLE_QUIET_MS,
} from '../../../bench/change-latency.ts';
import { parseConfig } from '../../../src/config/load.ts';
import { durationMs } from '../../../src/domain/duration.ts';

const withExtra = (extra: string) => `
tenants:
  - id: bench
    hubspot: { accessToken: tok }
    salesforce: { orgId: 00D000000000000AAA, accessToken: t, instanceUrl: https://acme.my.salesforce.com }
${extra}`;

describe('change latency bench', () => {
  it('measures its baseline with a fixed 2 s debounce, not the defaults', () => {
    const baseline = parseConfig(withExtra(FIXED_DEBOUNCE_BASELINE), {}).sync;
    const defaults = parseConfig(withExtra(''), {}).sync;
    expect(baseline.debounceMode).toBe('fixed');
    expect(durationMs(baseline.debounce)).toBe(2_000);
    expect(defaults.debounceMode).toBe('adaptive');
    expect(baseline).not.toEqual(defaults);
  });

  it('counts calls by system and endpoint, most frequent first', () => {
    const call = (endpoint: string) => ({ at: 0, status: 200, endpoint });
    expect(
      countByEndpoint({
        hubspot: [call('POST /batch/read')],
        salesforce: [call('PATCH /composite/sobjects'), call('PATCH /composite/sobjects')],
      }),
    ).toEqual({ 'salesforce PATCH /composite/sobjects': 2, 'hubspot POST /batch/read': 1 });
    expect(
      Object.keys(countByEndpoint({ hubspot: [call('b')], salesforce: [call('a'), call('a')] })),
    ).toEqual(['salesforce a', 'hubspot b']);
  });

  it('waits for quiet from the last call of either system, or from the start when none came', () => {
    const call = (at: number) => ({ at, status: 200, endpoint: 'x' });
    expect(quietMs({ hubspot: [], salesforce: [] }, 1_000, 3_000)).toBe(2_000);
    expect(quietMs({ hubspot: [call(2_500)], salesforce: [call(1_500)] }, 1_000, 3_000)).toBe(500);
    expect(quietMs({ hubspot: [call(500)], salesforce: [call(2_800)] }, 1_000, 3_000)).toBe(200);
    // Longer than the longest a fixed 2 s debounce holds a record (two debounces).
    expect(SETTLE_QUIET_MS).toBeGreaterThan(2 * 2_000);
  });

  it('reads the frontier settings to measure beside the defaults, refusing what is not a duration', () => {
    expect(frontierSettings(undefined)).toEqual([]);
    expect(frontierSettings(' ')).toEqual([]);
    expect(frontierSettings('3s, 750ms')).toEqual(['sync: { debounce: 3s }', 'sync: { debounce: 750ms }']);
    expect(() => frontierSettings('3s,fast')).toThrow(/BENCH_LATENCY_FRONTIER: "fast"/);
    const config = parseConfig(withExtra(frontierSettings('3s')[0]!), {}).sync;
    expect(durationMs(config.debounce)).toBe(3_000);
    expect(config.debounceMode).toBe('adaptive');
  });
});
