import { describe, expect, it } from 'vitest';
import { buildLedgerReport, type LedgerLead } from '../../../src/domain/ledger-report.ts';
import type { LeadTimeline } from '../../../src/domain/lead-timeline.ts';
import { seedEntry } from '../../../src/domain/ledger-seed.ts';
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

describe('a rep answer stamped in the handoff own second', () => {
  // The handoff carries HubSpot's milliseconds; Salesforce stamps the rep's edit to the whole second, so
  // an answer given 300 ms after a handoff at 10:00:00.600 reads 10:00:00.000.
  const handoffAt = '2026-01-05T10:00:00.600Z';
  const answeredAt = '2026-01-05T10:00:00.000Z';
  const qualified = { ...person, stage: 'lead', points: 'x' };

  function answered(edit: Parameters<Story['pass']>[1]) {
    const story = new Story({ ...qualified, email: 'f@acme.com' });
    story.pass(handoffAt);
    story.pass('2026-01-05T10:00:01.200Z', { ...edit, modifiedAt: answeredAt });
    return story;
  }
  const figuresOf = (story: Story) =>
    buildLedgerReport({
      tenants: [{ tenant: 'acme', leads: [{ leadKey: 'lead-f', entries: story.entries }] }],
      lifecycle: config.lifecycle,
      sla: config.sla,
      now: new Date('2026-01-05T16:00:00Z'),
    }).tenants[0]!;

  it('counts a rep who works it as a 0 s follow-up within the SLA', () => {
    const story = answered({ salesforceEdit: { stage: 'sql' } });
    expect(
      story.entries.find((entry) => entry.type === 'transition' && entry.rule === 'handoff'),
    ).toMatchObject({ sourceTime: handoffAt });
    const figures = figuresOf(story);
    expect(figures.followUp).toMatchObject({
      measured: 1,
      alreadyWorkedWhenSeen: 0,
      averageMs: 0,
      medianMs: 0,
      withinSla: 1,
      withinSlaShare: 1,
    });
    expect(figures.followUpDistribution.find((bucket) => bucket.label === '< 5 min')?.count).toBe(1);
    expect(figures.handoff).toMatchObject({ passedToSales: 1, accepted: 1 });
  });

  it('counts a rep who rejects it with a reason the same way', () => {
    const figures = figuresOf(
      answered({ salesforceEdit: { stage: 'rejected', rejectionReason: 'No budget' } }),
    );
    expect(figures.followUp).toMatchObject({
      measured: 1,
      alreadyWorkedWhenSeen: 0,
      averageMs: 0,
      withinSla: 1,
    });
    expect(figures.handoff).toMatchObject({ rejected: 1 });
  });

  it('stops the follow-up and feedback timers: no breach, nothing overdue hours later', () => {
    const story = answered({ salesforceEdit: { stage: 'sql' } });
    story.pass('2026-01-05T15:00:00Z');
    expect(story.entries.filter((entry) => entry.type === 'breach')).toEqual([]);
    const figures = figuresOf(story);
    expect(figures.sla).toEqual({
      followUpBreaches: 0,
      feedbackBreaches: 0,
      leadsBreached: 0,
      overdueNow: 0,
    });
  });

  it('still tells a lead already worked when it crossed the handoff apart from a measured one', () => {
    // Marketing moves an unqualified lead straight to sql with the points: handed off already worked.
    const worked = new Story({ ...person, email: 'h@acme.com', stage: 'lead' });
    worked.pass('2026-01-05T09:00:00.400Z');
    worked.pass('2026-01-05T09:30:00.700Z', { hubspotEdit: { stage: 'sql', points: 'x' } });
    expect(
      worked.entries.find((entry) => entry.type === 'transition' && entry.rule === 'handoff'),
    ).toMatchObject({ to: 'sql' });
    const figures = buildLedgerReport({
      tenants: [{ tenant: 'acme', leads: [{ leadKey: 'lead-h', entries: worked.entries }] }],
      lifecycle: config.lifecycle,
      sla: config.sla,
      now: new Date('2026-01-05T16:00:00Z'),
    }).tenants[0]!;
    expect(figures.followUp).toMatchObject({ measured: 0, alreadyWorkedWhenSeen: 1 });
  });

  it('a lead seeded from an earlier install: .000/.000 is a 0 s follow-up, the timeline flag says already worked', () => {
    const seeded = (timeline: LeadTimeline): LedgerLead => ({
      leadKey: 'lead-s',
      entries: [
        seedEntry({
          stored: { base: { stage: 'sql' }, timeline },
          hubspot: { stage: 'sql', sourceTime: '2026-01-05T09:00:00.000Z' },
          salesforce: null,
          context: { ...config, at: '2026-01-05T10:00:00.000Z' },
        }),
      ],
    });
    const report = (timeline: LeadTimeline) =>
      buildLedgerReport({
        tenants: [{ tenant: 'acme', leads: [seeded(timeline)] }],
        lifecycle: config.lifecycle,
        sla: config.sla,
        now: new Date('2026-01-05T16:00:00Z'),
      }).tenants[0]!.followUp;
    const sameSecond = { handoffAt: '2026-01-05T09:00:00.000Z', firstFollowUpAt: '2026-01-05T09:00:00.000Z' };
    expect(report(sameSecond)).toMatchObject({ measured: 1, alreadyWorkedWhenSeen: 0, averageMs: 0 });
    expect(report({ ...sameSecond, workedAtHandoff: true })).toMatchObject({
      measured: 0,
      alreadyWorkedWhenSeen: 1,
    });
  });

  it('the handoff that finds the lead already worked is flagged in the stored timeline; one answered in its second is not', () => {
    const worked = new Story({ ...person, email: 'w@acme.com', stage: 'lead' });
    worked.pass('2026-01-05T09:00:00Z');
    const crossed = worked.pass('2026-01-05T09:30:00Z', { hubspotEdit: { stage: 'sql', points: 'x' } });
    expect(crossed.timeline).toMatchObject({
      handoffAt: '2026-01-05T09:30:00.000Z',
      firstFollowUpAt: '2026-01-05T09:30:00.000Z',
      workedAtHandoff: true,
    });
    const answered = new Story({ ...person, email: 'x@acme.com', stage: 'lead', points: 'x' });
    const handedOff = answered.pass('2026-01-05T09:00:00Z');
    expect(handedOff.timeline.handoffAt).toBe('2026-01-05T09:00:00.000Z');
    const worksIt = answered.pass('2026-01-05T09:00:00Z', { salesforceEdit: { stage: 'sql' } });
    expect(worksIt.timeline.firstFollowUpAt).toBe('2026-01-05T09:00:00.000Z');
    expect(worksIt.timeline.workedAtHandoff).toBeUndefined();
  });
});
