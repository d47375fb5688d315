import type { Lead, SystemName } from './lead.ts';
import {
  decideStage,
  isKnownStage,
  isSideState,
  nurtureStage,
  stageRank,
  type ExplicitMove,
  type LifecycleOrder,
  type StageDecision,
} from './lifecycle.ts';
import { hasText } from './values.ts';

/** What one system says about the lead's stage, as its connector read it (a canonical lead fits). */
export interface SideStage {
  stage?: string | null;
  /** The system's rejection reason field, used when this side rejected or disqualified the lead. */
  rejectionReason?: string | null;
  /** Who last changed the record there (a user id), when the connector knows; default: the system name. */
  actor?: string;
}

export interface SideDecision extends StageDecision {
  system: SystemName;
}

export interface StageReconciliation {
  from: string | null;
  stage: string | null;
  changed: boolean;
  /** Every proposal considered, in the order applied, with the rule that fired. */
  decisions: SideDecision[];
  /** The last explicit move that was applied, if any (what the audit trail records as who and why). */
  move?: ExplicitMove & { system: SystemName };
}

// A side state a system shows is that system's explicit move; when both sides make one, only the stronger
// verdict that is allowed applies (a disqualification outranks a rejection, a rejection a recycle).
const EXPLICIT_PRIORITY = ['disqualified', 'rejected', 'recycled'];

function moveFor(system: SystemName, side: SideStage, proposed: string): ExplicitMove {
  const actor = side.actor ?? system;
  if (proposed === 'rejected' || proposed === 'disqualified') {
    const given = side.rejectionReason;
    return { actor, reason: hasText(given) ? given.trim() : `no reason given in ${system}` };
  }
  if (proposed === 'recycled') return { actor, reason: `recycled in ${system}` };
  return { actor, reason: `returned to ${proposed} in ${system}` };
}

/**
 * Settles the shared stage from what both systems show. Side states and a recycled lead's return to
 * nurture are explicit moves by the system that shows them (rejection reason from that side); the rest
 * are forward proposals, of which the further-along one wins. Nothing moves backwards on its own, so a
 * side still showing an older stage changes nothing.
 */
export function reconcileStage(input: {
  current: string | null | undefined;
  hubspot?: SideStage;
  salesforce?: SideStage;
  lifecycle: LifecycleOrder;
}): StageReconciliation {
  const { lifecycle } = input;
  const from = isKnownStage(input.current, lifecycle) ? input.current : null;
  const nurture = nurtureStage(lifecycle);
  const proposals: { system: SystemName; side: SideStage; stage: string }[] = [];
  for (const system of ['hubspot', 'salesforce'] as const) {
    const side = input[system];
    if (side && isKnownStage(side.stage, lifecycle) && side.stage !== from) {
      proposals.push({ system, side, stage: side.stage });
    }
  }
  const isExplicit = (stage: string) => isSideState(stage) || (from === 'recycled' && stage === nurture);
  const priority = (stage: string) => {
    const index = EXPLICIT_PRIORITY.indexOf(stage);
    return index >= 0 ? index : EXPLICIT_PRIORITY.length;
  };
  const explicit = proposals
    .filter((p) => isExplicit(p.stage))
    .sort((a, b) => priority(a.stage) - priority(b.stage));
  const forward = proposals
    .filter((p) => !isExplicit(p.stage))
    .sort((a, b) => (stageRank(b.stage, lifecycle) ?? -1) - (stageRank(a.stage, lifecycle) ?? -1));

  let stage = from;
  let move: StageReconciliation['move'];
  const decisions: SideDecision[] = [];
  let explicitApplied = false;
  for (const proposal of [...explicit, ...forward]) {
    if (proposal.stage === stage || (explicitApplied && isExplicit(proposal.stage))) continue;
    const decided = decideStage(
      stage,
      proposal.stage,
      lifecycle,
      moveFor(proposal.system, proposal.side, proposal.stage),
    );
    decisions.push({ ...decided, system: proposal.system });
    if (decided.move) move = { ...decided.move, system: proposal.system };
    if (decided.changed && isExplicit(proposal.stage)) explicitApplied = true;
    stage = decided.stage;
  }
  return { from, stage, changed: stage !== from, decisions, ...(move ? { move } : {}) };
}

/**
 * The LeadBridge-computed fields that follow from a stage outcome, to merge into the lead: the stage, and
 * on a rejection or disqualification its reason. A rejection sets `rejectedAt` (which starts the recycle
 * clock), also when a lead is first seen already rejected. While a lead stays turned down, a reason edited
 * on one side (Salesforce first, since sales gives it) replaces the stored one. Reasons survive a recycle
 * so marketing keeps seeing why the lead came back.
 */
export function stageFields(
  outcome: { stage: string | null; changed: boolean; move?: ExplicitMove },
  previous: Partial<Lead>,
  now: Date,
  sides: { hubspot?: SideStage; salesforce?: SideStage } = {},
): Partial<Lead> {
  const fields: Partial<Lead> = {
    stage: outcome.stage,
    rejectionReason: previous.rejectionReason ?? null,
    rejectedAt: previous.rejectedAt ?? null,
  };
  if (outcome.stage !== 'rejected' && outcome.stage !== 'disqualified') return fields;
  if (outcome.changed && outcome.move) {
    fields.rejectionReason = outcome.move.reason;
  } else {
    const edited = [sides.salesforce?.rejectionReason, sides.hubspot?.rejectionReason].find(
      (reason): reason is string => hasText(reason) && reason.trim() !== previous.rejectionReason?.trim(),
    );
    if (edited !== undefined) fields.rejectionReason = edited.trim();
  }
  if (outcome.stage === 'rejected' && (outcome.changed || !hasText(previous.rejectedAt))) {
    fields.rejectedAt = now.toISOString();
  }
  return fields;
}
