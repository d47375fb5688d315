import { addWorkingTime } from './business-hours.ts';
import type { BusinessHours } from './business-hours-schema.ts';
import { durationMs } from './duration.ts';
import type {
  LedgerCause,
  OpenedTimers,
  RefusalEntry,
  RefusalRule,
  TransitionEntry,
} from './ledger-entry.ts';
import type { LedgerState } from './ledger-fold.ts';
import {
  isKnownStage,
  isLostDealStage,
  isSideState,
  nurtureStage,
  stageRank,
  type LifecycleOrder,
} from './lifecycle.ts';
import type { SlaConfig } from './sla-schema.ts';

/** A backward move the config allows as an explicit, recorded one (e.g. `sql -> mql` when a rep un-works a lead). */
export interface ListedMove {
  from: string;
  to: string;
}

/** A transition someone or something proposes; the machine accepts or refuses it. */
export interface Proposal {
  to: string;
  cause: LedgerCause;
  actor: string;
  /** The rejection reason, the admin's note; null when none was given. */
  reason: string | null;
  /** ISO-8601: when the change happened in its system (or the due time of a timer). */
  sourceTime: string;
}

export interface MachineContext {
  lifecycle: LifecycleOrder & { explicitMoves?: readonly ListedMove[] };
  /** The handoff gate's verdict on the lead as it is now. */
  gate: { pass: boolean; reasons: string[] };
  sla: Pick<
    SlaConfig,
    'followUpWithin' | 'rejectionFeedbackWithin' | 'recycleAfter' | 'followUpReminderBefore'
  >;
  businessHours?: BusinessHours;
  /** ISO-8601 instant LeadBridge records the entry. */
  at: string;
}

/** Deadlines fall on whole seconds (Salesforce keeps date-times to the second), rounded up so none is early. */
const iso = (ms: number) => new Date(Math.ceil(ms / 1000) * 1000).toISOString();

/** The deadlines a handoff at `handoffAt` opens: follow-up (and its reminder) and feedback, in working time. */
export function handoffTimers(
  handoffAt: string,
  context: Pick<MachineContext, 'sla' | 'businessHours'>,
): OpenedTimers {
  const start = Date.parse(handoffAt);
  const { sla, businessHours } = context;
  const followUp = durationMs(sla.followUpWithin);
  const timers: OpenedTimers = {
    followUpDueAt: iso(addWorkingTime(start, followUp, businessHours)),
    feedbackDueAt: iso(addWorkingTime(start, durationMs(sla.rejectionFeedbackWithin), businessHours)),
  };
  if (sla.followUpReminderBefore) {
    const lead = Math.max(0, followUp - durationMs(sla.followUpReminderBefore));
    timers.reminderAt = iso(addWorkingTime(start, lead, businessHours));
  }
  return timers;
}

/** When a lead rejected at `rejectedAt` returns to nurture (calendar time). */
export function recycleDueAt(rejectedAt: string, sla: Pick<SlaConfig, 'recycleAfter'>): string {
  return iso(Date.parse(rejectedAt) + durationMs(sla.recycleAfter));
}

function refuse(
  state: LedgerState,
  proposal: Proposal,
  context: MachineContext,
  rule: RefusalRule,
  detail: string,
): RefusalEntry {
  return {
    type: 'refusal',
    at: context.at,
    sourceTime: proposal.sourceTime,
    episode: state.episode,
    cause: proposal.cause,
    actor: proposal.actor,
    from: state.stage,
    to: proposal.to,
    rule,
    reason: proposal.reason,
    detail,
  };
}

function accept(
  state: LedgerState,
  proposal: Proposal,
  context: MachineContext,
  rule: string,
  extra: { episode?: number; timers?: OpenedTimers } = {},
): TransitionEntry {
  return {
    type: 'transition',
    at: context.at,
    sourceTime: proposal.sourceTime,
    episode: extra.episode ?? state.episode,
    cause: proposal.cause,
    actor: proposal.actor,
    from: state.stage,
    to: proposal.to,
    rule,
    reason: proposal.reason,
    ...(extra.timers ? { timers: extra.timers } : {}),
  };
}

/** True when `stage` sits before the handoff: nothing yet, a nurture stage, or recycled. */
export function isBeforeHandoff(stage: string | null, lifecycle: LifecycleOrder): boolean {
  if (stage === null || stage === 'recycled') return true;
  if (isSideState(stage)) return false;
  return (stageRank(stage, lifecycle) ?? -1) < (stageRank(lifecycle.handoffStage, lifecycle) ?? 0);
}

function crossesHandoff(state: LedgerState, to: string, lifecycle: LifecycleOrder): boolean {
  if (isSideState(to) || !isBeforeHandoff(state.stage, lifecycle)) return false;
  return (stageRank(to, lifecycle) ?? -1) >= (stageRank(lifecycle.handoffStage, lifecycle) ?? 0);
}

/**
 * The lifecycle's state machine: accepts or refuses one proposed transition, whatever either system
 * claims. Returns null when the lead is already there.
 *
 * - Handoff (to or past the handoff stage from before it) only through a passing gate, and after a
 *   recycle only once the lead has re-qualified (score dipped and rose again, or marketing moved it after
 *   the recycle). A handoff opens an episode and its clocks (follow-up, reminder, feedback).
 * - `* -> rejected` / `* -> disqualified` are explicit moves; each opens an episode with its own reason
 *   (null: awaiting feedback) and recycle clock. `rejected` (or a lost deal) `-> recycled`, and
 *   `recycled -> ` the nurture stage, are explicit too.
 * - Any other backward move is refused, unless the config lists it.
 */
export function decideTransition(
  state: LedgerState,
  proposal: Proposal,
  context: MachineContext,
): TransitionEntry | RefusalEntry | null {
  const { lifecycle } = context;
  const from = state.stage;
  const to = proposal.to;
  if (!isKnownStage(to, lifecycle)) {
    return refuse(state, proposal, context, 'unknown_stage', `"${to}" is not a stage or side state`);
  }
  if (to === from) return null;
  // An admin's move is explicit by definition; a system's backward move only when the config lists it.
  const listed =
    proposal.cause === 'admin' ||
    (lifecycle.explicitMoves?.some((move) => move.from === from && move.to === to) ?? false);

  if (to === 'rejected' || to === 'disqualified') {
    if (from === 'disqualified') {
      return refuse(state, proposal, context, 'move_not_allowed', `a disqualified lead is not ${to}`);
    }
    return accept(state, proposal, context, to === 'rejected' ? 'explicit_reject' : 'explicit_disqualify', {
      episode: state.episode + 1,
      timers: { recycleDueAt: recycleDueAt(proposal.sourceTime, context.sla) },
    });
  }
  if (to === 'recycled') {
    if (from === 'rejected' || (from !== null && isLostDealStage(from, lifecycle)) || listed) {
      return accept(state, proposal, context, 'explicit_recycle');
    }
    return refuse(
      state,
      proposal,
      context,
      'move_not_allowed',
      `only a rejected lead or a lost deal can be recycled, not ${from ?? 'a new'} one`,
    );
  }
  if ((from === 'rejected' || from === 'disqualified') && !listed) {
    const way = from === 'rejected' ? 'recycled first' : 'never moved on';
    return refuse(
      state,
      proposal,
      context,
      'move_not_allowed',
      `a ${from} lead is ${way}, not moved to ${to}`,
    );
  }
  if (from === 'recycled' && to === nurtureStage(lifecycle)) {
    return accept(state, proposal, context, 'explicit_return_to_nurture');
  }
  if (crossesHandoff(state, to, lifecycle)) {
    const requalified =
      state.requalify === null ||
      (proposal.cause === 'marketing_stage' &&
        state.recycledAt !== null &&
        Date.parse(proposal.sourceTime) > Date.parse(state.recycledAt));
    if (!requalified) {
      return refuse(
        state,
        proposal,
        context,
        'requalify_required',
        'recycled: handed off again only after re-qualifying (score below the threshold and back, or marketing moves it)',
      );
    }
    if (!context.gate.pass) {
      return refuse(state, proposal, context, 'gate', `handoff gate: ${context.gate.reasons.join('; ')}`);
    }
    return accept(state, proposal, context, 'handoff', {
      episode: state.episode + 1,
      timers: handoffTimers(proposal.sourceTime, context),
    });
  }
  const fromRank = from === null ? -1 : (stageRank(from, lifecycle) ?? -1);
  const toRank = stageRank(to, lifecycle) ?? -1;
  if (toRank > fromRank) return accept(state, proposal, context, 'forward');
  if (listed) {
    return accept(
      state,
      proposal,
      context,
      proposal.cause === 'admin' ? 'explicit_admin' : 'explicit_listed',
    );
  }
  return refuse(
    state,
    proposal,
    context,
    'backward_refused',
    `${from} -> ${to} would move backwards; a stage never moves back on its own`,
  );
}
