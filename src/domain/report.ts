import type { Lead } from './lead.ts';
import type { LeadTimeline } from './lead-timeline.ts';
import { stageRank, type LifecycleOrder } from './lifecycle.ts';
import type { z } from 'zod';
import { FunnelReport, type FunnelStep, type ReportPeriod, type TenantReport } from './report-schema.ts';
import { average, countReasons, median, monthOf, rate } from './report-stats.ts';
import type { SlaConfig } from './sla-schema.ts';
import { evaluateSla, measuredFollowUpMs } from './sla.ts';
import { parseInstant } from './values.ts';

/** What the report needs of a lead's stored sync state (`LeadSyncState` fits). */
export interface ReportLead {
  base: Pick<Lead, 'stage' | 'rejectionReason' | 'rejectedAt'>;
  timeline: LeadTimeline;
}

export interface ReportTenantInput {
  tenant: string;
  leads: readonly ReportLead[];
  /** Stored states that did not parse. */
  unreadable?: number;
}

export interface ReportInput {
  tenants: readonly ReportTenantInput[];
  lifecycle: LifecycleOrder;
  sla: Pick<SlaConfig, 'followUpWithin' | 'rejectionFeedbackWithin' | 'salesReadyLeadsPerMonth'>;
  now: Date;
  /** Count only leads handed off (or, never handed off, rejected) in this period. */
  period?: ReportPeriod | undefined;
}

function instant(value: string | null | undefined): number | null {
  return value === null || value === undefined ? null : parseInstant(value);
}

/**
 * The instant a lead belongs to a period by: its handoff, or for a lead turned down before any handoff
 * its rejection. Leads that never reached either belong to no period.
 */
function cohortInstant(lead: ReportLead): number | null {
  const handoff = instant(lead.timeline.handoffAt);
  if (handoff !== null) return handoff;
  return lead.base.stage === 'rejected' ? instant(lead.base.rejectedAt) : null;
}

function inPeriod(lead: ReportLead, period: ReportPeriod): boolean {
  const at = cohortInstant(lead);
  const from = parseInstant(period.from);
  const to = parseInstant(period.to);
  return at !== null && (from === null || at >= from) && (to === null || at < to);
}

function funnelOf(leads: readonly ReportLead[], lifecycle: LifecycleOrder): FunnelStep[] {
  const handoffRank = stageRank(lifecycle.handoffStage, lifecycle) ?? 0;
  const reached = lifecycle.stages.map(() => 0);
  for (const lead of leads) {
    // The timeline remembers a handoff even when the stage later moved to a side state ranked lower.
    const handedOff = instant(lead.timeline.handoffAt) !== null;
    const rank = Math.max(stageRank(lead.base.stage, lifecycle) ?? -1, handedOff ? handoffRank : -1);
    for (let i = 0; i <= Math.min(rank, reached.length - 1); i++) reached[i] = (reached[i] ?? 0) + 1;
  }
  return lifecycle.stages.map((stage, i) => ({
    stage,
    reached: reached[i] ?? 0,
    conversionFromPrevious: i === 0 ? null : rate(reached[i] ?? 0, reached[i - 1] ?? 0),
  }));
}

function salesReadyOf(leads: readonly ReportLead[], now: Date, target: number | null) {
  const month = monthOf(now);
  const delivered = leads.filter((lead) => {
    const at = instant(lead.timeline.handoffAt);
    return at !== null && at >= month.startMs && at < month.endMs;
  }).length;
  const elapsed = (now.getTime() - month.startMs) / (month.endMs - month.startMs);
  return {
    month: month.label,
    delivered,
    target,
    expectedByNow: target === null ? null : target * elapsed,
    ofTarget: target === null || target === 0 ? null : delivered / target,
  };
}

/**
 * One tenant's (or all tenants') figures. `leads` are those in the period; `allLeads` (regardless of the
 * period) give this month's sales-ready deliveries.
 */
function tenantFigures(
  tenant: string,
  leads: readonly ReportLead[],
  allLeads: readonly ReportLead[],
  unreadable: number,
  input: ReportInput,
  target: number | null,
): z.input<typeof TenantReport> {
  const { lifecycle, sla, now } = input;
  const handoffRank = stageRank(lifecycle.handoffStage, lifecycle) ?? 0;
  const handoff = { passedToSales: 0, accepted: 0, rejected: 0, disqualified: 0, waitingForFeedback: 0 };
  const slaFigures = { followUpBreaches: 0, feedbackBreaches: 0, leadsBreached: 0, overdueNow: 0 };
  const followUpTimes: number[] = [];
  let alreadyWorkedWhenSeen = 0;
  let withinSla = 0;
  let followUpOverdue = 0;
  let unknownStage = 0;
  const rejected: ReportLead[] = [];

  for (const lead of leads) {
    const stage = lead.base.stage;
    const rank = stageRank(stage, lifecycle);
    if (rank === null) unknownStage++;
    if (stage === 'rejected') rejected.push(lead);
    const handoffAt = instant(lead.timeline.handoffAt);
    if (handoffAt === null) continue;

    handoff.passedToSales++;
    if (stage === 'rejected') handoff.rejected++;
    else if (stage === 'disqualified') handoff.disqualified++;
    else if (rank !== null && rank > handoffRank) handoff.accepted++;
    else handoff.waitingForFeedback++;

    const evaluation = evaluateSla(
      {
        handoffAt,
        firstFollowUpAt: instant(lead.timeline.firstFollowUpAt),
        feedbackAt: instant(lead.timeline.feedbackAt),
        now,
      },
      sla,
    );
    const { followUp, feedback } = evaluation;
    const followUpAt = instant(lead.timeline.firstFollowUpAt);
    if (followUpAt !== null) {
      const elapsed = measuredFollowUpMs(handoffAt, followUpAt, lead.timeline.workedAtHandoff === true);
      if (elapsed !== null) {
        followUpTimes.push(elapsed);
        if (!followUp.breached) withinSla++;
      } else alreadyWorkedWhenSeen++;
    }
    const followUpOpenLate = followUp.breached && followUp.doneAt === undefined;
    const feedbackOpenLate = feedback.breached && feedback.doneAt === undefined;
    if (followUpOpenLate) followUpOverdue++;
    if (followUp.breached) slaFigures.followUpBreaches++;
    if (feedback.breached) slaFigures.feedbackBreaches++;
    if (evaluation.breached) slaFigures.leadsBreached++;
    if (followUpOpenLate || feedbackOpenLate) slaFigures.overdueNow++;
  }

  const verdicts = handoff.accepted + handoff.rejected + handoff.disqualified;
  return {
    tenant,
    leads: leads.length,
    unreadable,
    unknownStage,
    funnel: funnelOf(leads, lifecycle),
    handoff: { ...handoff, acceptanceRate: rate(handoff.accepted, verdicts) },
    rejections: {
      total: rejected.length,
      beforeHandoff: rejected.filter((lead) => instant(lead.timeline.handoffAt) === null).length,
      reasons: countReasons(rejected.map((lead) => lead.base.rejectionReason)),
    },
    followUp: {
      measured: followUpTimes.length,
      alreadyWorkedWhenSeen,
      averageMs: average(followUpTimes),
      medianMs: median(followUpTimes),
      withinSla,
      withinSlaShare: rate(withinSla, followUpTimes.length + followUpOverdue),
    },
    sla: slaFigures,
    salesReady: salesReadyOf(allLeads, now, target),
  };
}

/**
 * The closed-loop report both teams read (design.md, "Why it exists" 5): the funnel with conversion
 * between stages, leads passed to sales and what sales did with them, rejection reasons, follow-up times
 * and SLA breaches, and sales-ready leads delivered this month against the SLA's commitment; per tenant
 * and in total. Pure: the stored states and `now` in, a `FunnelReport` out.
 *
 * Limits of what the state holds: a recycle clears the lead's timeline (a fresh SLA when it qualifies
 * again), so a recycled lead no longer counts as passed to sales, nor in this month's deliveries.
 */
export function buildReport(input: ReportInput): FunnelReport {
  const { period } = input;
  const perTenantTarget = input.sla.salesReadyLeadsPerMonth ?? null;
  const select = (leads: readonly ReportLead[]) =>
    period ? leads.filter((lead) => inPeriod(lead, period)) : leads;
  const tenants = input.tenants.map((entry) =>
    tenantFigures(
      entry.tenant,
      select(entry.leads),
      entry.leads,
      entry.unreadable ?? 0,
      input,
      perTenantTarget,
    ),
  );
  const everyLead = input.tenants.flatMap((entry) => entry.leads);
  const total = tenantFigures(
    'all',
    select(everyLead),
    everyLead,
    input.tenants.reduce((sum, entry) => sum + (entry.unreadable ?? 0), 0),
    input,
    perTenantTarget === null ? null : perTenantTarget * input.tenants.length,
  );
  return FunnelReport.parse({
    generatedAt: input.now.toISOString(),
    period: period ?? null,
    settings: {
      stages: [...input.lifecycle.stages],
      handoffStage: input.lifecycle.handoffStage,
      followUpWithin: input.sla.followUpWithin,
      rejectionFeedbackWithin: input.sla.rejectionFeedbackWithin,
      salesReadyLeadsPerMonth: perTenantTarget,
    },
    tenants,
    total,
  });
}
