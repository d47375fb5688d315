import { describe, expect, it } from 'vitest';
import { buildLedgerReport, type LedgerLead } from '../../../src/domain/ledger-report.ts';
import { config, person, Story } from './lead-story.ts';

const MIN = 60_000;

/**
 * A scripted story with known answers: five leads, two rejections of one lead with a recycle and a
 * re-qualification between them, a rejection without a reason, an untouched handoff, a customer first
 * seen as history.
 */
function scriptedStory(): LedgerLead[] {
  const qualified = { ...person, stage: 'lead', points: 'x' };
  // A: handed off, worked after 30 min, later an opportunity.
  const a = new Story({ ...qualified, email: 'a@acme.com' });
  a.pass('2026-01-05T10:00:00Z');
  a.pass('2026-01-05T10:30:00Z', { salesforceEdit: { stage: 'sql' } });
  a.pass('2026-01-06T09:00:00Z', { hubspotEdit: { stage: 'opportunity' } });
  // B: rejected after 20 min ("No budget"), recycled a day later, re-qualifies, rejected again after 40 min.
  const b = new Story({ ...qualified, email: 'b@acme.com' });
  b.pass('2026-01-05T10:00:00Z');
  b.pass('2026-01-05T10:20:00Z', { salesforceEdit: { stage: 'rejected', rejectionReason: 'No budget' } });
  b.pass('2026-01-06T11:00:00Z');
  b.pass('2026-01-07T09:00:00Z', { hubspotEdit: { points: null } });
  b.pass('2026-01-07T12:00:00Z', { hubspotEdit: { points: 'y' } });
  b.pass('2026-01-07T12:40:00Z', { salesforceEdit: { stage: 'rejected', rejectionReason: 'Too small' } });
  // C: handed off and never touched: follow-up and feedback breached, overdue now.
  const c = new Story({ ...qualified, email: 'c@acme.com' });
  c.pass('2026-01-05T10:00:00Z');
  c.pass('2026-01-05T15:00:00Z');
  // D: rejected after 50 min without a reason: awaiting feedback, feedback breached.
  const d = new Story({ ...qualified, email: 'd@acme.com' });
  d.pass('2026-01-05T10:00:00Z');
  d.pass('2026-01-05T10:50:00Z', { salesforceEdit: { stage: 'rejected', rejectionReason: null } });
  d.pass('2026-01-05T15:00:00Z');
  // E: a customer when first seen: history, never passed to sales.
  const e = new Story({ ...person, email: 'e@acme.com', stage: 'customer' });
  e.pass('2026-01-05T10:00:00Z');
  return [a, b, c, d, e].map((story, i) => ({ leadKey: `lead-${'abcde'[i]}`, entries: story.entries }));
}

const report = (extra: Partial<Parameters<typeof buildLedgerReport>[0]> = {}) =>
  buildLedgerReport({
    tenants: [{ tenant: 'acme', leads: scriptedStory() }],
    lifecycle: config.lifecycle,
    sla: config.sla,
    now: new Date('2026-01-07T13:00:00Z'),
    ...extra,
  });

describe('the closed-loop report from the ledger', () => {
  it('counts what was done in a scripted story, across episodes', () => {
    const figures = report().tenants[0]!;
    expect(figures.funnel.map((step) => [step.stage, step.reached])).toEqual([
      ['subscriber', 5],
      ['lead', 5],
      ['mql', 5],
      ['sql', 2],
      ['opportunity', 2],
      ['customer', 1],
    ]);
    expect(figures.handoff).toMatchObject({
      passedToSales: 5,
      accepted: 1,
      rejected: 3,
      disqualified: 0,
      waitingForFeedback: 1,
    });
    expect(figures.rejections.total).toBe(3);
    expect(figures.rejections.awaitingFeedback).toBe(1);
    expect(figures.rejections.reasons).toEqual([
      { reason: 'awaiting feedback', count: 1 },
      { reason: 'No budget', count: 1 },
      { reason: 'Too small', count: 1 },
    ]);
    expect(figures.recycled).toBe(1);
    expect(figures.followUp).toMatchObject({
      measured: 4,
      averageMs: 35 * MIN,
      medianMs: 35 * MIN,
      p90Ms: 50 * MIN,
      withinSla: 4,
    });
    expect(figures.sla).toEqual({
      followUpBreaches: 1,
      feedbackBreaches: 2,
      leadsBreached: 2,
      overdueNow: 2,
    });
    expect(figures.breachesOverTime).toEqual([{ day: '2026-01-05', followUp: 1, feedback: 2 }]);
    expect(figures.overdueLeads.map((lead) => [lead.leadKey, lead.awaiting])).toEqual([
      ['lead-c', 'follow_up'],
      ['lead-d', 'feedback'],
    ]);
    expect(figures.awaitingFeedbackLeads.map((lead) => [lead.leadKey, lead.awaiting])).toEqual([
      ['lead-c', 'feedback'],
      ['lead-d', 'rejection_reason'],
    ]);
    expect(figures.followUpDistribution.find((bucket) => bucket.label === '15-60 min')?.count).toBe(4);
  });

  it('selects a period by handoff cohort or by event time', () => {
    const period = { from: '2026-01-07T00:00:00Z', to: '2026-01-08T00:00:00Z' };
    const cohort = report({ period }).tenants[0]!;
    // Handed off on the 7th: only B's second episode, rejected "Too small".
    expect(cohort.handoff).toMatchObject({ passedToSales: 1, rejected: 1 });
    expect(cohort.rejections.reasons).toEqual([{ reason: 'Too small', count: 1 }]);
    expect(cohort.recycled).toBe(0);
    const events = report({
      period: { from: '2026-01-06T00:00:00Z', to: '2026-01-07T00:00:00Z' },
      cohort: 'event',
    }).tenants[0]!;
    // On the 6th: B's recycle and A's move to opportunity; no handoff, no rejection.
    expect(events.recycled).toBe(1);
    expect(events.handoff.passedToSales).toBe(0);
    expect(events.rejections.total).toBe(0);
    expect(events.funnel.find((step) => step.stage === 'opportunity')?.reached).toBe(1);
  });
});
