import { describe, expect, it } from 'vitest';
import {
  DEFAULT_LIFECYCLE_ORDER as order,
  decideStage,
  hasReachedStage,
  isKnownStage,
  nurtureStage,
  stageRank,
} from '../../../src/domain/lifecycle.ts';

const move = { actor: 'rep-007', reason: 'no budget this year' };

describe('stage order', () => {
  it('ranks stages by the configured order and side states around the handoff stage', () => {
    expect(stageRank('subscriber', order)).toBe(0);
    expect(stageRank('customer', order)).toBe(5);
    expect(stageRank('recycled', order)).toBe(stageRank('lead', order));
    expect(stageRank('rejected', order)).toBe(stageRank('mql', order));
    expect(stageRank('disqualified', order)).toBe(-1);
    expect(stageRank('evangelist', order)).toBeNull();
    expect(nurtureStage(order)).toBe('lead');
  });

  it('follows a custom order and handoff stage', () => {
    const custom = { stages: ['new', 'nurture', 'engaged', 'qualified', 'won'], handoffStage: 'qualified' };
    expect(stageRank('recycled', custom)).toBe(2);
    expect(nurtureStage(custom)).toBe('engaged');
    expect(isKnownStage('lead', custom)).toBe(false);
    expect(isKnownStage('rejected', custom)).toBe(true);
  });

  it('tells whether a lead has reached a stage', () => {
    expect(hasReachedStage('sql', 'sql', order)).toBe(true);
    expect(hasReachedStage('customer', 'sql', order)).toBe(true);
    expect(hasReachedStage('mql', 'sql', order)).toBe(false);
    expect(hasReachedStage('rejected', 'mql', order)).toBe(true);
    expect(hasReachedStage('disqualified', 'subscriber', order)).toBe(false);
    expect(hasReachedStage(null, 'subscriber', order)).toBe(false);
  });
});

describe('deciding the next stage', () => {
  it('takes the first known stage as it is, side states included', () => {
    expect(decideStage(null, 'sql', order)).toMatchObject({ stage: 'sql', rule: 'initial', changed: true });
    expect(decideStage(undefined, 'rejected', order)).toMatchObject({ stage: 'rejected', rule: 'initial' });
    expect(decideStage('bogus', 'mql', order)).toMatchObject({ from: null, stage: 'mql', rule: 'initial' });
  });

  it('moves forward on its own', () => {
    const decided = decideStage('lead', 'mql', order);
    expect(decided).toMatchObject({ from: 'lead', stage: 'mql', changed: true, rule: 'forward' });
    expect(decided.move).toBeUndefined();
    expect(decideStage('mql', 'customer', order).rule).toBe('forward');
  });

  it('keeps the stage when nothing changes', () => {
    expect(decideStage('sql', 'sql', order)).toMatchObject({
      stage: 'sql',
      changed: false,
      rule: 'unchanged',
    });
  });

  it('never moves backwards, not even with a move', () => {
    expect(decideStage('sql', 'mql', order)).toMatchObject({
      stage: 'sql',
      changed: false,
      rule: 'backward_refused',
    });
    expect(decideStage('customer', 'lead', order, move)).toMatchObject({
      stage: 'customer',
      rule: 'backward_refused',
    });
  });

  it('ignores names that are not stages', () => {
    expect(decideStage('mql', 'evangelist', order)).toMatchObject({ stage: 'mql', rule: 'unknown_stage' });
  });

  it('rejects from any stage only with an explicit move, recorded with actor and reason', () => {
    expect(decideStage('sql', 'rejected', order)).toMatchObject({
      stage: 'sql',
      rule: 'explicit_move_required',
    });
    const decided = decideStage('sql', 'rejected', order, move);
    expect(decided).toMatchObject({ stage: 'rejected', rule: 'explicit_reject', move });
    expect(decided.explanation).toContain('rep-007');
    expect(decided.explanation).toContain('no budget this year');
    expect(decideStage('customer', 'rejected', order, move).stage).toBe('rejected');
    expect(decideStage('recycled', 'rejected', order, move).stage).toBe('rejected');
  });

  it('disqualifies from any stage only with an explicit move', () => {
    expect(decideStage('lead', 'disqualified', order).rule).toBe('explicit_move_required');
    expect(decideStage('lead', 'disqualified', order, move)).toMatchObject({
      stage: 'disqualified',
      rule: 'explicit_disqualify',
    });
    expect(decideStage('rejected', 'disqualified', order, move).stage).toBe('disqualified');
  });

  it('recycles only a rejected lead or a lost deal, and only explicitly', () => {
    expect(decideStage('rejected', 'recycled', order).rule).toBe('explicit_move_required');
    expect(decideStage('rejected', 'recycled', order, move)).toMatchObject({
      stage: 'recycled',
      rule: 'explicit_recycle',
    });
    expect(decideStage('opportunity', 'recycled', order).rule).toBe('explicit_move_required');
    expect(decideStage('opportunity', 'recycled', order, move)).toMatchObject({
      stage: 'recycled',
      rule: 'explicit_recycle',
    });
    expect(decideStage('lead', 'recycled', order, move)).toMatchObject({
      stage: 'lead',
      rule: 'move_not_allowed',
    });
    expect(decideStage('mql', 'recycled', order, move).rule).toBe('move_not_allowed');
    expect(decideStage('customer', 'recycled', order, move).rule).toBe('move_not_allowed');
  });

  it('keeps a rejected or disqualified lead out of the stage order', () => {
    expect(decideStage('rejected', 'sql', order, move)).toMatchObject({
      stage: 'rejected',
      rule: 'move_not_allowed',
    });
    expect(decideStage('disqualified', 'lead', order, move)).toMatchObject({
      stage: 'disqualified',
      rule: 'move_not_allowed',
    });
    expect(decideStage('disqualified', 'recycled', order, move).stage).toBe('disqualified');
  });

  it('returns a recycled lead to nurture only explicitly, and lets it qualify again on its own', () => {
    expect(decideStage('recycled', 'lead', order).rule).toBe('explicit_move_required');
    expect(decideStage('recycled', 'lead', order, move)).toMatchObject({
      stage: 'lead',
      rule: 'explicit_return_to_nurture',
      move,
    });
    expect(decideStage('recycled', 'mql', order)).toMatchObject({ stage: 'mql', rule: 'forward' });
    expect(decideStage('recycled', 'subscriber', order, move).rule).toBe('backward_refused');
  });
});
