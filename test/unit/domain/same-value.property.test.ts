import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { sameValue } from '../../../src/domain/same-value.ts';

/** JSON-like values: what a sync state holds. */
const json = fc.jsonValue();

/** The same object with its keys in reverse order, and one `undefined` property added. */
function reordered(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reordered);
  if (typeof value !== 'object' || value === null) return value;
  const entries = Object.entries(value)
    .reverse()
    .map(([key, inner]) => [key, reordered(inner)]);
  return { ...Object.fromEntries(entries), __absent: undefined };
}

describe('sameValue', () => {
  it('agrees with comparing the JSON of key-sorted values', () => {
    const canonical = (value: unknown): string =>
      JSON.stringify(value, (_key, inner: unknown) =>
        inner && typeof inner === 'object' && !Array.isArray(inner)
          ? Object.fromEntries(Object.entries(inner).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
          : inner,
      );
    fc.assert(
      fc.property(json, json, (a, b) => {
        expect(sameValue(a, b)).toBe(canonical(a) === canonical(b));
      }),
    );
  });

  it('ignores key order and properties set to undefined', () => {
    fc.assert(
      fc.property(json, (value) => {
        expect(sameValue(value, reordered(value))).toBe(true);
      }),
    );
  });

  it('tells apart values that differ in one place', () => {
    expect(sameValue({ base: { score: 60 } }, { base: { score: 61 } })).toBe(false);
    expect(sameValue({ base: { phone: null } }, { base: {} })).toBe(false);
    expect(sameValue([1, 2], [2, 1])).toBe(false);
    expect(sameValue({ a: [] }, { a: {} })).toBe(false);
  });
});
