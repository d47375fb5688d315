import type { LedgerCause, LedgerEntry } from './ledger-entry.ts';
import { EMPTY_LEDGER_STATE, foldEntry, refusalKey, type LedgerState } from './ledger-fold.ts';
import { seedEntry, type SeedInput, type SeedSide } from './ledger-seed.ts';
import { dueRecycle, dueTimerEntries } from './ledger-timers.ts';
import {
  decideTransition,
  isBeforeHandoff,
  type MachineContext,
  type Proposal,
} from './lifecycle-machine.ts';
import { isKnownStage } from './lifecycle.ts';
import type { SystemName } from './lead.ts';
import { hasText } from './values.ts';

/** One system's record as reconcile read it, for proposing transitions. */
export interface LifecycleSide extends SeedSide {
  system: SystemName;
}

export interface LifecycleInput {
  /** The fold of the lead's stored ledger; null or empty: the lead has none yet (seeded first). */
  state: LedgerState | null;
  /** For seeding a lead without a ledger: an earlier version's sync state. */
  stored: SeedInput['stored'];
  /** The stage last written to both sides: a side still showing it has not changed its mind. */
  baseStage: string | null | undefined;
  hubspot: LifecycleSide | null;
  salesforce: LifecycleSide | null;
  score: { score: number; threshold: number; sourceTime: string };
  /** A move asked for directly (admin, CLI). */
  move?: { to: string; actor: string; reason: string };
  context: MachineContext;
  now: Date;
}

export interface LifecycleOutcome {
  /** Entries this pass appends to the ledger, in order. */
  entries: LedgerEntry[];
  state: LedgerState;
}

const CAUSE: Record<SystemName, LedgerCause> = { salesforce: 'rep_status', hubspot: 'marketing_stage' };

/**
 * One pass of the lifecycle: seed a lead without a ledger, then feed the state machine, in source-time
 * order, what each system now claims (only a side whose stage changed since the last sync claims
 * anything), the feedback sales gave, the timers that fell due meanwhile and the score; then an admin
 * move. Every accepted transition and every new refusal becomes a ledger entry.
 */
export function runLifecycle(input: LifecycleInput): LifecycleOutcome {
  const { context } = input;
  const { lifecycle } = context;
  const handoffStage = lifecycle.handoffStage;
  const entries: LedgerEntry[] = [];
  let state = input.state ?? EMPTY_LEDGER_STATE;
  const apply = (entry: LedgerEntry) => {
    entries.push(entry);
    state = foldEntry(state, entry, handoffStage);
  };
  if (state.entries === 0) {
    apply(seedEntry({ stored: input.stored, hubspot: input.hubspot, salesforce: input.salesforce, context }));
  }
  const propose = (proposal: Proposal) => {
    const entry = decideTransition(state, proposal, context);
    if (!entry) return;
    if (entry.type === 'refusal') {
      const key = refusalKey(entry);
      if (state.refusals[key.slot] === key.value) return;
    }
    apply(entry);
  };
  const timersUntil = (untilMs: number) => {
    for (let guard = 0; guard < 16; guard++) {
      const recycle = dueRecycle(state, untilMs);
      const [timer] = dueTimerEntries(state, untilMs, context.at);
      if (timer && (!recycle || Date.parse(timer.dueAt) <= Date.parse(recycle.dueAt))) {
        apply(timer);
      } else if (recycle) {
        propose({
          to: 'recycled',
          cause: 'timer',
          actor: 'leadbridge',
          reason: `recycle period (${context.sla.recycleAfter}) after the rejection has passed`,
          sourceTime: recycle.dueAt,
        });
      } else return;
    }
  };

  const claims: Proposal[] = [];
  for (const side of [input.salesforce, input.hubspot]) {
    if (!side || !isKnownStage(side.stage, lifecycle)) continue;
    if (side.stage === input.baseStage) continue;
    const turnedDown = side.stage === 'rejected' || side.stage === 'disqualified';
    claims.push({
      to: side.stage,
      cause: CAUSE[side.system],
      actor: side.actor ?? side.system,
      reason: turnedDown && hasText(side.rejectionReason) ? side.rejectionReason.trim() : null,
      sourceTime: side.sourceTime,
    });
  }
  claims.sort((a, b) => Date.parse(a.sourceTime) - Date.parse(b.sourceTime));
  for (const claim of claims) {
    timersUntil(Date.parse(claim.sourceTime));
    if (claim.to !== state.stage) propose(claim);
  }

  const rejection = state.rejection;
  if (rejection && (state.stage === 'rejected' || state.stage === 'disqualified')) {
    const given = [input.salesforce, input.hubspot].find(
      (side) => side && hasText(side.rejectionReason) && side.rejectionReason.trim() !== rejection.reason,
    );
    if (given && hasText(given.rejectionReason) && given.system === 'salesforce') {
      apply({
        type: 'feedback',
        at: context.at,
        sourceTime: given.sourceTime,
        episode: rejection.episode,
        cause: 'feedback',
        actor: given.actor ?? given.system,
        reason: given.rejectionReason.trim(),
      });
    }
  }

  const { score } = input;
  const qualified = score.score >= score.threshold;
  if (state.qualified !== qualified) {
    apply({
      type: 'score',
      at: context.at,
      sourceTime: score.sourceTime,
      episode: state.episode,
      cause: 'score',
      actor: 'leadbridge',
      score: score.score,
      qualified,
    });
  }
  if (qualified && isBeforeHandoff(state.stage, lifecycle)) {
    timersUntil(Date.parse(score.sourceTime));
    propose({
      to: handoffStage,
      cause: 'score',
      actor: 'leadbridge',
      reason: null,
      sourceTime: score.sourceTime,
    });
  }
  if (input.move) {
    propose({
      to: input.move.to,
      cause: 'admin',
      actor: input.move.actor,
      reason: input.move.reason,
      sourceTime: input.now.toISOString(),
    });
  }
  timersUntil(input.now.getTime());
  return { entries, state };
}
