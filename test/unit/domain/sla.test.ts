import { describe, expect, it } from 'vitest';
import { SlaConfig } from '../../../src/domain/sla-schema.ts';
import {
  evaluateSla,
  followUpDueAt,
  followUpElapsedMs,
  isRecycleDue,
  recycleAt,
  rejectionFeedbackDueAt,
} from '../../../src/domain/sla.ts';

const sla = SlaConfig.parse({});
const handoffAt = '2025-03-03T09:00:00.000Z';

describe('SLA deadlines', () => {
  it('computes due instants from the configured durations', () => {
    expect(followUpDueAt(handoffAt, sla)).toBe('2025-03-03T10:00:00.000Z');
    expect(rejectionFeedbackDueAt(handoffAt, sla)).toBe('2025-03-05T09:00:00.000Z');
    expect(recycleAt('2025-01-01T00:00:00Z', sla)).toBe('2025-04-01T00:00:00.000Z');
    expect(followUpDueAt(new Date(handoffAt), { followUpWithin: '30m' })).toBe('2025-03-03T09:30:00.000Z');
    expect(followUpDueAt(Date.parse(handoffAt), { followUpWithin: '90s' })).toBe('2025-03-03T09:01:30.000Z');
    expect(followUpDueAt('2025-03-03T10:00:00.000+0100', sla)).toBe('2025-03-03T10:00:00.000Z');
  });

  it('refuses a time that is not an instant', () => {
    expect(() => followUpDueAt('soon', sla)).toThrow(RangeError);
  });

  it('tells when a rejected lead is due for recycling', () => {
    expect(isRecycleDue('2025-01-01T00:00:00Z', new Date('2025-03-31T23:59:59Z'), sla)).toBe(false);
    expect(isRecycleDue('2025-01-01T00:00:00Z', new Date('2025-04-01T00:00:00Z'), sla)).toBe(true);
  });
});

describe('SLA breach evaluation', () => {
  it('is pending before the deadline with no follow-up', () => {
    const result = evaluateSla({ handoffAt, now: new Date('2025-03-03T09:59:59Z') }, sla);
    expect(result.followUp).toEqual({ dueAt: '2025-03-03T10:00:00.000Z', state: 'pending', breached: false });
    expect(result.breached).toBe(false);
  });

  it('is not breached at the due instant itself, and breached just after', () => {
    expect(evaluateSla({ handoffAt, now: new Date('2025-03-03T10:00:00Z') }, sla).breached).toBe(false);
    const late = evaluateSla({ handoffAt, now: new Date('2025-03-03T10:00:01Z') }, sla);
    expect(late.followUp).toMatchObject({ state: 'breached', breached: true, lateByMs: 1000 });
    expect(late.breached).toBe(true);
  });

  it('is met by a follow-up in time, whenever it is asked', () => {
    const result = evaluateSla(
      { handoffAt, firstFollowUpAt: '2025-03-03T09:20:00Z', now: new Date('2025-03-10T00:00:00Z') },
      sla,
    );
    expect(result.followUp).toEqual({
      dueAt: '2025-03-03T10:00:00.000Z',
      state: 'met',
      breached: false,
      doneAt: '2025-03-03T09:20:00.000Z',
      elapsedMs: 20 * 60_000,
    });
  });

  it('is breached by a late follow-up, and says by how much', () => {
    const result = evaluateSla(
      { handoffAt, firstFollowUpAt: '2025-03-03T11:30:00Z', now: new Date('2025-03-03T11:30:00Z') },
      sla,
    );
    expect(result.followUp).toMatchObject({
      state: 'breached',
      lateByMs: 90 * 60_000,
      elapsedMs: 150 * 60_000,
    });
  });

  it('tracks the feedback deadline separately', () => {
    const now = new Date('2025-03-06T00:00:00Z');
    const open = evaluateSla({ handoffAt, firstFollowUpAt: '2025-03-03T09:10:00Z', now }, sla);
    expect(open.followUp.breached).toBe(false);
    expect(open.feedback).toMatchObject({ dueAt: '2025-03-05T09:00:00.000Z', state: 'breached' });
    expect(open.breached).toBe(true);
    const answered = evaluateSla(
      { handoffAt, firstFollowUpAt: '2025-03-03T09:10:00Z', feedbackAt: '2025-03-04T17:00:00Z', now },
      sla,
    );
    expect(answered.feedback.state).toBe('met');
    expect(answered.breached).toBe(false);
  });
});

describe('follow-up time at the coarser precision of the two stamps', () => {
  const handoffMs = Date.parse('2025-03-03T09:00:00.600Z');
  const at = (iso: string) => Date.parse(iso);

  it('reads an answer stamped in the handoff own second as 0 ms, not as earlier', () => {
    expect(followUpElapsedMs(handoffMs, at('2025-03-03T09:00:00Z'))).toBe(0);
    expect(followUpElapsedMs(handoffMs, at('2025-03-03T09:00:00.600Z'))).toBe(0);
    expect(followUpElapsedMs(handoffMs, at('2025-03-03T09:00:01Z'))).toBe(400);
  });

  it('still reads an answer stamped before the handoff second as earlier', () => {
    expect(followUpElapsedMs(handoffMs, at('2025-03-03T08:59:59Z'))).toBe(-1600);
  });

  it('meets the follow-up deadline with an answer in the handoff second', () => {
    const result = evaluateSla(
      {
        handoffAt: '2025-03-03T09:00:00.600Z',
        firstFollowUpAt: '2025-03-03T09:00:00Z',
        now: new Date('2025-03-03T12:00:00Z'),
      },
      sla,
    );
    expect(result.followUp).toMatchObject({ state: 'met', breached: false, elapsedMs: 0 });
  });
});
