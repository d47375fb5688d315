import type { BusinessHours } from './business-hours-schema.ts';
import { evaluateHandoff, type HandoffResult } from './handoff-gate.ts';
import type { HandoffConfig } from './handoff-schema.ts';
import { runLifecycle, type LifecycleSide } from './lead-lifecycle.ts';
import type { LeadTimeline } from './lead-timeline.ts';
import type { Lead, SystemName } from './lead.ts';
import type { LedgerEntry } from './ledger-entry.ts';
import type { LedgerState } from './ledger-fold.ts';
import { hubspotNeedsClear } from './lifecycle-mapping.ts';
import type { LifecycleConfig } from './lifecycle-schema.ts';
import { isBeforeHandoff } from './lifecycle-machine.ts';
import { isSideState, stageRank, type ExplicitMove, type StageDecision } from './lifecycle.ts';
import { mergeLead, type MergeResult } from './merge.ts';
import type { FieldMapping } from './ownership-schema.ts';
import type { ScoringConfig } from './scoring-schema.ts';
import { scoreLead, type ScoreResult } from './scoring.ts';
import type { SlaConfig } from './sla-schema.ts';
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
  /** The shared stage after this pass (the fold of the ledger). */
  stage: string | null;
  /** Ledger entries this pass appends: transitions, refusals, feedback, score crossings, breaches. */
  ledger: LedgerEntry[];
  /** The lead's lifecycle after this pass. */
  lifecycle: LedgerState;
  /** The transitions and refusals of this pass as stage decisions (audit trail, metrics). */
  decisions: LeadDecision[];
  score: ScoreResult;
  gate: HandoffResult;
  /** The SLA instants, derived from the ledger (kept in the sync state for older readers). */
  timeline: LeadTimeline;
  /** The values LeadBridge decided: stage, score, rejection reason and time, SLA due time and breach, gate reason. */
  computed: Partial<Lead>;
  /** `merge.patches` are what to write; `merge.merged` (through `nextBase`) is the base to store. */
  merge: MergeResult;
  /** The HubSpot patch moves lifecyclestage back: clear it first, then set it. */
  hubspotClearFirst: boolean;
  /**
   * Write only LeadBridge's own stage field on this side, not the native ones: the side claims a stage
   * the lead has not reached (held back by the gate), and reverting a system's own value would fight it.
   */
  ownStageOnly: Record<SystemName, boolean>;
  /**
   * The side's record is to be created from its patch. A lead reaches Salesforce only once handed off
   * through the gate; HubSpot gets every lead.
   */
  create: Record<SystemName, boolean>;
  events: LeadEvent[];
}

/** What reconcile knows of one side beyond its canonical lead. */
export interface SideMeta {
  /** The system's own last-modified instant of the record (ISO-8601). */
  modifiedAt?: string;
  /** Who last changed it there (a user id), when the API tells; absent when it was LeadBridge. */
  actor?: string;
  /** The value of LeadBridge's own stage field on the record. */
  ownStage?: string | null;
}

export interface ReconcileLeadInput {
  base: Partial<Lead> | null;
  /**
   * Canonical leads as the connectors read them, `stage` from `stageFromHubSpot` / `stageFromSalesforce`;
   * null when the lead has no record on that side yet.
   */
  hubspot: Partial<Lead> | null;
  salesforce: Partial<Lead> | null;
  meta?: Partial<Record<SystemName, SideMeta>>;
  /** The fold of the lead's ledger; null when it has none yet (then it is seeded). */
  ledger?: LedgerState | null;
  /** An earlier version's SLA timeline, used only to seed a lead without a ledger. */
  timeline?: LeadTimeline;
  /** A move someone asked LeadBridge for directly (admin, CLI). */
  move?: ExplicitMove & { to: string };
  /** The tenant's working hours (default: the config's `sla.businessHours`). */
  businessHours?: BusinessHours;
  config: DomainConfig;
  now: Date;
}

function fieldsWithComputed(config: DomainConfig): FieldMapping[] {
  const named = new Set(config.fields.map((mapping) => mapping.canonical));
  const computed = config.customFields ? computedFieldMappings(config.customFields) : [];
  return [...config.fields, ...computed.filter((mapping) => !named.has(mapping.canonical))];
}

/**
 * An instant as canonical ISO-8601 in whole seconds (what the ledger stores), or the fallback when there
 * is none. Whole seconds because deadlines computed from it are written to Salesforce, which keeps
 * date-times to the second; a due time with milliseconds would read back different and be patched forever.
 */
function isoOr(value: string | undefined, fallback: string): string {
  const ms = value === undefined ? Number.NaN : Date.parse(value);
  return Number.isNaN(ms) ? fallback : new Date(Math.floor(ms / 1000) * 1000).toISOString();
}

const BY: Record<string, DecidedBy> = { rep_status: 'salesforce', marketing_stage: 'hubspot' };

/** Transitions and refusals as the stage decisions the audit trail and metrics know. */
function asDecisions(entries: LedgerEntry[]): LeadDecision[] {
  return entries.flatMap((entry): LeadDecision[] => {
    if (entry.type !== 'transition' && entry.type !== 'refusal') return [];
    const by = BY[entry.cause] ?? 'leadbridge';
    const changed = entry.type === 'transition';
    const explicit = changed && entry.rule.startsWith('explicit_');
    const move = explicit ? { actor: entry.actor, reason: entry.reason ?? 'awaiting feedback' } : undefined;
    const explanation =
      entry.type === 'refusal'
        ? `refused (${entry.rule}): ${entry.detail}`
        : `${entry.from ?? 'new'} -> ${entry.to ?? 'none'} (${entry.rule}, ${entry.cause} by ${entry.actor})${entry.reason ? `: ${entry.reason}` : ''}`;
    return [
      {
        from: entry.from,
        proposed: entry.to ?? 'none',
        stage: changed ? entry.to : entry.from,
        // A seed records where the lead already was: history, not a change this pass made.
        changed: changed && entry.cause !== 'seed' && entry.from !== entry.to,
        rule: entry.rule as LeadDecision['rule'],
        by,
        ...(move ? { move } : {}),
        explanation,
      },
    ];
  });
}

/** Required fields for creating a Salesforce Lead (LastName, Company): a gate reason, never a failed create. */
function salesforceRequired(fields: readonly FieldMapping[]): string[] {
  return fields
    .filter((field) => field.salesforce === 'LastName' || field.salesforce === 'Company')
    .map((f) => f.canonical);
}

/**
 * One reconcile pass over one linked lead: score it, ask the gate, run the lifecycle (seed, the sides'
 * claims, feedback, timers, the score's handoff, a requested move) to get this pass's ledger entries and
 * the shared stage, and merge, with the computed values written to both sides.
 */
export function reconcileLead(input: ReconcileLeadInput): LeadReconciliation {
  const { base, hubspot, salesforce, config, now } = input;
  const { lifecycle } = config;
  const fields = fieldsWithComputed(config);
  const at = now.toISOString();
  const preliminary = mergeLead({ base, hubspot, salesforce, fields, stage: base?.stage ?? null, lifecycle });
  const score = scoreLead(preliminary.merged, config.scoring, now);
  const threshold = config.scoring.mqlThreshold;
  const required = [...new Set([...config.handoff.requiredFields, ...salesforceRequired(config.fields)])];
  const gate = evaluateHandoff(preliminary.merged, score.score, {
    requiredFields: required,
    mqlThreshold: threshold,
  });

  const side = (system: SystemName, lead: Partial<Lead> | null): LifecycleSide | null => {
    if (!lead) return null;
    const meta = input.meta?.[system];
    return {
      system,
      stage: lead.stage ?? null,
      rejectionReason: lead.rejectionReason ?? null,
      sourceTime: isoOr(meta?.modifiedAt, at),
      ...(meta?.actor ? { actor: meta.actor } : {}),
    };
  };
  const sides = { hubspot: side('hubspot', hubspot), salesforce: side('salesforce', salesforce) };
  const times = [sides.hubspot?.sourceTime, sides.salesforce?.sourceTime].filter(hasText).sort();
  const scoreTime = times.at(-1) ?? at;
  const businessHours = input.businessHours ?? config.sla.businessHours;
  const run = runLifecycle({
    state: input.ledger ?? null,
    stored: base ? { base, ...(input.timeline ? { timeline: input.timeline } : {}) } : null,
    baseStage: base?.stage,
    ...sides,
    score: {
      score: score.score,
      threshold,
      sourceTime: Date.parse(scoreTime) > now.getTime() ? at : scoreTime,
    },
    ...(input.move ? { move: input.move } : {}),
    context: {
      lifecycle,
      gate,
      sla: config.sla,
      ...(businessHours ? { businessHours } : {}),
      at,
    },
    now,
  });
  const state = run.state;
  const stage = state.stage;
  const clock = state.clock;
  const turnedDown = stage === 'rejected' || stage === 'disqualified';
  const beforeHandoff = isBeforeHandoff(stage, lifecycle);
  const handoffRank = stageRank(lifecycle.handoffStage, lifecycle) ?? 0;
  const claimsHandoff = (lead: Partial<Lead> | null) =>
    lead !== null && !isSideState(lead.stage) && (stageRank(lead.stage, lifecycle) ?? -1) >= handoffRank;
  const heldBack =
    beforeHandoff &&
    !gate.pass &&
    (score.score >= threshold || claimsHandoff(hubspot) || claimsHandoff(salesforce));
  const computed: Partial<Lead> = {
    stage,
    score: score.score,
    rejectionReason: turnedDown ? (state.rejection?.reason ?? null) : null,
    rejectedAt: turnedDown ? (state.rejection?.rejectedAt ?? null) : null,
    slaDueAt: clock?.followUpDueAt ?? null,
    slaBreached: clock ? Boolean(clock.breaches.follow_up ?? clock.breaches.feedback) : null,
    gateReason: heldBack ? gate.reasons.join('; ') : null,
  };
  const merge = mergeLead({ base, hubspot, salesforce, fields, stage, lifecycle, computed });
  const ownStageOnly = {
    hubspot: beforeHandoff && claimsHandoff(hubspot),
    salesforce: beforeHandoff && claimsHandoff(salesforce),
  };
  // LeadBridge's own stage field shows the shared stage even when the native one already agrees.
  for (const system of ['hubspot', 'salesforce'] as const) {
    const meta = input.meta?.[system];
    const record = system === 'hubspot' ? hubspot : salesforce;
    if (!record || meta?.ownStage === undefined) continue;
    if (ownStageOnly[system] && meta.ownStage === stage) delete merge.patches[system].stage;
    else if (meta.ownStage !== stage && !Object.hasOwn(merge.patches[system], 'stage'))
      merge.patches[system].stage = stage;
  }
  const hubspotClearFirst =
    hubspot !== null &&
    Object.hasOwn(merge.patches.hubspot, 'stage') &&
    !ownStageOnly.hubspot &&
    typeof stage === 'string' &&
    hubspotNeedsClear({ from: hubspot.stage ?? base?.stage ?? null, to: stage }, lifecycle);
  const mayCreate =
    (state.handedOff || (state.history && config.handoff.createExistingInSalesforce)) &&
    !beforeHandoff &&
    !isSideState(stage);
  if (salesforce === null && !mayCreate) merge.patches.salesforce = {};
  const create = {
    hubspot: hubspot === null && Object.keys(merge.patches.hubspot).length > 0,
    salesforce: salesforce === null && Object.keys(merge.patches.salesforce).length > 0,
  };

  const decisions = asDecisions(run.entries);
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
  if (heldBack) events.push({ type: 'handoff_blocked', reasons: gate.reasons });
  for (const entry of run.entries) {
    if (entry.type === 'breach') events.push({ type: 'sla_breached', dueAt: entry.dueAt });
  }
  const timeline: LeadTimeline = clock
    ? {
        handoffAt: clock.handoffAt,
        ...(clock.followUpAt ? { firstFollowUpAt: clock.followUpAt } : {}),
        ...(clock.feedbackAt ? { feedbackAt: clock.feedbackAt } : {}),
        ...(clock.workedAtHandoff ? { workedAtHandoff: true } : {}),
      }
    : {};
  return {
    stage,
    ledger: run.entries,
    lifecycle: state,
    decisions,
    score,
    gate,
    timeline,
    computed,
    merge,
    hubspotClearFirst,
    ownStageOnly,
    create,
    events,
  };
}
