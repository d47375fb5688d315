import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LedgerEntry, type LedgerCause } from '../../../src/domain/ledger-entry.ts';
import {
  EMPTY_LEDGER_STATE,
  foldEntry,
  foldLedger,
  type LedgerState,
} from '../../../src/domain/ledger-fold.ts';
import { decideTransition, isBeforeHandoff, type ListedMove } from '../../../src/domain/lifecycle-machine.ts';
import { SIDE_STATES } from '../../../src/domain/lifecycle-schema.ts';
import { DEFAULT_LIFECYCLE_ORDER, isSideState, stageRank } from '../../../src/domain/lifecycle.ts';
import { SlaConfig } from '../../../src/domain/sla-schema.ts';

const lifecycle = { ...DEFAULT_LIFECYCLE_ORDER, explicitMoves: [{ from: 'sql', to: 'mql' }] as ListedMove[] };
const sla = SlaConfig.parse({ followUpWithin: '1h', rejectionFeedbackWithin: '4h', recycleAfter: '1d' });
const anyStage = fc.constantFrom(...lifecycle.stages, ...SIDE_STATES);
const anyCause = fc.constantFrom<LedgerCause>('rep_status', 'marketing_stage', 'score', 'timer', 'admin');

type Step =
  | { kind: 'propose'; to: string; cause: LedgerCause; reason: string | null; gate: boolean; minutes: number }
  | { kind: 'score'; qualified: boolean; minutes: number };

const aStep: fc.Arbitrary<Step> = fc.oneof(
  fc.record({
    kind: fc.constant('propose' as const),
    to: anyStage,
    cause: anyCause,
    reason: fc.constantFrom('No budget', 'Wrong fit', 'Too small', null),
    gate: fc.boolean(),
    minutes: fc.integer({ min: 0, max: 600 }),
  }),
  fc.record({
    kind: fc.constant('score' as const),
    qualified: fc.boolean(),
    minutes: fc.integer({ min: 0, max: 600 }),
  }),
);

interface Run {
  entries: LedgerEntry[];
  state: LedgerState;
  /** The gate's verdict for each entry, by index. */
  gates: boolean[];
}

/** Feeds the steps to the machine the way `runLifecycle` does: refusals and acceptances are recorded. */
function drive(steps: Step[]): Run {
  let state = EMPTY_LEDGER_STATE;
  const entries: LedgerEntry[] = [];
  const gates: boolean[] = [];
  let clock = Date.parse('2026-01-05T08:00:00Z');
  for (const step of steps) {
    clock += step.minutes * 60_000;
    const sourceTime = new Date(clock).toISOString();
    const at = sourceTime;
    if (step.kind === 'score') {
      if (state.qualified === step.qualified) continue;
      const entry: LedgerEntry = {
        type: 'score',
        at,
        sourceTime,
        episode: state.episode,
        cause: 'score',
        actor: 'leadbridge',
        score: step.qualified ? 80 : 10,
        qualified: step.qualified,
      };
      entries.push(entry);
      gates.push(false);
      state = foldEntry(state, entry, lifecycle.handoffStage);
      continue;
    }
    const gate = { pass: step.gate, reasons: step.gate ? [] : ['missing: company'] };
    const entry = decideTransition(
      state,
      { to: step.to, cause: step.cause, actor: 'u1', reason: step.reason, sourceTime },
      { lifecycle, gate, sla, at },
    );
    if (!entry) continue;
    entries.push(entry);
    gates.push(step.gate);
    state = foldEntry(state, entry, lifecycle.handoffStage);
  }
  return { entries, state, gates };
}

const rank = (stage: string | null) => (stage === null ? -1 : (stageRank(stage, lifecycle) ?? -1));
const steps = fc.array(aStep, { maxLength: 60 });
fc.configureGlobal({ numRuns: 300 });

describe('lifecycle state machine invariants', () => {
  it('no transition reaches or passes the handoff from before it without a passing gate', () => {
    fc.assert(
      fc.property(steps, (input) => {
        const { entries, gates } = drive(input);
        entries.forEach((entry, i) => {
          if (entry.type !== 'transition' || entry.to === null || isSideState(entry.to)) return;
          const crosses =
            isBeforeHandoff(entry.from, lifecycle) && rank(entry.to) >= rank(lifecycle.handoffStage);
          if (crosses) {
            expect(gates[i]).toBe(true);
            expect(entry.rule).toBe('handoff');
          }
        });
      }),
    );
  });

  it('a stage never moves backwards except by an explicit move (side states, listed moves, admin)', () => {
    fc.assert(
      fc.property(steps, (input) => {
        for (const entry of drive(input).entries) {
          if (entry.type !== 'transition' || entry.from === null || entry.to === null) continue;
          if (isSideState(entry.from) || isSideState(entry.to)) {
            if (entry.to === 'rejected' || entry.to === 'disqualified' || entry.to === 'recycled') {
              expect(entry.rule).toMatch(/^explicit_/);
            }
            continue;
          }
          if (rank(entry.to) < rank(entry.from)) {
            const listed = lifecycle.explicitMoves.some((m) => m.from === entry.from && m.to === entry.to);
            expect(listed || entry.cause === 'admin').toBe(true);
            expect(['explicit_listed', 'explicit_admin']).toContain(entry.rule);
          }
        }
      }),
    );
  });

  it('replaying the ledger (also after storing it as JSON) yields the same state', () => {
    fc.assert(
      fc.property(steps, (input) => {
        const { entries, state } = drive(input);
        expect(foldLedger(entries, lifecycle.handoffStage)).toEqual(state);
        const stored = entries.map((entry) => LedgerEntry.parse(JSON.parse(JSON.stringify(entry))));
        expect(foldLedger(stored, lifecycle.handoffStage)).toEqual(state);
      }),
    );
  });

  it('every rejection is its own episode and keeps its own reason; the state shows the latest one', () => {
    fc.assert(
      fc.property(steps, (input) => {
        const { entries, state } = drive(input);
        const reasons = new Map<number, string | null>();
        let lastEpisode = 0;
        for (const entry of entries) {
          if (
            entry.type === 'transition' &&
            (entry.rule === 'handoff' || entry.to === 'rejected' || entry.to === 'disqualified')
          ) {
            expect(entry.episode).toBe(lastEpisode + 1);
            lastEpisode = entry.episode;
            if (entry.to === 'rejected' || entry.to === 'disqualified')
              reasons.set(entry.episode, entry.reason);
          } else {
            expect(entry.episode).toBe(lastEpisode);
          }
        }
        const latest = [...reasons.keys()].at(-1);
        if (latest === undefined) {
          expect(state.rejection).toBeNull();
        } else {
          expect(state.rejection?.episode).toBe(latest);
          expect(state.rejection?.reason).toBe(reasons.get(latest));
        }
      }),
    );
  });

  it('after a recycle, a handoff needs a re-qualification (score dip and rise) or a later marketing move', () => {
    fc.assert(
      fc.property(steps, (input) => {
        const { entries } = drive(input);
        let recycledAt: number | null = null;
        let dipped = false;
        let requalified = true;
        let qualified: boolean | null = null;
        for (const entry of entries) {
          if (entry.type === 'score') qualified = entry.qualified;
          if (entry.type === 'transition' && entry.to === 'recycled') {
            recycledAt = Date.parse(entry.sourceTime);
            dipped = qualified === false;
            requalified = false;
          }
          if (entry.type === 'score' && recycledAt !== null) {
            if (!entry.qualified) dipped = true;
            else if (dipped) requalified = true;
          }
          if (entry.type === 'transition' && entry.rule === 'handoff') {
            const byMarketing =
              entry.cause === 'marketing_stage' &&
              recycledAt !== null &&
              Date.parse(entry.sourceTime) > recycledAt;
            expect(requalified || byMarketing).toBe(true);
            recycledAt = null;
            requalified = true;
          }
        }
      }),
    );
  });
});
