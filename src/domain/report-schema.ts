import { z } from 'zod';
import { TenantIdentityIssues } from './identity-issues.ts';

/** A share of a whole: 0..1, null when the whole is empty (no leads to divide by). */
const Rate = z.number().min(0).max(1).nullable();
const Count = z.number().int().nonnegative();
/** Milliseconds, null when nothing was measured. */
const Millis = z.number().nonnegative().nullable();

/** ISO-8601 instants, `from` inclusive, `to` exclusive. */
export const ReportPeriod = z.object({ from: z.string(), to: z.string() });
export type ReportPeriod = z.infer<typeof ReportPeriod>;

export const FunnelStep = z.object({
  stage: z.string(),
  /** Leads at or past this stage (side states by `stageRank`; a handed-off lead reached the handoff stage). */
  reached: Count,
  /** reached / the previous stage's reached; null for the first stage or when the previous one is 0. */
  conversionFromPrevious: Rate,
});
export type FunnelStep = z.infer<typeof FunnelStep>;

export const RejectionReasonCount = z.object({ reason: z.string(), count: Count });

/** Leads passed to sales and what sales did with them: the four outcomes add up to `passedToSales`. */
export const HandoffFigures = z.object({
  passedToSales: Count,
  /** Worked past the handoff stage. */
  accepted: Count,
  rejected: Count,
  disqualified: Count,
  /** Still at the handoff stage: no follow-up, no verdict yet. */
  waitingForFeedback: Count,
  /** accepted / (accepted + rejected + disqualified). */
  acceptanceRate: Rate,
});

export const RejectionFigures = z.object({
  /** Leads now in `rejected`, whether sales or the handoff gate turned them down. */
  total: Count,
  /** Of those, never passed to sales (turned down before the handoff). */
  beforeHandoff: Count,
  /** Normalised reasons, most frequent first; a blank reason counts as "no reason given". */
  reasons: z.array(RejectionReasonCount),
  /** Rejections sales has given no reason for yet ("awaiting feedback"). */
  awaitingFeedback: Count.default(0),
});

/** A lead the report lists by name: overdue now, or waiting for sales' feedback. */
export const ListedLead = z.object({
  leadKey: z.string(),
  /** What is awaited: a follow-up, a verdict on a handed-off lead, or the reason for a rejection. */
  awaiting: z.enum(['follow_up', 'feedback', 'rejection_reason']),
  /** ISO-8601: the deadline (overdue) or since when (waiting). */
  since: z.string(),
});

/** Follow-up times bucketed for the distribution chart. */
export const FollowUpBucket = z.object({ label: z.string(), upToMs: z.number().nullable(), count: Count });

/** SLA breaches per UTC day (by due time). */
export const BreachDay = z.object({ day: z.string(), followUp: Count, feedback: Count });

export const FollowUpFigures = z.object({
  /** Handed-off leads whose first follow-up came after the handoff (in its own second: 0 ms). */
  measured: Count,
  /** Already worked when LeadBridge first saw them (backfill, created in Salesforce): no time to measure. */
  alreadyWorkedWhenSeen: Count,
  averageMs: Millis,
  medianMs: Millis,
  /** 90th percentile of the measured follow-up times. */
  p90Ms: Millis.default(null),
  /** Measured follow-ups within `followUpWithin`. */
  withinSla: Count,
  /** withinSla / (measured + leads whose follow-up is overdue now). */
  withinSlaShare: Rate,
});

export const SlaFigures = z.object({
  /** Follow-ups done late or still missing after the deadline. */
  followUpBreaches: Count,
  /** Feedback (accept or reject) given late or still missing after its deadline. */
  feedbackBreaches: Count,
  /** Leads with either deadline breached. */
  leadsBreached: Count,
  /** Leads with a deadline passed and the work still not done. */
  overdueNow: Count,
});

export const SalesReadyFigures = z.object({
  /** Calendar month (UTC) of the report's `now`, `YYYY-MM`. */
  month: z.string(),
  /** Leads first passed to sales this month. */
  delivered: Count,
  /** `sla.salesReadyLeadsPerMonth` (per tenant; the total's is per tenant x tenants); null when not set. */
  target: Count.nullable(),
  /** The target pro rata to the time of month elapsed. */
  expectedByNow: z.number().nonnegative().nullable(),
  /** delivered / target (may exceed 1). */
  ofTarget: z.number().nonnegative().nullable(),
});

export const TenantReport = z.object({
  /** Tenant id, or `all` for the total. */
  tenant: z.string(),
  /** Leads counted (in the period, when one is given). */
  leads: Count,
  /** Stored states that could not be read (corrupt); not counted anywhere else. */
  unreadable: Count,
  /** Leads whose stage is blank or not a configured stage. */
  unknownStage: Count,
  funnel: z.array(FunnelStep),
  handoff: HandoffFigures,
  rejections: RejectionFigures,
  followUp: FollowUpFigures,
  sla: SlaFigures,
  salesReady: SalesReadyFigures,
  /** Returns to nurture (after a rejection or a lost deal), each counted. */
  recycled: Count.default(0),
  breachesOverTime: z.array(BreachDay).default([]),
  followUpDistribution: z.array(FollowUpBucket).default([]),
  /** Leads with a deadline passed and the work still not done (at most 100). */
  overdueLeads: z.array(ListedLead).default([]),
  /** Handed-off leads with no verdict yet, and rejections with no reason yet (at most 100). */
  awaitingFeedbackLeads: z.array(ListedLead).default([]),
});
export type TenantReport = z.infer<typeof TenantReport>;

export const FunnelReport = z.object({
  /** ISO-8601 instant the report describes. */
  generatedAt: z.string(),
  /** With a period, only leads handed off (or, if never handed off, rejected) in it are counted. */
  period: ReportPeriod.nullable(),
  /**
   * How a period selects: `handoff` counts what happened to leads handed off in it (cohort), `event`
   * counts each transition, rejection and breach by when it happened.
   */
  cohort: z.enum(['handoff', 'event']).default('handoff'),
  /** `ledger`: computed from the lifecycle ledgers; `state`: from current stages (older installs). */
  source: z.enum(['ledger', 'state']).default('state'),
  settings: z.object({
    stages: z.array(z.string()),
    handoffStage: z.string(),
    followUpWithin: z.string(),
    rejectionFeedbackWithin: z.string(),
    salesReadyLeadsPerMonth: Count.nullable(),
  }),
  tenants: z.array(TenantReport),
  /** Per tenant: records marked duplicates (never written to) and writes parked after a refusal. */
  identity: z.array(TenantIdentityIssues).optional(),
  /** All tenants together: counts are the tenants' sums, times and shares are over all their leads. */
  total: TenantReport,
});
export type FunnelReport = z.infer<typeof FunnelReport>;
