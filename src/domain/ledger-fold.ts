import type { LedgerEntry, RefusalEntry, TimerKind } from './ledger-entry.ts';

/** The SLA clock of the current handoff (a new one at every handoff; none after a recycle). */
export interface HandoffClock {
  episode: number;
  handoffAt: string;
  followUpDueAt?: string;
  reminderAt?: string;
  feedbackDueAt?: string;
  /** Source time of the first rep action after the handoff (work or rejection). */
  followUpAt?: string;
  /** Source time sales accepted (worked past the handoff) or gave a rejection reason. */
  feedbackAt?: string;
  /** Past the handoff stage when it crossed it: worked at the handoff, no follow-up time to measure. */
  workedAtHandoff?: boolean;
  breaches: Partial<Record<TimerKind, string>>;
  reminded: boolean;
}

/** The latest rejection (or disqualification): its own episode, reason, actor and time. */
export interface Rejection {
  episode: number;
  stage: string;
  rejectedAt: string;
  actor: string;
  /** Null while sales has given no reason ("awaiting feedback"). */
  reason: string | null;
  feedbackAt?: string;
  recycleDueAt?: string;
}

/** A lead's lifecycle as the fold of its ledger. */
export interface LedgerState {
  stage: string | null;
  episode: number;
  /** Entries folded. */
  entries: number;
  /** The lead reached the handoff through LeadBridge's gate in this life (so Salesforce may get it). */
  handedOff: boolean;
  /** The current position was recorded as history when first seen (no clocks, no create). */
  history: boolean;
  /** Last known side of the MQL threshold (null: never scored). */
  qualified: boolean | null;
  /**
   * After a recycle: `needed` (still qualified from before), `armed` (dipped below the threshold since),
   * null (free to be handed off through the gate).
   */
  requalify: 'needed' | 'armed' | null;
  recycledAt: string | null;
  clock: HandoffClock | null;
  rejection: Rejection | null;
  /** The last rejection reason given, kept through a recycle so marketing sees why the lead came back. */
  lastReason: string | null;
  /** Latest refusal per proposal (cause + stage), so a repeated claim is recorded once. */
  refusals: Record<string, string>;
}

export const EMPTY_LEDGER_STATE: LedgerState = {
  stage: null,
  episode: 0,
  entries: 0,
  handedOff: false,
  history: false,
  qualified: null,
  requalify: null,
  recycledAt: null,
  clock: null,
  rejection: null,
  lastReason: null,
  refusals: {},
};

const MACHINE_ACTORS = new Set(['leadbridge', 'hubspot', 'salesforce']);

/** The key a refusal is deduplicated by: a claim from a system by its source time, a score claim by its verdict. */
export function refusalKey(
  entry: Pick<RefusalEntry, 'cause' | 'to' | 'rule' | 'detail' | 'sourceTime' | 'actor'>,
): {
  slot: string;
  value: string;
} {
  const slot = `${entry.cause}>${entry.to}`;
  // A person's repeated claim is recorded each time (by its source time); a system's own or LeadBridge's
  // (the record still showing it after our write bumped its stamp) only when the verdict changes.
  const byPerson = !MACHINE_ACTORS.has(entry.actor);
  const value = byPerson
    ? `${entry.rule}|${entry.detail}|${entry.sourceTime}`
    : `${entry.rule}|${entry.detail}`;
  return { slot, value };
}

const TURNED_DOWN = new Set(['rejected', 'disqualified']);

function foldTransition(
  state: LedgerState,
  entry: Extract<LedgerEntry, { type: 'transition' }>,
  handoffStage: string | undefined,
): LedgerState {
  const next: LedgerState = { ...state, stage: entry.to, episode: entry.episode };
  if (entry.cause === 'seed') {
    next.history = entry.history === true;
    next.handedOff = entry.history !== true && entry.clock !== undefined;
    if (entry.clock) {
      next.clock = {
        episode: entry.episode,
        handoffAt: entry.clock.handoffAt,
        ...(entry.timers?.followUpDueAt ? { followUpDueAt: entry.timers.followUpDueAt } : {}),
        ...(entry.timers?.feedbackDueAt ? { feedbackDueAt: entry.timers.feedbackDueAt } : {}),
        ...(entry.clock.followUpAt ? { followUpAt: entry.clock.followUpAt } : {}),
        ...(entry.clock.feedbackAt ? { feedbackAt: entry.clock.feedbackAt } : {}),
        ...(entry.clock.workedAtHandoff ? { workedAtHandoff: true } : {}),
        breaches: {},
        reminded: true,
      };
    }
    if (entry.to !== null && TURNED_DOWN.has(entry.to)) {
      next.rejection = {
        episode: entry.episode,
        stage: entry.to,
        rejectedAt: entry.rejectedAt ?? entry.sourceTime,
        actor: entry.actor,
        reason: entry.reason,
        ...(entry.reason ? { feedbackAt: entry.sourceTime } : {}),
        ...(entry.timers?.recycleDueAt ? { recycleDueAt: entry.timers.recycleDueAt } : {}),
      };
      if (entry.reason) next.lastReason = entry.reason;
    }
    if (entry.to === 'recycled') next.recycledAt = entry.sourceTime;
    return next;
  }
  if (entry.rule === 'handoff') {
    next.handedOff = true;
    next.history = false;
    next.requalify = null;
    next.clock = {
      episode: entry.episode,
      handoffAt: entry.sourceTime,
      ...(entry.timers?.followUpDueAt ? { followUpDueAt: entry.timers.followUpDueAt } : {}),
      ...(entry.timers?.reminderAt ? { reminderAt: entry.timers.reminderAt } : {}),
      ...(entry.timers?.feedbackDueAt ? { feedbackDueAt: entry.timers.feedbackDueAt } : {}),
      breaches: {},
      reminded: false,
    };
    if (entry.to !== handoffStage) {
      next.clock.followUpAt = entry.sourceTime;
      next.clock.feedbackAt = entry.sourceTime;
      next.clock.workedAtHandoff = true;
    }
    return next;
  }
  if (entry.to !== null && TURNED_DOWN.has(entry.to)) {
    if (next.clock) {
      next.clock = { ...next.clock, followUpAt: next.clock.followUpAt ?? entry.sourceTime };
      if (entry.reason) next.clock.feedbackAt ??= entry.sourceTime;
    }
    next.rejection = {
      episode: entry.episode,
      stage: entry.to,
      rejectedAt: entry.sourceTime,
      actor: entry.actor,
      reason: entry.reason,
      ...(entry.reason ? { feedbackAt: entry.sourceTime } : {}),
      ...(entry.timers?.recycleDueAt ? { recycleDueAt: entry.timers.recycleDueAt } : {}),
    };
    if (entry.reason) next.lastReason = entry.reason;
    return next;
  }
  if (entry.to === 'recycled') {
    next.recycledAt = entry.sourceTime;
    next.clock = null;
    next.handedOff = false;
    next.history = false;
    next.requalify = state.qualified === false ? 'armed' : 'needed';
    return next;
  }
  // Forward past the handoff: sales worked (and so accepted) the lead.
  if (next.clock && entry.from === handoffStage) {
    next.clock = {
      ...next.clock,
      followUpAt: next.clock.followUpAt ?? entry.sourceTime,
      feedbackAt: next.clock.feedbackAt ?? entry.sourceTime,
    };
  }
  return next;
}

/**
 * Folds one entry into the state. `handoffStage` tells a first follow-up (moving on from it) apart from
 * other forward moves; pass the lifecycle's handoff stage.
 */
export function foldEntry(state: LedgerState, entry: LedgerEntry, handoffStage?: string): LedgerState {
  const folded = ((): LedgerState => {
    switch (entry.type) {
      case 'transition':
        return foldTransition(state, entry, handoffStage);
      case 'refusal': {
        const key = refusalKey(entry);
        return { ...state, refusals: { ...state.refusals, [key.slot]: key.value } };
      }
      case 'feedback': {
        const next = { ...state, lastReason: entry.reason };
        if (state.rejection) {
          next.rejection = {
            ...state.rejection,
            reason: entry.reason,
            feedbackAt: state.rejection.feedbackAt ?? entry.sourceTime,
          };
        }
        if (state.clock && state.rejection && state.rejection.episode === state.episode) {
          next.clock = { ...state.clock, feedbackAt: state.clock.feedbackAt ?? entry.sourceTime };
        }
        return next;
      }
      case 'score': {
        const next = { ...state, qualified: entry.qualified };
        if (!entry.qualified && state.requalify === 'needed') next.requalify = 'armed';
        if (entry.qualified && state.requalify === 'armed') next.requalify = null;
        return next;
      }
      case 'breach':
        if (!state.clock) return state;
        return {
          ...state,
          clock: { ...state.clock, breaches: { ...state.clock.breaches, [entry.timer]: entry.dueAt } },
        };
      case 'reminder':
        return state.clock ? { ...state, clock: { ...state.clock, reminded: true } } : state;
    }
  })();
  return { ...folded, entries: state.entries + 1 };
}

/** The lead's state: the fold of its ledger, oldest entry first. Replaying the same ledger gives the same state. */
export function foldLedger(entries: readonly LedgerEntry[], handoffStage?: string): LedgerState {
  return entries.reduce((state, entry) => foldEntry(state, entry, handoffStage), EMPTY_LEDGER_STATE);
}
