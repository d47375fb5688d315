import { describe, expect, it } from 'vitest';
import { DEFAULT_LIFECYCLE_ORDER as lifecycle } from '../../../src/domain/lifecycle.ts';
import { reconcileStage, stageFields } from '../../../src/domain/stage-reconcile.ts';

const now = new Date('2025-03-01T09:00:00.000Z');

describe('reconciling the two sides stages', () => {
  it('takes the further-along stage', () => {
    const result = reconcileStage({
      current: 'mql',
      hubspot: { stage: 'mql' },
      salesforce: { stage: 'sql' },
      lifecycle,
    });
    expect(result).toMatchObject({ from: 'mql', stage: 'sql', changed: true });
    expect(result.decisions).toEqual([expect.objectContaining({ system: 'salesforce', rule: 'forward' })]);
    expect(result.move).toBeUndefined();
  });

  it('picks the furthest of two forward proposals', () => {
    const result = reconcileStage({
      current: 'lead',
      hubspot: { stage: 'opportunity' },
      salesforce: { stage: 'sql' },
      lifecycle,
    });
    expect(result.stage).toBe('opportunity');
  });

  it('lets a side that still shows an older stage change nothing', () => {
    const result = reconcileStage({
      current: 'sql',
      hubspot: { stage: 'mql' },
      salesforce: { stage: 'sql' },
      lifecycle,
    });
    expect(result).toMatchObject({ stage: 'sql', changed: false });
    expect(result.decisions).toEqual([
      expect.objectContaining({ system: 'hubspot', rule: 'backward_refused' }),
    ]);
  });

  it("turns Salesforce's Closed - Not Converted into an explicit rejection with its reason", () => {
    const result = reconcileStage({
      current: 'sql',
      hubspot: { stage: 'sql' },
      salesforce: { stage: 'rejected', rejectionReason: ' Wrong persona ', actor: '005xx0000012345' },
      lifecycle,
    });
    expect(result).toMatchObject({
      stage: 'rejected',
      changed: true,
      move: { actor: '005xx0000012345', reason: 'Wrong persona', system: 'salesforce' },
    });
    expect(result.decisions[0]?.rule).toBe('explicit_reject');
  });

  it('records a rejection without a reason as such, and lets it beat a forward move', () => {
    const result = reconcileStage({
      current: 'mql',
      hubspot: { stage: 'sql' },
      salesforce: { stage: 'rejected', rejectionReason: '  ' },
      lifecycle,
    });
    expect(result.stage).toBe('rejected');
    expect(result.move).toEqual({
      actor: 'salesforce',
      reason: 'no reason given in salesforce',
      system: 'salesforce',
    });
    expect(result.decisions.map((d) => d.rule)).toEqual(['explicit_reject', 'move_not_allowed']);
  });

  it('applies a disqualification before a rejection', () => {
    const result = reconcileStage({
      current: 'mql',
      hubspot: { stage: 'disqualified', rejectionReason: 'student' },
      salesforce: { stage: 'rejected', rejectionReason: 'no budget' },
      lifecycle,
    });
    expect(result).toMatchObject({ stage: 'disqualified', move: { reason: 'student', system: 'hubspot' } });
    expect(result.decisions.map((d) => [d.system, d.rule])).toEqual([['hubspot', 'explicit_disqualify']]);
  });

  it('applies forward proposals after the explicit move', () => {
    const result = reconcileStage({
      current: 'rejected',
      hubspot: { stage: 'recycled' },
      salesforce: { stage: 'sql' },
      lifecycle,
    });
    // Recycled, and then the rep's reopening counts as a forward move from nurture.
    expect(result.decisions.map((d) => [d.system, d.rule])).toEqual([
      ['hubspot', 'explicit_recycle'],
      ['salesforce', 'forward'],
    ]);
    expect(result).toMatchObject({ stage: 'sql', move: { system: 'hubspot' } });
  });

  it('recycles a rejected lead when one side shows it recycled and the other still rejected', () => {
    const result = reconcileStage({
      current: 'rejected',
      hubspot: { stage: 'recycled' },
      salesforce: { stage: 'rejected' },
      lifecycle,
    });
    expect(result).toMatchObject({
      stage: 'recycled',
      move: { actor: 'hubspot', reason: 'recycled in hubspot' },
    });
  });

  it('treats a recycled lead shown back at lead as an explicit return to nurture', () => {
    const result = reconcileStage({ current: 'recycled', hubspot: { stage: 'lead' }, lifecycle });
    expect(result).toMatchObject({
      stage: 'lead',
      move: { actor: 'hubspot', reason: 'returned to lead in hubspot' },
    });
  });

  it('takes the first stage seen when there is none yet, and ignores unknown stages', () => {
    expect(
      reconcileStage({ current: null, hubspot: { stage: 'lead' }, salesforce: { stage: null }, lifecycle })
        .stage,
    ).toBe('lead');
    expect(reconcileStage({ current: 'mql', hubspot: { stage: 'bogus' }, lifecycle })).toMatchObject({
      stage: 'mql',
      decisions: [],
    });
  });
});

describe('the fields a stage outcome sets', () => {
  it('sets reason and rejectedAt on a rejection', () => {
    const fields = stageFields(
      { stage: 'rejected', changed: true, move: { actor: 'rep', reason: 'no budget' } },
      { stage: 'sql' },
      now,
    );
    expect(fields).toEqual({
      stage: 'rejected',
      rejectionReason: 'no budget',
      rejectedAt: '2025-03-01T09:00:00.000Z',
    });
  });

  it('sets the reason but not rejectedAt on a disqualification', () => {
    const fields = stageFields(
      { stage: 'disqualified', changed: true, move: { actor: 'rep', reason: 'student' } },
      { stage: 'mql' },
      now,
    );
    expect(fields).toEqual({ stage: 'disqualified', rejectionReason: 'student', rejectedAt: null });
  });

  it('starts the recycle clock for a lead first seen already rejected, with the reason it carries', () => {
    const outcome = reconcileStage({
      current: null,
      hubspot: { stage: 'lead' },
      salesforce: { stage: 'rejected', rejectionReason: 'Duplicate' },
      lifecycle,
    });
    expect(outcome).toMatchObject({ stage: 'rejected', changed: true });
    expect(stageFields(outcome, {}, now, { salesforce: { rejectionReason: 'Duplicate' } })).toEqual({
      stage: 'rejected',
      rejectionReason: 'Duplicate',
      rejectedAt: '2025-03-01T09:00:00.000Z',
    });
  });

  it('keeps the stronger verdict when a lead is first seen disqualified on one side, rejected on the other', () => {
    const outcome = reconcileStage({
      current: null,
      hubspot: { stage: 'disqualified' },
      salesforce: { stage: 'rejected' },
      lifecycle,
    });
    expect(outcome.stage).toBe('disqualified');
  });

  it('keeps the reason through a recycle', () => {
    const previous = {
      stage: 'rejected',
      rejectionReason: 'no budget',
      rejectedAt: '2024-12-01T00:00:00.000Z',
    };
    const fields = stageFields({ stage: 'recycled', changed: true }, previous, now);
    expect(fields).toEqual({ ...previous, stage: 'recycled' });
  });

  it('takes a reason edited in Salesforce while the lead stays rejected', () => {
    const previous = {
      stage: 'rejected',
      rejectionReason: 'no reason given in salesforce',
      rejectedAt: '2025-02-01T00:00:00.000Z',
    };
    const fields = stageFields({ stage: 'rejected', changed: false }, previous, now, {
      hubspot: { rejectionReason: 'no reason given in salesforce' },
      salesforce: { rejectionReason: 'Competitor chosen' },
    });
    expect(fields).toEqual({ ...previous, rejectionReason: 'Competitor chosen' });
  });
});
