import { describe, expect, it } from 'vitest';
import { etaSeconds } from '../../../jobs/backfill-totals.ts';
import { formatEta } from '../../../src/cli/commands/backfill.ts';

describe('backfill ETA', () => {
  it('extrapolates the rate so far to what is left', () => {
    expect(etaSeconds(100, 1_000, 10_000)).toBe(90);
    expect(etaSeconds(1_000, 1_000, 10_000)).toBe(0);
  });
  it('is unknown without a total or before the first record', () => {
    expect(etaSeconds(100, null, 10_000)).toBeNull();
    expect(etaSeconds(0, 1_000, 10_000)).toBeNull();
  });
  it('reads as seconds, minutes or hours', () => {
    expect(formatEta(42)).toBe('42s');
    expect(formatEta(200)).toBe('3m 20s');
    expect(formatEta(3_900)).toBe('1h 05m');
  });
});
