import { z } from 'zod';
import { DEFAULT_STAGES, SIDE_STATES, type LifecycleConfig, type SideState } from './lifecycle-schema.ts';

/** The part of the lifecycle config that orders stages. */
export type LifecycleOrder = Pick<LifecycleConfig, 'stages' | 'handoffStage'>;

export const DEFAULT_LIFECYCLE_ORDER: LifecycleOrder = { stages: [...DEFAULT_STAGES], handoffStage: 'mql' };

/** Who made a backward or side-state move, and why; recorded in the audit trail and shown by `explain`. */
export const ExplicitMove = z.strictObject({
  actor: z
    .string()
    .min(1)
    .describe('Who moved the lead: a user id, "salesforce", "hubspot" or "leadbridge".'),
  reason: z.string().min(1).describe('Why, e.g. the rejection reason sales gave.'),
});
export type ExplicitMove = z.infer<typeof ExplicitMove>;

export type StageRule =
  | 'initial'
  | 'unchanged'
  | 'forward'
  | 'backward_refused'
  | 'explicit_reject'
  | 'explicit_disqualify'
  | 'explicit_recycle'
  | 'explicit_return_to_nurture'
  | 'explicit_move_required'
  | 'move_not_allowed'
  | 'unknown_stage';

/** Rules under which the stage changed only because someone said so (actor and reason recorded). */
export const EXPLICIT_RULES: readonly StageRule[] = [
  'explicit_reject',
  'explicit_disqualify',
  'explicit_recycle',
  'explicit_return_to_nurture',
];

export interface StageDecision {
  from: string | null;
  proposed: string;
  /** The stage after the decision (equal to `from` when the proposal was refused). */
  stage: string | null;
  changed: boolean;
  rule: StageRule;
  /** Set when the change was an explicit move; the audit trail records it. */
  move?: ExplicitMove;
  /** One sentence for `explain`. */
  explanation: string;
}

export function isSideState(stage: string | null | undefined): stage is SideState {
  return (SIDE_STATES as readonly (string | null | undefined)[]).includes(stage);
}

export function isKnownStage(stage: string | null | undefined, lifecycle: LifecycleOrder): stage is string {
  return typeof stage === 'string' && (lifecycle.stages.includes(stage) || isSideState(stage));
}

/**
 * Position of a stage in the order, so "has the lead reached X" has an answer for side states too:
 * `recycled` sits just before the handoff stage (back in nurture), `rejected` at the handoff stage
 * (sales received and turned it down), `disqualified` before everything. Null for unknown names.
 */
export function stageRank(stage: string | null | undefined, lifecycle: LifecycleOrder): number | null {
  if (typeof stage !== 'string') return null;
  const index = lifecycle.stages.indexOf(stage);
  if (index >= 0) return index;
  const handoff = Math.max(0, lifecycle.stages.indexOf(lifecycle.handoffStage));
  if (stage === 'recycled') return Math.max(0, handoff - 1);
  if (stage === 'rejected') return handoff;
  if (stage === 'disqualified') return -1;
  return null;
}

/** The stage a recycled lead returns to (`lead` by default): the one just before the handoff stage. */
export function nurtureStage(lifecycle: LifecycleOrder): string {
  const rank = stageRank('recycled', lifecycle) ?? 0;
  return lifecycle.stages[rank] ?? lifecycle.stages[0] ?? 'lead';
}

/** True once `stage` is at or past `target` in the order (see `stageRank` for side states). */
export function hasReachedStage(
  stage: string | null | undefined,
  target: string,
  lifecycle: LifecycleOrder,
): boolean {
  const rank = stageRank(stage, lifecycle);
  const targetRank = stageRank(target, lifecycle);
  return rank !== null && targetRank !== null && rank >= targetRank;
}

function decision(
  from: string | null,
  proposed: string,
  rule: StageRule,
  explanation: string,
  move?: ExplicitMove,
): StageDecision {
  const accepted = rule === 'initial' || rule === 'forward' || EXPLICIT_RULES.includes(rule);
  const stage = accepted ? proposed : from;
  return {
    from,
    proposed,
    stage,
    changed: stage !== from,
    rule,
    ...(accepted && move && EXPLICIT_RULES.includes(rule) ? { move } : {}),
    explanation,
  };
}

/**
 * Stages that sales worked past the handoff but that have not ended in a customer: a deal lost from
 * here returns the person to nurture (design.md: recycled "after a rejection or a lost deal").
 */
export function isLostDealStage(stage: string, lifecycle: LifecycleOrder): boolean {
  const rank = lifecycle.stages.indexOf(stage);
  const handoff = lifecycle.stages.indexOf(lifecycle.handoffStage);
  return rank > handoff && rank < lifecycle.stages.length - 1;
}

/**
 * Decides the lead's next stage. Forward moves through the order are taken; a stage never moves back on
 * its own. The only other moves are explicit ones, which need `move` (actor and reason): any stage to
 * `rejected` or `disqualified`, `rejected` (or a lost deal past the handoff) to `recycled`, and `recycled` back to the nurture stage. A
 * recycled lead that qualifies again moves forward from the nurture stage without one.
 */
export function decideStage(
  current: string | null | undefined,
  proposed: string,
  lifecycle: LifecycleOrder,
  move?: ExplicitMove,
): StageDecision {
  const from = isKnownStage(current, lifecycle) ? current : null;
  if (!isKnownStage(proposed, lifecycle)) {
    return decision(from, proposed, 'unknown_stage', `"${proposed}" is not a stage or side state`);
  }
  if (from === null) return decision(from, proposed, 'initial', `first known stage is ${proposed}`);
  if (proposed === from) return decision(from, proposed, 'unchanged', `stays ${from}`);

  const needsMove = (rule: StageRule, what: string) =>
    move
      ? decision(from, proposed, rule, `${what} by ${move.actor}: ${move.reason}`, move)
      : decision(from, proposed, 'explicit_move_required', `${what} needs an explicit move with a reason`);

  if (proposed === 'rejected') return needsMove('explicit_reject', `${from} -> rejected`);
  if (proposed === 'disqualified') return needsMove('explicit_disqualify', `${from} -> disqualified`);
  if (proposed === 'recycled') {
    if (from === 'rejected') return needsMove('explicit_recycle', 'rejected -> recycled');
    if (isLostDealStage(from, lifecycle))
      return needsMove('explicit_recycle', `${from} -> recycled (deal lost)`);
    return decision(
      from,
      proposed,
      'move_not_allowed',
      `only a rejected lead or a lost deal can be recycled, not a ${from} one`,
    );
  }
  if (from === 'rejected' || from === 'disqualified') {
    const way = from === 'rejected' ? 'recycled first' : 'never moved on';
    return decision(from, proposed, 'move_not_allowed', `a ${from} lead is ${way}, not moved to ${proposed}`);
  }

  const fromRank = stageRank(from, lifecycle) ?? -1;
  const toRank = stageRank(proposed, lifecycle) ?? -1;
  if (from === 'recycled' && toRank === fromRank) {
    return needsMove('explicit_return_to_nurture', `recycled -> ${proposed}`);
  }
  if (toRank > fromRank) return decision(from, proposed, 'forward', `${from} -> ${proposed}`);
  return decision(
    from,
    proposed,
    'backward_refused',
    `${from} -> ${proposed} would move backwards; a stage never moves back on its own`,
  );
}
