import { describe, expect, it } from 'vitest';
import { EscalationConfig } from '../../../src/domain/escalation-schema.ts';
import { escalationView, type EscalationEvent } from '../../../src/domain/escalation.ts';

const config = EscalationConfig.parse({ remindBefore: '15m', reassignAfter: '30m' });
const handoff: EscalationEvent = {
  type: 'handed_off',
  at: '2026-03-02T09:00:00.000Z',
  dueAt: '2026-03-02T10:00:00.000Z',
  ownerId: '005000000000001',
  episode: 'h1',
};

/** A controlled clock: the ladder is asked at chosen instants, and takes each due rung as the job would. */
function walk(events: EscalationEvent[], instants: string[]) {
  const fired: Array<{ at: string; step: string }> = [];
  for (const at of instants) {
    const view = escalationView(events, config, new Date(at));
    for (const rung of view.due) {
      fired.push({ at, step: rung.step });
      events.push({ type: 'escalated', step: rung.step, at, episode: rung.episode });
    }
  }
  return fired;
}

describe('escalation ladder', () => {
  it('reminds before the due time, notifies the breach at it, reassigns after the further delay', () => {
    const events = [handoff];
    expect(escalationView(events, config, new Date('2026-03-02T09:10:00.000Z'))).toMatchObject({
      due: [],
      next: { step: 'reminder', at: new Date('2026-03-02T09:45:00.000Z') },
    });
    const fired = walk(events, [
      '2026-03-02T09:44:59.000Z',
      '2026-03-02T09:45:00.000Z',
      '2026-03-02T09:50:00.000Z',
      '2026-03-02T10:00:00.000Z',
      '2026-03-02T10:29:00.000Z',
      '2026-03-02T10:30:00.000Z',
      '2026-03-02T11:00:00.000Z',
    ]);
    expect(fired).toEqual([
      { at: '2026-03-02T09:45:00.000Z', step: 'reminder' },
      { at: '2026-03-02T10:00:00.000Z', step: 'breach' },
      { at: '2026-03-02T10:30:00.000Z', step: 'reassign' },
    ]);
    expect(escalationView(events, config, new Date('2026-03-02T12:00:00.000Z')).next).toBeNull();
  });

  it('a late timer takes every rung that is due, once each and in order', () => {
    const fired = walk([handoff], ['2026-03-02T11:00:00.000Z', '2026-03-02T11:00:01.000Z']);
    expect(fired.map((f) => f.step)).toEqual(['reminder', 'breach', 'reassign']);
  });

  it('does nothing once the owner followed up', () => {
    const events: EscalationEvent[] = [
      handoff,
      { type: 'followed_up', at: '2026-03-02T09:30:00.000Z', episode: 'h1' },
    ];
    expect(walk(events, ['2026-03-02T09:50:00.000Z', '2026-03-02T11:00:00.000Z'])).toEqual([]);
  });

  it('a new handoff opens a new ladder; the old episode’s follow-up does not silence it', () => {
    const events: EscalationEvent[] = [
      handoff,
      { type: 'followed_up', at: '2026-03-02T09:30:00.000Z', episode: 'h1' },
      { ...handoff, at: '2026-03-03T09:00:00.000Z', dueAt: '2026-03-03T10:00:00.000Z', episode: 'h2' },
    ];
    const fired = walk(events, ['2026-03-03T10:00:00.000Z']);
    expect(fired.map((f) => f.step)).toEqual(['reminder', 'breach']);
  });

  it('without reminder and reassignment, the ladder is the breach alone', () => {
    const view = escalationView([handoff], EscalationConfig.parse({}), new Date('2026-03-02T10:00:00.000Z'));
    expect(view.due.map((rung) => rung.step)).toEqual(['breach']);
    expect(view.next).toBeNull();
  });
});
