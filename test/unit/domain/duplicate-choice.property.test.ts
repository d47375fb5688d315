import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { choosePrimary, type DuplicateCandidate } from '../../../src/domain/duplicate-choice.ts';

const iso = (s: number) => new Date(Date.UTC(2026, 0, 1) + s * 1000).toISOString();

describe('choosePrimary: one record of several sharing an email', () => {
  it('converted first, then most recently modified, then oldest', () => {
    const open = { id: '00Q2', converted: false, modifiedAt: iso(50), createdAt: iso(1) };
    const converted = { id: '003a', converted: true, modifiedAt: iso(10), createdAt: iso(5) };
    const newer = { id: '00Q3', converted: false, modifiedAt: iso(60), createdAt: iso(2) };
    expect(choosePrimary([open, converted, newer]).primary).toBe(converted);
    expect(choosePrimary([open, newer]).primary).toBe(newer);
    const older = { id: '00Q9', converted: false, modifiedAt: iso(50), createdAt: iso(0) };
    expect(choosePrimary([open, older]).primary).toBe(older);
    expect(choosePrimary([open, older]).duplicates).toEqual([open]);
  });

  it('gives the same primary whatever order the records arrive in', () => {
    const candidate = fc.record({
      id: fc.stringMatching(/^00Q[0-9]{3}$/),
      converted: fc.boolean(),
      modifiedAt: fc.integer({ min: 0, max: 20 }).map(iso),
      createdAt: fc.option(fc.integer({ min: 0, max: 20 }).map(iso), { nil: undefined }),
    });
    fc.assert(
      fc.property(
        fc.uniqueArray(candidate, { minLength: 1, maxLength: 6, selector: (c) => c.id }),
        fc.nat(),
        (list: DuplicateCandidate[], seed) => {
          const shuffled = [...list].sort(
            (a, b) => ((a.id.charCodeAt(4) * seed) % 7) - ((b.id.charCodeAt(4) * seed) % 7),
          );
          const a = choosePrimary(list);
          const b = choosePrimary(shuffled);
          expect(b.primary.id).toBe(a.primary.id);
          expect(a.duplicates).toHaveLength(list.length - 1);
          if (list.some((c) => c.converted)) expect(a.primary.converted).toBe(true);
        },
      ),
    );
  });
});
