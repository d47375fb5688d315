import { describe, expect, it } from 'vitest';
import { reconcileLead } from '../../../src/domain/reconcile-lead.ts';
import { config, person, Story } from './lead-story.ts';

describe('the lifecycle over time', () => {
  it('keeps a contact that claims MQL but fails the gate with marketing, saying why in HubSpot', () => {
    const story = new Story({ ...person, company: null, stage: 'mql', points: 'x' });
    const result = story.pass('2026-01-05T10:00:00Z');
    expect(result.stage).toBe('lead');
    expect(result.ledger).toContainEqual(
      expect.objectContaining({ type: 'refusal', rule: 'gate', to: 'mql' }),
    );
    expect(result.create.salesforce).toBe(false);
    expect(result.computed.gateReason).toBe('missing: company');
    // Only LeadBridge's own stage field is written; HubSpot's lifecyclestage is not fought over.
    expect(result.ownStageOnly.hubspot).toBe(true);
    expect(result.hubspotClearFirst).toBe(false);
    const again = story.pass('2026-01-05T10:05:00Z');
    expect(again.ledger).toEqual([]);
    const fixed = story.pass('2026-01-05T10:10:00Z', { hubspotEdit: { company: 'Acme' } });
    expect(fixed.stage).toBe('mql');
    expect(fixed.computed.gateReason).toBeNull();
    expect(fixed.create.salesforce).toBe(true);
  });

  it('links records already worked or won as history, never created in Salesforce (unless opted in)', () => {
    const customer = new Story({ ...person, stage: 'customer' }).pass('2026-01-05T10:00:00Z');
    expect(customer.stage).toBe('customer');
    expect(customer.ledger[0]).toMatchObject({ cause: 'seed', rule: 'seeded_history', history: true });
    expect(customer.create.salesforce).toBe(false);
    expect(customer.computed.slaDueAt).toBeNull();
    const optIn = reconcileLead({
      base: null,
      hubspot: { ...person, stage: 'customer' },
      salesforce: null,
      config: { ...config, handoff: { ...config.handoff, createExistingInSalesforce: true } },
      now: new Date('2026-01-05T10:00:00Z'),
    });
    expect(optIn.create.salesforce).toBe(true);
  });

  it('keeps each rejection as its own episode: a second rejection is not undone and keeps its reason', () => {
    const story = new Story({ ...person, stage: 'lead', points: 'x' });
    expect(story.pass('2026-01-05T10:00:00Z').stage).toBe('mql');
    story.salesforce = { ...story.salesforce };
    const first = story.pass('2026-01-05T10:20:00Z', {
      salesforceEdit: { stage: 'rejected', rejectionReason: 'No budget' },
    });
    expect(first.ledger).toContainEqual(
      expect.objectContaining({
        type: 'transition',
        to: 'rejected',
        actor: '005REP',
        reason: 'No budget',
        episode: 2,
      }),
    );
    // A day later the recycle timer returns it to nurture; the reason is cleared from both records.
    const recycled = story.pass('2026-01-06T10:30:00Z');
    expect(recycled.stage).toBe('recycled');
    expect(recycled.ledger).toContainEqual(
      expect.objectContaining({ cause: 'timer', to: 'recycled', sourceTime: '2026-01-06T10:20:00.000Z' }),
    );
    // Still scoring: not sent straight back to sales.
    expect(recycled.ledger).not.toContainEqual(expect.objectContaining({ rule: 'handoff' }));
    // Re-qualifies: the score dips and rises again; a fresh SLA clock starts.
    story.pass('2026-01-07T09:00:00Z', { hubspotEdit: { points: null } });
    const again = story.pass('2026-01-07T12:00:00Z', { hubspotEdit: { points: 'y' } });
    expect(again.stage).toBe('mql');
    expect(again.computed.slaDueAt).toBe('2026-01-07T13:00:00.000Z');
    const second = story.pass('2026-01-07T12:30:00Z', {
      salesforceEdit: { stage: 'rejected', rejectionReason: 'Too small' },
    });
    expect(second.stage).toBe('rejected');
    expect(second.computed.rejectionReason).toBe('Too small');
    expect(second.ledger).toContainEqual(
      expect.objectContaining({ to: 'rejected', reason: 'Too small', episode: 4 }),
    );
    // The same pass, and the next, leave it rejected: the recycle clock runs from this rejection.
    expect(story.pass('2026-01-07T13:00:00Z').stage).toBe('rejected');
    expect(story.ledger?.rejection).toMatchObject({
      reason: 'Too small',
      recycleDueAt: '2026-01-08T12:30:00.000Z',
    });
  });

  it('writes no placeholder for a rejection without a reason: awaiting feedback until one arrives', () => {
    const story = new Story({ ...person, stage: 'lead', points: 'x' });
    story.pass('2026-01-05T10:00:00Z');
    const rejected = story.pass('2026-01-05T10:20:00Z', {
      salesforceEdit: { stage: 'rejected', rejectionReason: null },
    });
    expect(rejected.computed.rejectionReason).toBeNull();
    expect(JSON.stringify(rejected.merge.patches)).not.toMatch(/no reason/);
    expect(story.ledger?.rejection?.reason).toBeNull();
    expect(story.ledger?.clock?.feedbackAt).toBeUndefined();
    const feedback = story.pass('2026-01-05T11:00:00Z', {
      salesforceEdit: { rejectionReason: 'Wrong region' },
    });
    expect(feedback.ledger).toEqual([
      expect.objectContaining({
        type: 'feedback',
        reason: 'Wrong region',
        actor: '005REP',
        sourceTime: '2026-01-05T11:00:00.000Z',
      }),
    ]);
    expect(feedback.merge.patches.hubspot).toMatchObject({ rejectionReason: 'Wrong region' });
  });

  it('records a breach at the due time once, and never for an on-time follow-up', () => {
    const late = new Story({ ...person, stage: 'lead', points: 'x' });
    late.pass('2026-01-05T10:00:00Z');
    const breach = late.pass('2026-01-05T11:00:01Z');
    expect(breach.ledger).toEqual([
      expect.objectContaining({ type: 'breach', timer: 'follow_up', sourceTime: '2026-01-05T11:00:00.000Z' }),
    ]);
    expect(breach.merge.patches.hubspot).toEqual({ slaBreached: true });
    expect(breach.merge.patches.salesforce).toEqual({ slaBreached: true });
    expect(late.pass('2026-01-05T11:30:00Z').ledger).toEqual([]);

    const onTime = new Story({ ...person, stage: 'lead', points: 'x' });
    onTime.pass('2026-01-05T10:00:00Z');
    onTime.meta.salesforce = { modifiedAt: '2026-01-05T10:40:00Z', actor: '005REP' };
    onTime.salesforce = { ...onTime.salesforce, stage: 'sql' };
    // Seen only after the due time (polling latency): the rep's own timestamp counts.
    const worked = onTime.pass('2026-01-05T12:00:00Z');
    expect(worked.stage).toBe('sql');
    expect(worked.ledger.filter((entry) => entry.type === 'breach' && entry.timer === 'follow_up')).toEqual(
      [],
    );
    expect(onTime.ledger?.clock?.followUpAt).toBe('2026-01-05T10:40:00.000Z');
  });

  it("refuses a person's backward move and records it, and keeps LeadBridge's own stage field current", () => {
    const story = new Story({ ...person, stage: 'lead', points: 'x' });
    story.pass('2026-01-05T10:00:00Z');
    story.pass('2026-01-05T10:20:00Z', { salesforceEdit: { stage: 'sql' } });
    const back = story.pass('2026-01-05T10:30:00Z', { hubspotEdit: { stage: 'lead' } });
    expect(back.stage).toBe('sql');
    expect(back.ledger).toEqual([
      expect.objectContaining({
        type: 'refusal',
        rule: 'backward_refused',
        actor: '77',
        cause: 'marketing_stage',
      }),
    ]);
    const stale = reconcileLead({
      base: story.base,
      hubspot: story.hubspot,
      salesforce: story.salesforce,
      meta: { salesforce: { ownStage: 'mql' } },
      ledger: story.ledger,
      config,
      now: new Date('2026-01-05T10:40:00Z'),
    });
    expect(stale.merge.patches.salesforce).toEqual({ stage: 'sql' });
  });

  it('reaches disqualified through the default HubSpot mapping', () => {
    const story = new Story({ ...person, stage: 'lead' });
    story.pass('2026-01-05T10:00:00Z');
    const out = story.pass('2026-01-05T10:10:00Z', { hubspotEdit: { stage: 'disqualified' } });
    expect(out.stage).toBe('disqualified');
  });

  it('seeds a lead of an earlier install from its sync state, keeping its SLA clock, and says so', () => {
    const base = { ...person, stage: 'mql', score: 60, points: 'x' };
    const result = reconcileLead({
      base,
      hubspot: base,
      salesforce: base,
      timeline: { handoffAt: '2026-01-05T10:00:00.000Z' },
      config,
      now: new Date('2026-01-05T10:30:00Z'),
    });
    expect(result.ledger[0]).toMatchObject({
      type: 'transition',
      cause: 'seed',
      rule: 'migrated',
      to: 'mql',
      reason: expect.stringMatching(/earlier version/),
      clock: { handoffAt: '2026-01-05T10:00:00.000Z' },
    });
    expect(result.computed.slaDueAt).toBe('2026-01-05T11:00:00.000Z');
    // Nothing to write: seeding records what was, it changes no value.
    expect(result.merge.patches).toEqual({ hubspot: {}, salesforce: {} });
  });
});
