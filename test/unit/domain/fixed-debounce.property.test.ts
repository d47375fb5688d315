import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fixedDebounceDelayMs } from '../../../src/domain/fixed-debounce.ts';

describe('fixed debounce', () => {
  it('waits the whole debounce, then for the next tick of the debounce grid', () => {
    expect(fixedDebounceDelayMs(10_000, 2_000)).toBe(2_000);
    expect(fixedDebounceDelayMs(10_001, 2_000)).toBe(3_999);
    expect(fixedDebounceDelayMs(11_999, 2_000)).toBe(2_001);
  });

  it('puts changes made within one tick in the same batch', () => {
    // Every change of [10 s, 12 s) is due at 14 s: one batch per 2 s tick.
    for (const nowMs of [10_001, 10_500, 11_000, 11_999])
      expect(nowMs + fixedDebounceDelayMs(nowMs, 2_000)).toBe(14_000);
  });

  it('is off (0) without a debounce', () => {
    expect(fixedDebounceDelayMs(10_001, 0)).toBe(0);
  });

  it('always lands on the grid, between one and two debounces away', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 2 ** 45 }),
        fc.integer({ min: 1, max: 60_000 }),
        (nowMs, debounceMs) => {
          const delay = fixedDebounceDelayMs(nowMs, debounceMs);
          expect(delay).toBeGreaterThanOrEqual(debounceMs);
          expect(delay).toBeLessThan(2 * debounceMs);
          expect((nowMs + delay) % debounceMs).toBe(0);
        },
      ),
    );
  });
});
