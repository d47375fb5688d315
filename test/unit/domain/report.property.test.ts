import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_LIFECYCLE_ORDER as lifecycle } from '../../../src/domain/lifecycle.ts';
import { buildReport, type ReportLead } from '../../../src/domain/report.ts';
import type { TenantReport } from '../../../src/domain/report-schema.ts';
import { SlaConfig } from '../../../src/domain/sla-schema.ts';

const sla = SlaConfig.parse({ salesReadyLeadsPerMonth: 25 });
const NOW_MS = Date.parse('2025-06-15T12:00:00Z');
const DAY = 86_400_000;

const instant = fc.integer({ min: NOW_MS - 60 * DAY, max: NOW_MS }).map((ms) => new Date(ms).toISOString());
const stage = fc.constantFrom(
  ...lifecycle.stages,
  'rejected',
  'recycled',
  'disqualified',
  'unknown',
  null,
) as fc.Arbitrary<string | null>;

const leadArb: fc.Arbitrary<ReportLead> = fc
  .record({
    stage,
    reason: fc.option(fc.constantFrom('No budget', ' no budget', 'Bad fit', '', 'Timing'), { nil: null }),
    rejectedAt: fc.option(instant, { nil: null }),
    handoffAt: fc.option(instant, { nil: undefined }),
    followUpAfterMs: fc.option(fc.integer({ min: 0, max: 5 * DAY }), { nil: undefined }),
  })
  .map(({ stage, reason, rejectedAt, handoffAt, followUpAfterMs }) => {
    const timeline: ReportLead['timeline'] = {};
    if (handoffAt !== undefined) {
      timeline.handoffAt = handoffAt;
      if (followUpAfterMs !== undefined) {
        const done = new Date(Date.parse(handoffAt) + followUpAfterMs).toISOString();
        timeline.firstFollowUpAt = done;
        timeline.feedbackAt = done;
      }
    }
    return { base: { stage, rejectionReason: reason, rejectedAt }, timeline };
  });

const tenantsArb = fc.array(fc.array(leadArb, { maxLength: 40 }), { minLength: 1, maxLength: 4 });
const periodArb = fc.option(
  fc.tuple(instant, instant).map(([a, b]) => (a <= b ? { from: a, to: b } : { from: b, to: a })),
  { nil: undefined },
);

function report(tenants: ReportLead[][], period?: { from: string; to: string }) {
  return buildReport({
    tenants: tenants.map((leads, i) => ({ tenant: `t${i}`, leads, unreadable: i })),
    lifecycle,
    sla,
    now: new Date(NOW_MS),
    period,
  });
}

/** Every count of a tenant report, by a path name, so the total can be compared field by field. */
function counts(figures: TenantReport): Record<string, number> {
  const out: Record<string, number> = {
    leads: figures.leads,
    unreadable: figures.unreadable,
    unknownStage: figures.unknownStage,
    rejections: figures.rejections.total,
    beforeHandoff: figures.rejections.beforeHandoff,
    measured: figures.followUp.measured,
    alreadyWorkedWhenSeen: figures.followUp.alreadyWorkedWhenSeen,
    withinSla: figures.followUp.withinSla,
    delivered: figures.salesReady.delivered,
  };
  for (const step of figures.funnel) out[`funnel.${step.stage}`] = step.reached;
  for (const [key, value] of Object.entries(figures.handoff))
    if (key !== 'acceptanceRate') out[key] = value ?? 0;
  for (const [key, value] of Object.entries(figures.sla)) out[`sla.${key}`] = value;
  for (const { reason, count } of figures.rejections.reasons) out[`reason.${reason.toLowerCase()}`] = count;
  return out;
}

describe('funnel report invariants', () => {
  it('funnel counts never increase down the stages, and conversions stay within [0, 1]', () => {
    fc.assert(
      fc.property(tenantsArb, periodArb, (tenants, period) => {
        for (const figures of [...report(tenants, period).tenants, report(tenants, period).total]) {
          figures.funnel.forEach((step, i) => {
            const previous = figures.funnel[i - 1];
            if (previous) expect(step.reached).toBeLessThanOrEqual(previous.reached);
            if (step.conversionFromPrevious !== null) {
              expect(step.conversionFromPrevious).toBeGreaterThanOrEqual(0);
              expect(step.conversionFromPrevious).toBeLessThanOrEqual(1);
            }
          });
          expect(figures.funnel[0]!.reached).toBeLessThanOrEqual(figures.leads);
        }
      }),
    );
  });

  it('the total is the sum of the tenants, count by count', () => {
    fc.assert(
      fc.property(tenantsArb, periodArb, (tenants, period) => {
        const result = report(tenants, period);
        const summed: Record<string, number> = {};
        for (const figures of result.tenants) {
          for (const [key, value] of Object.entries(counts(figures)))
            summed[key] = (summed[key] ?? 0) + value;
        }
        expect(counts(result.total)).toEqual(summed);
      }),
    );
  });

  it('what sales did with the handed-off leads adds up to the leads passed to sales', () => {
    fc.assert(
      fc.property(tenantsArb, periodArb, (tenants, period) => {
        const { handoff, rejections, followUp, sla: breaches } = report(tenants, period).total;
        expect(handoff.accepted + handoff.rejected + handoff.disqualified + handoff.waitingForFeedback).toBe(
          handoff.passedToSales,
        );
        expect(rejections.reasons.reduce((sum, entry) => sum + entry.count, 0)).toBe(rejections.total);
        expect(followUp.withinSla).toBeLessThanOrEqual(followUp.measured);
        expect(breaches.leadsBreached).toBeLessThanOrEqual(handoff.passedToSales);
        expect(breaches.overdueNow).toBeLessThanOrEqual(breaches.leadsBreached);
        if (followUp.medianMs !== null) expect(followUp.medianMs).toBeGreaterThan(0);
      }),
    );
  });

  it('a period never counts more leads than the whole', () => {
    fc.assert(
      fc.property(tenantsArb, periodArb, (tenants, period) => {
        expect(report(tenants, period).total.leads).toBeLessThanOrEqual(report(tenants).total.leads);
      }),
    );
  });
});
