import { describe, expect, it } from 'vitest';
import { DEFAULT_LIFECYCLE_ORDER as lifecycle } from '../../../src/domain/lifecycle.ts';
import { buildReport, type ReportLead } from '../../../src/domain/report.ts';
import { countReasons, median, monthOf, reasonKey } from '../../../src/domain/report-stats.ts';
import { SlaConfig } from '../../../src/domain/sla-schema.ts';

const sla = SlaConfig.parse({
  followUpWithin: '1h',
  rejectionFeedbackWithin: '48h',
  salesReadyLeadsPerMonth: 10,
});
const now = new Date('2025-03-16T00:00:00.000Z');
const at = (iso: string) => new Date(iso).toISOString();
const MIN = 60_000;

function lead(
  stage: string | null,
  timeline: ReportLead['timeline'] = {},
  reason?: string | null,
): ReportLead {
  return { base: { stage, rejectionReason: reason ?? null, rejectedAt: null }, timeline };
}

const handedOff = (handoff: string, followUp?: string) => ({
  handoffAt: at(handoff),
  ...(followUp ? { firstFollowUpAt: at(followUp), feedbackAt: at(followUp) } : {}),
});

describe('funnel report', () => {
  const acme: ReportLead[] = [
    lead('subscriber'),
    lead('lead'),
    lead('lead'),
    // worked 20 minutes after the handoff: within the hour
    lead('sql', handedOff('2025-03-10T09:00:00Z', '2025-03-10T09:20:00Z')),
    // worked after 3 hours: follow-up breached
    lead('opportunity', handedOff('2025-03-10T09:00:00Z', '2025-03-10T12:00:00Z')),
    // rejected by sales 40 minutes in
    lead('rejected', handedOff('2025-03-11T09:00:00Z', '2025-03-11T09:40:00Z'), 'No budget'),
    // waiting since 2025-03-15 22:30: follow-up overdue, feedback still within 48 h
    lead('mql', handedOff('2025-03-15T22:30:00Z')),
    // waiting since February: both deadlines overdue; handed off last month
    lead('mql', handedOff('2025-02-20T09:00:00Z')),
    // turned down by the handoff gate, never passed to sales
    lead('rejected', {}, '  no   BUDGET '),
    lead('disqualified'),
    lead(null),
  ];
  const report = buildReport({
    tenants: [{ tenant: 'acme', leads: acme, unreadable: 2 }],
    lifecycle,
    sla,
    now,
  });
  const tenant = report.tenants[0]!;

  it('counts the leads that reached each stage, side states by their rank, with conversions', () => {
    expect(tenant.funnel.map((step) => [step.stage, step.reached])).toEqual([
      ['subscriber', 9],
      ['lead', 8],
      ['mql', 6],
      ['sql', 2],
      ['opportunity', 1],
      ['customer', 0],
    ]);
    expect(tenant.funnel[0]!.conversionFromPrevious).toBeNull();
    expect(tenant.funnel[2]!.conversionFromPrevious).toBeCloseTo(6 / 8);
    expect(tenant.funnel[5]!.conversionFromPrevious).toBe(0);
    expect(tenant.leads).toBe(11);
    expect(tenant.unreadable).toBe(2);
    expect(tenant.unknownStage).toBe(1);
  });

  it('splits the leads passed to sales into accepted, rejected and waiting', () => {
    expect(tenant.handoff).toEqual({
      passedToSales: 5,
      accepted: 2,
      rejected: 1,
      disqualified: 0,
      waitingForFeedback: 2,
      acceptanceRate: 2 / 3,
    });
  });

  it('groups rejection reasons however they were typed, and tells gate rejections apart', () => {
    expect(tenant.rejections).toEqual({
      total: 2,
      beforeHandoff: 1,
      reasons: [{ reason: 'No budget', count: 2 }],
      awaitingFeedback: 0,
    });
  });

  it('measures follow-up times and SLA breaches against the configured durations', () => {
    expect(tenant.followUp).toMatchObject({
      measured: 3,
      alreadyWorkedWhenSeen: 0,
      averageMs: ((20 + 180 + 40) / 3) * MIN,
      medianMs: 40 * MIN,
      withinSla: 2,
      // 2 of 3 measured plus 2 overdue now
      withinSlaShare: 2 / 5,
    });
    expect(tenant.sla).toEqual({ followUpBreaches: 3, feedbackBreaches: 1, leadsBreached: 3, overdueNow: 2 });
  });

  it('counts this month’s handoffs against the monthly commitment, pro rata', () => {
    expect(tenant.salesReady).toMatchObject({ month: '2025-03', delivered: 4, target: 10, ofTarget: 0.4 });
    expect(tenant.salesReady.expectedByNow).toBeCloseTo((10 * 15) / 31);
  });

  it('with a period counts only the leads handed off (or rejected) in it', () => {
    const march11 = buildReport({
      tenants: [{ tenant: 'acme', leads: acme }],
      lifecycle,
      sla,
      now,
      period: { from: '2025-03-11T00:00:00Z', to: '2025-03-12T00:00:00Z' },
    }).tenants[0]!;
    expect(march11.leads).toBe(1);
    expect(march11.handoff.rejected).toBe(1);
    expect(march11.rejections.reasons).toEqual([{ reason: 'No budget', count: 1 }]);
    // deliveries this month do not depend on the period
    expect(march11.salesReady.delivered).toBe(4);
  });

  it('leaves leads already worked when first seen out of the follow-up times', () => {
    const workedAtHandoff = {
      ...handedOff('2025-03-10T09:00:00.400Z', '2025-03-10T09:00:00.400Z'),
      workedAtHandoff: true,
    };
    const report = buildReport({
      tenants: [{ tenant: 'acme', leads: [lead('sql', workedAtHandoff)] }],
      lifecycle,
      sla,
      now,
    });
    expect(report.total.followUp).toMatchObject({ measured: 0, alreadyWorkedWhenSeen: 1, averageMs: null });
    expect(report.total.handoff.accepted).toBe(1);
  });

  it('measures an answer in the handoff own second as 0 s when both are on the whole second (.000/.000)', () => {
    // A handoff stamped by Salesforce (whole seconds) or HubSpot (`.000`), the rep's answer in that second.
    const report = buildReport({
      tenants: [
        {
          tenant: 'acme',
          leads: [lead('sql', handedOff('2025-03-10T09:00:00.000Z', '2025-03-10T09:00:00.000Z'))],
        },
      ],
      lifecycle,
      sla,
      now,
    });
    expect(report.total.followUp).toMatchObject({
      measured: 1,
      alreadyWorkedWhenSeen: 0,
      averageMs: 0,
      withinSla: 1,
    });
  });

  it('measures an answer stamped in the handoff own second (Salesforce whole seconds) as 0 s', () => {
    const report = buildReport({
      tenants: [
        {
          tenant: 'acme',
          leads: [lead('sql', handedOff('2025-03-10T09:00:00.700Z', '2025-03-10T09:00:00Z'))],
        },
      ],
      lifecycle,
      sla,
      now,
    });
    expect(report.total.followUp).toMatchObject({
      measured: 1,
      alreadyWorkedWhenSeen: 0,
      averageMs: 0,
      withinSla: 1,
    });
  });

  it('adds the tenants up in the total and scales the monthly target by the tenants', () => {
    const both = buildReport({
      tenants: [
        { tenant: 'acme', leads: acme },
        { tenant: 'globex', leads: [lead('sql', handedOff('2025-03-12T09:00:00Z', '2025-03-12T10:30:00Z'))] },
      ],
      lifecycle,
      sla,
      now,
    });
    expect(both.total.tenant).toBe('all');
    expect(both.total.handoff.passedToSales).toBe(6);
    expect(both.total.salesReady.target).toBe(20);
    expect(both.total.followUp.medianMs).toBe(((40 + 90) / 2) * MIN);
  });

  it('reports no rates when there is nothing to divide by', () => {
    const empty = buildReport({
      tenants: [{ tenant: 'acme', leads: [] }],
      lifecycle,
      sla: SlaConfig.parse({}),
      now,
    });
    expect(empty.total.handoff.acceptanceRate).toBeNull();
    expect(empty.total.followUp.withinSlaShare).toBeNull();
    expect(empty.total.salesReady).toMatchObject({ target: null, expectedByNow: null, ofTarget: null });
    expect(empty.total.funnel.every((step) => step.reached === 0)).toBe(true);
  });
});

describe('report arithmetic', () => {
  it('takes the middle value, or the mean of the two middle ones', () => {
    expect(median([])).toBeNull();
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });

  it('normalises reasons and names blanks', () => {
    expect(reasonKey('  Bad   fit ')).toEqual({ key: 'bad fit', label: 'Bad fit' });
    expect(reasonKey('   ').label).toBe('no reason given');
    expect(countReasons([null, '', 'B', 'a', 'A '])).toEqual([
      { reason: 'a', count: 2 },
      { reason: 'no reason given', count: 2 },
      { reason: 'B', count: 1 },
    ]);
  });

  it('finds the UTC calendar month, across a year end', () => {
    const december = monthOf(new Date('2025-12-31T23:59:59Z'));
    expect(december.label).toBe('2025-12');
    expect(new Date(december.endMs).toISOString()).toBe('2026-01-01T00:00:00.000Z');
  });
});
