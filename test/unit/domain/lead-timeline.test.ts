import { describe, expect, it } from 'vitest';
import { advanceTimeline, slaFields } from '../../../src/domain/lead-timeline.ts';
import { DEFAULT_LIFECYCLE_ORDER as lifecycle } from '../../../src/domain/lifecycle.ts';
import { SlaConfig } from '../../../src/domain/sla-schema.ts';

const sla = SlaConfig.parse({});
const t0 = new Date('2025-03-03T09:00:00.000Z');
const t1 = new Date('2025-03-03T09:40:00.000Z');

describe('lead timeline', () => {
  it('starts the clocks when the lead first reaches the handoff stage', () => {
    expect(advanceTimeline({}, 'lead', 'mql', t0, lifecycle)).toEqual({ handoffAt: t0.toISOString() });
    expect(advanceTimeline({}, 'subscriber', 'lead', t0, lifecycle)).toEqual({});
  });

  it('stops them when sales works the lead or turns it down', () => {
    const handedOff = { handoffAt: t0.toISOString() };
    expect(advanceTimeline(handedOff, 'mql', 'sql', t1, lifecycle)).toEqual({
      ...handedOff,
      firstFollowUpAt: t1.toISOString(),
      feedbackAt: t1.toISOString(),
    });
    expect(advanceTimeline(handedOff, 'mql', 'rejected', t1, lifecycle).feedbackAt).toBe(t1.toISOString());
  });

  it('keeps the first instants, and does nothing when the stage did not move', () => {
    const worked = {
      handoffAt: t0.toISOString(),
      firstFollowUpAt: t0.toISOString(),
      feedbackAt: t0.toISOString(),
    };
    expect(advanceTimeline(worked, 'sql', 'opportunity', t1, lifecycle)).toEqual(worked);
    expect(advanceTimeline(worked, 'sql', 'sql', t1, lifecycle)).toBe(worked);
  });

  it('starts and stops at once for a lead first seen past the handoff', () => {
    expect(advanceTimeline({}, null, 'sql', t0, lifecycle)).toEqual({
      handoffAt: t0.toISOString(),
      firstFollowUpAt: t0.toISOString(),
      feedbackAt: t0.toISOString(),
    });
  });

  it('gives a recycled lead a fresh start', () => {
    expect(advanceTimeline({ handoffAt: t0.toISOString() }, 'rejected', 'recycled', t1, lifecycle)).toEqual(
      {},
    );
  });

  it('derives the SLA fields, blank before a handoff', () => {
    expect(slaFields({}, t1, sla)).toEqual({ slaDueAt: null, slaBreached: null, evaluation: null });
    const open = slaFields({ handoffAt: t0.toISOString() }, new Date('2025-03-03T10:00:01Z'), sla);
    expect(open).toMatchObject({ slaDueAt: '2025-03-03T10:00:00.000Z', slaBreached: true });
  });
});
