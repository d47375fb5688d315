import { evaluateHandoff, type HandoffResult } from './handoff-gate.ts';
import type { HandoffConfig } from './handoff-schema.ts';
import type { Lead, SystemName } from './lead.ts';
import { advanceTimeline, slaFields, type LeadTimeline } from './lead-timeline.ts';
import { hubspotNeedsClear } from './lifecycle-mapping.ts';
import type { LifecycleConfig } from './lifecycle-schema.ts';
import { decideStage, isSideState, stageRank, type ExplicitMove, type StageDecision } from './lifecycle.ts';
import { mergeLead, type MergeResult } from './merge.ts';
import type { FieldMapping } from './ownership-schema.ts';
import type { ScoringConfig } from './scoring-schema.ts';
import { scoreLead, type ScoreResult } from './scoring.ts';
import type { SlaConfig } from './sla-schema.ts';
import { isRecycleDue, type SlaEvaluation } from './sla.ts';
import { reconcileStage, stageFields } from './stage-reconcile.ts';
import { computedFieldMappings, type ComputedFieldNames } from './system-fields.ts';
import { hasText, toNumber } from './values.ts';

/** The rules reconcile applies; a parsed `LeadBridgeConfig` fits as it is. */
export interface DomainConfig {
  lifecycle: LifecycleConfig;
  scoring: ScoringConfig;
  handoff: HandoffConfig;
  sla: SlaConfig;
  fields: readonly FieldMapping[];
  /** Names of the computed fields (`customFields`); their mappings are added to `fields`. */
  customFields?: ComputedFieldNames;
}

export type DecidedBy = SystemName | 'leadbridge';

export interface LeadDecision extends StageDecision {
  by: DecidedBy;
}

/** What happened to the lead in this pass, for notifications, the audit trail and the report. */
export type LeadEvent =
  | {
      type: 'stage_changed';
      from: string | null;
      to: string | null;
      rule: string;
      by: DecidedBy;
      move?: ExplicitMove;
    }
  | { type: 'qualified'; score: number; threshold: number }
  | { type: 'handoff_blocked'; reasons: string[] }
  | { type: 'sla_breached'; dueAt: string };

export interface LeadReconciliation {
  /** The shared stage after this pass. */
  stage: string | null;
  /** Every stage proposal considered, in order, with the rule that fired and who proposed it. */
  decisions: LeadDecision[];
  score: ScoreResult;
  gate: HandoffResult;
  timeline: LeadTimeline;
  sla: SlaEvaluation | null;
  /** The values LeadBridge decided: stage, score, rejection reason and time, SLA due time and breach. */
  computed: Partial<Lead>;
  /** `merge.patches` are what to write; `merge.merged` (through `nextBase`) is the base to store. */
  merge: MergeResult;
  /** The HubSpot patch moves lifecyclestage back by an explicit move: clear it first, then set it. */
  hubspotClearFirst: boolean;
  /**
   * The side's record is to be created from its patch. A lead reaches Salesforce only once handed off
   * (at or past the handoff stage); before that its Salesforce patch is empty. HubSpot gets every lead.
   */
  create: Record<SystemName, boolean>;
  events: LeadEvent[];
}

export interface ReconcileLeadInput {
  base: Partial<Lead> | null;
  /**
   * Canonical leads as the connectors read them, `stage` from `stageFromHubSpot` / `stageFromSalesforce`;
   * null when the lead has no record on that side yet.
   */
  hubspot: Partial<Lead> | null;
  salesforce: Partial<Lead> | null;
  timeline?: LeadTimeline;
  /** Who last changed each record (a user id), when the connector knows; used as the actor of a move. */
  actors?: Partial<Record<SystemName, string>>;
  /** A move someone asked LeadBridge for directly (admin, CLI), applied after the sides' own. */
  move?: ExplicitMove & { to: string };
  config: DomainConfig;
  now: Date;
}

function fieldsWithComputed(config: DomainConfig): FieldMapping[] {
  const named = new Set(config.fields.map((mapping) => mapping.canonical));
  const computed = config.customFields ? computedFieldMappings(config.customFields) : [];
  return [...config.fields, ...computed.filter((mapping) => !named.has(mapping.canonical))];
}

/**
 * One reconcile pass over one linked lead: settle the stage from both sides, apply a requested move and a
 * due recycle, score the merged lead, pass it through the handoff gate (moving it to the handoff stage when
 * it passes), update the SLA clocks, and merge, with the computed values written to both sides.
 */
export function reconcileLead(input: ReconcileLeadInput): LeadReconciliation {
  const { base, hubspot, salesforce, config, now } = input;
  const { lifecycle } = config;
  const fields = fieldsWithComputed(config);
  const from = base?.stage ?? null;
  const side = (system: SystemName, lead: Partial<Lead> | null) => ({
    stage: lead?.stage ?? null,
    rejectionReason: lead?.rejectionReason ?? null,
    ...(input.actors?.[system] ? { actor: input.actors[system] } : {}),
  });
  const sides = { hubspot: side('hubspot', hubspot), salesforce: side('salesforce', salesforce) };
  const settled = reconcileStage({ current: from, ...sides, lifecycle });
  const decisions: LeadDecision[] = settled.decisions.map(({ system, ...decision }) => ({
    ...decision,
    by: system,
  }));
  let stage = settled.stage;
  let move: ExplicitMove | undefined = settled.move;
  const apply = (decision: StageDecision) => {
    decisions.push({ ...decision, by: 'leadbridge' });
    if (decision.move) move = decision.move;
    stage = decision.stage;
  };
  if (input.move) {
    const { to, ...requested } = input.move;
    apply(decideStage(stage, to, lifecycle, requested));
  }
  if (stage === 'rejected' && hasText(base?.rejectedAt) && isRecycleDue(base.rejectedAt, now, config.sla)) {
    apply(
      decideStage(stage, 'recycled', lifecycle, {
        actor: 'leadbridge',
        reason: `recycle period (${config.sla.recycleAfter}) after the rejection has passed`,
      }),
    );
  }

  const preliminary = mergeLead({ base, hubspot, salesforce, fields, stage, lifecycle });
  const score = scoreLead(preliminary.merged, config.scoring, now);
  const threshold = config.scoring.mqlThreshold;
  const gate = evaluateHandoff(preliminary.merged, score.score, {
    ...config.handoff,
    mqlThreshold: threshold,
  });
  const handoffRank = stageRank(lifecycle.handoffStage, lifecycle) ?? 0;
  const beforeHandoff =
    stage === null ||
    stage === 'recycled' ||
    (!isSideState(stage) && (stageRank(stage, lifecycle) ?? 0) < handoffRank);
  if (gate.pass && beforeHandoff) apply(decideStage(stage, lifecycle.handoffStage, lifecycle));

  const timeline = advanceTimeline(input.timeline ?? {}, from, stage, now, lifecycle);
  const sla = slaFields(timeline, now, config.sla);
  const outcome = { stage, changed: stage !== from, ...(move ? { move } : {}) };
  const computed: Partial<Lead> = {
    ...stageFields(outcome, base ?? {}, now, sides),
    score: score.score,
    slaDueAt: sla.slaDueAt,
    slaBreached: sla.slaBreached,
  };
  const merge = mergeLead({ base, hubspot, salesforce, fields, stage, lifecycle, computed });
  const hubspotClearFirst =
    hubspot !== null &&
    Object.hasOwn(merge.patches.hubspot, 'stage') &&
    move !== undefined &&
    typeof stage === 'string' &&
    hubspotNeedsClear({ from: hubspot?.stage ?? from, to: stage }, lifecycle);
  const handedOff = !isSideState(stage) && (stageRank(stage, lifecycle) ?? -1) >= handoffRank;
  if (salesforce === null && !handedOff) merge.patches.salesforce = {};
  const create = {
    hubspot: hubspot === null && Object.keys(merge.patches.hubspot).length > 0,
    salesforce: salesforce === null && Object.keys(merge.patches.salesforce).length > 0,
  };

  const events: LeadEvent[] = decisions
    .filter((decision) => decision.changed)
    .map((decision) => ({
      type: 'stage_changed' as const,
      from: decision.from,
      to: decision.stage,
      rule: decision.rule,
      by: decision.by,
      ...(decision.move ? { move: decision.move } : {}),
    }));
  const previousScore = toNumber(base?.score);
  if (score.score >= threshold && (previousScore === null || previousScore < threshold)) {
    events.push({ type: 'qualified', score: score.score, threshold });
  }
  if (score.score >= threshold && !gate.pass && beforeHandoff) {
    events.push({ type: 'handoff_blocked', reasons: gate.reasons });
  }
  if (sla.slaBreached && sla.slaDueAt && base?.slaBreached !== true) {
    events.push({ type: 'sla_breached', dueAt: sla.slaDueAt });
  }
  return {
    stage,
    decisions,
    score,
    gate,
    timeline,
    sla: sla.evaluation,
    computed,
    merge,
    hubspotClearFirst,
    create,
    events,
  };
}
