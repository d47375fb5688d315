import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { comparableValue, isNumericText, parseInstant, toNumber } from '../../../src/domain/values.ts';
import { domainOf, looselyEqual } from '../../../src/domain/scoring.ts';
import { toCanonical } from '../../../connectors/hubspot/mapping.ts';
import { parseConfig } from '../../../src/config/load.ts';

/** Median wall time of `runs` calls, in milliseconds. */
function medianMs(fn: () => void, runs = 5): number {
  const times: number[] = [];
  for (let i = 0; i < runs; i += 1) {
    const start = performance.now();
    fn();
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(runs / 2)] ?? 0;
}

/** Every parser a record value goes through, as scoring and the merge call them. */
function parseEverything(value: string): void {
  toNumber(value);
  parseInstant(value);
  comparableValue(value, 'number');
  comparableValue(value, 'datetime');
  comparableValue(value, 'string', 'email');
  comparableValue(value, undefined);
  looselyEqual(value, 5);
  domainOf(value);
}

// Shapes that make backtracking regexes explode: long digit runs with a bad tail, digit runs around dots
// and exponents, ISO-looking prefixes with long fractions, emails with long local parts.
const unit = fc.constantFrom('1', '0', '.', 'e', '-', '+', 'x', ' ', '@', ':', 'T', 'Z');
const hostileShape = fc.tuple(fc.array(unit, { minLength: 1, maxLength: 4 }), unit).map(([run, tail]) => ({
  run: run.join(''),
  tail,
}));

describe('record values are parsed in linear time', () => {
  it('reads numbers exactly as before on ordinary text', () => {
    for (const good of ['42', '-3.5', '+1', '1e3', '1.', '.5', '1E-7', '007'])
      expect(isNumericText(good)).toBe(true);
    for (const bad of ['', '.', '-', '1e', 'e5', '1.2.3', '1e3.5', '--1', '0x10', '1 2', ' 1'])
      expect(isNumericText(bad)).toBe(false);
  });

  it('a 65,536-digit string (HubSpot text limit) with a bad last character is refused at once', () => {
    const value = `${'1'.repeat(65_536)}x`;
    expect(medianMs(() => toNumber(value), 3)).toBeLessThan(50);
    expect(toNumber(value)).toBeNull();
  });

  it('parsing time grows linearly with the input, up to 100 KB', () => {
    fc.assert(
      fc.property(hostileShape, ({ run, tail }) => {
        const make = (bytes: number) => `${run.repeat(Math.ceil(bytes / run.length)).slice(0, bytes)}${tail}`;
        const small = medianMs(() => parseEverything(make(10_000)));
        const large = medianMs(() => parseEverything(make(100_000)));
        // 10 times the input may take at most ~10 times as long (plus slack for timer noise); any
        // quadratic pattern would take 100 times as long, and the old one took seconds.
        expect(large).toBeLessThan(Math.max(small * 30, 20));
      }),
      { numRuns: 40 },
    );
  });

  it('a HubSpot value longer than HubSpot stores is cut before any rule sees it', () => {
    const config = parseConfig(
      `tenants:\n  - id: a\n    hubspot: { accessToken: t }\n    salesforce: { orgId: 00D000000000000AAA, accessToken: t, instanceUrl: https://a.my.salesforce.com }\n`,
      {},
    );
    const lead = toCanonical({ company: 'c'.repeat(200_000) }, config);
    expect(String(lead.company).length).toBe(65_536);
  });
});
