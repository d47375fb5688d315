import { foldLedger } from './ledger-fold.ts';
import { factsOf, type HandoffEpisode, type LedgerLead } from './ledger-report-facts.ts';
import type { LifecycleOrder } from './lifecycle.ts';
import { FunnelReport, type FunnelStep, type ReportPeriod, type TenantReport } from './report-schema.ts';
import { average, countReasons, median, monthOf, percentile, rate } from './report-stats.ts';
import type { SlaConfig } from './sla-schema.ts';
import { measuredFollowUpMs } from './sla.ts';

export type { LedgerLead };

export interface LedgerTenantInput {
  tenant: string;
  leads: readonly LedgerLead[];
  /** Index elements that did not decode. */
  unreadable?: number;
}

export interface LedgerReportInput {
  tenants: readonly LedgerTenantInput[];
  lifecycle: LifecycleOrder;
  sla: Pick<SlaConfig, 'followUpWithin' | 'rejectionFeedbackWithin' | 'salesReadyLeadsPerMonth'>;
  now: Date;
  period?: ReportPeriod | undefined;
  /** `handoff`: what happened to leads handed off in the period; `event`: what happened in the period. */
  cohort?: 'handoff' | 'event';
}

const ms = (iso: string) => Date.parse(iso);
const LIST_MAX = 100;

function within(at: number | null, period: ReportPeriod | undefined): boolean {
  if (!period) return true;
  if (at === null) return false;
  const from = ms(period.from);
  const to = ms(period.to);
  return (Number.isNaN(from) || at >= from) && (Number.isNaN(to) || at < to);
}

const BUCKETS: Array<{ label: string; upToMs: number | null }> = [
  { label: '< 5 min', upToMs: 5 * 60_000 },
  { label: '5-15 min', upToMs: 15 * 60_000 },
  { label: '15-60 min', upToMs: 3_600_000 },
  { label: '1-4 h', upToMs: 4 * 3_600_000 },
  { label: '4-24 h', upToMs: 24 * 3_600_000 },
  { label: '> 1 day', upToMs: null },
];

function distribution(times: readonly number[]) {
  const counts = BUCKETS.map((bucket) => ({ ...bucket, count: 0 }));
  for (const time of times) {
    const bucket = counts.find((candidate) => candidate.upToMs === null || time < candidate.upToMs);
    if (bucket) bucket.count++;
  }
  return counts;
}

const dayOf = (at: number) => new Date(at).toISOString().slice(0, 10);

function tenantFigures(
  tenant: string,
  leads: readonly LedgerLead[],
  unreadable: number,
  input: LedgerReportInput,
  target: number | null,
): TenantReport {
  const { lifecycle, now, period } = input;
  const byEvent = (input.cohort ?? 'handoff') === 'event';
  const nowMs = now.getTime();
  const all = leads.map((lead) => factsOf(lead, lifecycle));
  // Handoff cohort: episodes handed off in the period and what followed them; event: each by its own time.
  const episodeIn = (episode: HandoffEpisode, at: number | null) =>
    within(byEvent ? at : episode.handoffAt, period);

  const reached = lifecycle.stages.map(() => 0);
  let counted = 0;
  for (const facts of all) {
    const firstHandoff = facts.handoffs[0]?.handoffAt ?? null;
    const cohortAt = firstHandoff ?? facts.rejections[0]?.at ?? null;
    let any = false;
    for (const [rank, at] of facts.reachedAt) {
      const include = byEvent ? within(at, period) : period ? within(cohortAt, period) : true;
      if (!include) continue;
      reached[rank] = (reached[rank] ?? 0) + 1;
      any = true;
    }
    if (any || (!period && facts.reachedAt.size === 0)) counted++;
  }
  const funnel: FunnelStep[] = lifecycle.stages.map((stage, i) => ({
    stage,
    reached: reached[i] ?? 0,
    conversionFromPrevious: i === 0 ? null : rate(reached[i] ?? 0, reached[i - 1] ?? 0),
  }));

  const handoff = { passedToSales: 0, accepted: 0, rejected: 0, disqualified: 0, waitingForFeedback: 0 };
  const followUpTimes: number[] = [];
  let alreadyWorkedWhenSeen = 0;
  let withinSla = 0;
  for (const facts of all) {
    for (const episode of facts.handoffs) {
      if (episodeIn(episode, episode.handoffAt)) handoff.passedToSales++;
      if (episode.outcome === 'waiting') {
        if (episodeIn(episode, episode.handoffAt)) handoff.waitingForFeedback++;
      } else if (episodeIn(episode, episode.outcomeAt)) handoff[episode.outcome]++;
      if (episode.followUpAt !== null && episodeIn(episode, episode.followUpAt)) {
        const elapsed = measuredFollowUpMs(episode.handoffAt, episode.followUpAt, episode.workedWhenSeen);
        if (elapsed === null) alreadyWorkedWhenSeen++;
        else {
          followUpTimes.push(elapsed);
          if (episode.followUpDueAt === null || episode.followUpAt <= episode.followUpDueAt) withinSla++;
        }
      }
    }
  }

  const rejections = all.flatMap((facts) =>
    facts.rejections.filter((rejection) =>
      byEvent || rejection.handoffAt === null
        ? within(rejection.at, period)
        : within(rejection.handoffAt, period),
    ),
  );
  const turnedDown = rejections.filter((rejection) => rejection.stage === 'rejected');
  const breaches = all.flatMap((facts) =>
    facts.breaches.filter((breach) => within(byEvent ? breach.dueAt : breach.handoffAt, period)),
  );
  const breachDays = new Map<string, { day: string; followUp: number; feedback: number }>();
  for (const breach of breaches) {
    const day = dayOf(breach.dueAt);
    const row = breachDays.get(day) ?? { day, followUp: 0, feedback: 0 };
    if (breach.timer === 'follow_up') row.followUp++;
    else row.feedback++;
    breachDays.set(day, row);
  }
  const leadsBreached = new Set(
    all.filter((facts) => facts.breaches.some((breach) => breaches.includes(breach))).map((f) => f.leadKey),
  );

  const overdueLeads: TenantReport['overdueLeads'] = [];
  const awaitingFeedbackLeads: TenantReport['awaitingFeedbackLeads'] = [];
  let followUpOverdue = 0;
  for (const lead of leads) {
    const state = foldLedger(lead.entries, lifecycle.handoffStage);
    const clock = state.clock;
    if (clock && !clock.followUpAt && clock.followUpDueAt && ms(clock.followUpDueAt) < nowMs) {
      followUpOverdue++;
      overdueLeads.push({ leadKey: lead.leadKey, awaiting: 'follow_up', since: clock.followUpDueAt });
    } else if (clock && !clock.feedbackAt && clock.feedbackDueAt && ms(clock.feedbackDueAt) < nowMs) {
      overdueLeads.push({ leadKey: lead.leadKey, awaiting: 'feedback', since: clock.feedbackDueAt });
    }
    if (state.stage === lifecycle.handoffStage && clock && !clock.feedbackAt) {
      awaitingFeedbackLeads.push({ leadKey: lead.leadKey, awaiting: 'feedback', since: clock.handoffAt });
    }
    if (state.stage === 'rejected' && state.rejection && state.rejection.reason === null) {
      awaitingFeedbackLeads.push({
        leadKey: lead.leadKey,
        awaiting: 'rejection_reason',
        since: state.rejection.rejectedAt,
      });
    }
  }
  const bySince = (a: { since: string }, b: { since: string }) => ms(a.since) - ms(b.since);

  const month = monthOf(now);
  const delivered = all.reduce(
    (sum, facts) =>
      sum + facts.handoffs.filter((e) => e.handoffAt >= month.startMs && e.handoffAt < month.endMs).length,
    0,
  );
  const elapsed = (nowMs - month.startMs) / (month.endMs - month.startMs);
  const verdicts = handoff.accepted + handoff.rejected + handoff.disqualified;
  return {
    tenant,
    leads: period ? counted : leads.length,
    unreadable,
    unknownStage: 0,
    funnel,
    handoff: { ...handoff, acceptanceRate: rate(handoff.accepted, verdicts) },
    rejections: {
      total: turnedDown.length,
      beforeHandoff: turnedDown.filter((rejection) => rejection.handoffAt === null).length,
      reasons: countReasons(turnedDown.map((rejection) => rejection.reason ?? 'awaiting feedback')),
      awaitingFeedback: turnedDown.filter((rejection) => rejection.reason === null).length,
    },
    followUp: {
      measured: followUpTimes.length,
      alreadyWorkedWhenSeen,
      averageMs: average(followUpTimes),
      medianMs: median(followUpTimes),
      p90Ms: percentile(followUpTimes, 0.9),
      withinSla,
      withinSlaShare: rate(withinSla, followUpTimes.length + followUpOverdue),
    },
    sla: {
      followUpBreaches: breaches.filter((breach) => breach.timer === 'follow_up').length,
      feedbackBreaches: breaches.filter((breach) => breach.timer === 'feedback').length,
      leadsBreached: leadsBreached.size,
      overdueNow: new Set(overdueLeads.map((lead) => lead.leadKey)).size,
    },
    salesReady: {
      month: month.label,
      delivered,
      target,
      expectedByNow: target === null ? null : target * elapsed,
      ofTarget: target === null || target === 0 ? null : delivered / target,
    },
    recycled: all.reduce((sum, facts) => sum + facts.recycles.filter((at) => within(at, period)).length, 0),
    breachesOverTime: [...breachDays.values()].sort((a, b) => a.day.localeCompare(b.day)),
    followUpDistribution: distribution(followUpTimes),
    overdueLeads: overdueLeads.sort(bySince).slice(0, LIST_MAX),
    awaitingFeedbackLeads: awaitingFeedbackLeads.sort(bySince).slice(0, LIST_MAX),
  };
}

/**
 * The closed-loop report from the lifecycle ledgers: every handoff, verdict, rejection (with the reason
 * of its own episode), recycle and breach counts, however often the lead went round; follow-up times
 * come from the systems' own timestamps. Pure: the ledgers and `now` in, a `FunnelReport` out.
 */
export function buildLedgerReport(input: LedgerReportInput): FunnelReport {
  const perTenantTarget = input.sla.salesReadyLeadsPerMonth ?? null;
  const tenants = input.tenants.map((entry) =>
    tenantFigures(entry.tenant, entry.leads, entry.unreadable ?? 0, input, perTenantTarget),
  );
  const total = tenantFigures(
    'all',
    input.tenants.flatMap((entry) => entry.leads),
    input.tenants.reduce((sum, entry) => sum + (entry.unreadable ?? 0), 0),
    input,
    perTenantTarget === null ? null : perTenantTarget * input.tenants.length,
  );
  return FunnelReport.parse({
    generatedAt: input.now.toISOString(),
    period: input.period ?? null,
    cohort: input.cohort ?? 'handoff',
    source: 'ledger',
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
