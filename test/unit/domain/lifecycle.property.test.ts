import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_LIFECYCLE_ORDER as lifecycle,
  EXPLICIT_RULES,
  decideStage,
  isSideState,
  stageRank,
} from '../../../src/domain/lifecycle.ts';
import { SIDE_STATES } from '../../../src/domain/lifecycle-schema.ts';

const anyStage = fc.constantFrom(...lifecycle.stages, ...SIDE_STATES);
const anyName = fc.oneof(anyStage, fc.constantFrom('evangelist', 'bogus'));
const aMove = fc.record({ actor: fc.string({ minLength: 1 }), reason: fc.string({ minLength: 1 }) });

/** A change that is not an explicit move must be a forward one through the ordered stages. */
function isForward(from: string, to: string): boolean {
  if (isSideState(to) || from === 'rejected' || from === 'disqualified') return false;
  return (stageRank(to, lifecycle) ?? -1) > (stageRank(from, lifecycle) ?? -1);
}

describe('lifecycle invariants', () => {
  it('never moves a known stage backwards except by an explicit move with actor and reason', () => {
    fc.assert(
      fc.property(anyStage, anyName, fc.option(aMove, { nil: undefined }), (current, proposed, move) => {
        const decided = decideStage(current, proposed, lifecycle, move);
        if (!decided.changed) {
          expect(decided.stage).toBe(current);
          return;
        }
        if (EXPLICIT_RULES.includes(decided.rule)) {
          expect(move).toBeDefined();
          expect(decided.move).toEqual(move);
        } else {
          expect(decided.rule).toBe('forward');
          expect(isForward(current, decided.stage ?? '')).toBe(true);
        }
      }),
    );
  });

  it('without explicit moves, a run of proposals only climbs the order and never enters a side state', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...lifecycle.stages),
        fc.array(anyName, { maxLength: 20 }),
        (start, proposals) => {
          let stage: string | null = start;
          for (const proposed of proposals) {
            const next: string | null = decideStage(stage, proposed, lifecycle).stage;
            expect(stageRank(next, lifecycle)).toBeGreaterThanOrEqual(stageRank(stage, lifecycle) ?? 0);
            expect(isSideState(next)).toBe(false);
            stage = next;
          }
        },
      ),
    );
  });
});
