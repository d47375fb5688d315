import { durationMs } from './duration.ts';
import type { EscalationConfig } from './escalation-schema.ts';

export type EscalationStep = 'reminder' | 'breach' | 'reassign';

/** What the ladder reads: the lead's handoffs, follow-ups and the rungs already taken, in any order. */
export type EscalationEvent =
  | { type: 'handed_off'; at: string; dueAt: string; ownerId: string | null; episode: string }
  | { type: 'followed_up'; at: string; episode: string }
  | { type: 'escalated'; step: EscalationStep; at: string; episode: string };

export interface EscalationRung {
  step: EscalationStep;
  /** When the rung fires. */
  at: Date;
  episode: string;
  ownerId: string | null;
}

export interface EscalationView {
  /** Rungs due now and not yet taken, in ladder order. */
  due: EscalationRung[];
  /** The next rung still ahead, to schedule a timer for; null when the ladder is done or moot. */
  next: EscalationRung | null;
}

/** The rungs of one episode's ladder, in order, with their fire times. */
export function ladder(
  handoff: { dueAt: string; ownerId: string | null; episode: string },
  config: EscalationConfig,
): EscalationRung[] {
  const due = Date.parse(handoff.dueAt);
  const rung = (step: EscalationStep, at: number): EscalationRung => ({
    step,
    at: new Date(at),
    episode: handoff.episode,
    ownerId: handoff.ownerId,
  });
  const rungs: EscalationRung[] = [];
  if (config.remindBefore) rungs.push(rung('reminder', due - durationMs(config.remindBefore)));
  rungs.push(rung('breach', due));
  if (config.reassignAfter) rungs.push(rung('reassign', due + durationMs(config.reassignAfter)));
  return rungs;
}

/**
 * The ladder of the current episode as a pure function of the lead's events and the clock: nothing once
 * the owner followed up (the lead moved on) or a later handoff opened a new episode; each rung once.
 */
export function escalationView(
  events: readonly EscalationEvent[],
  config: EscalationConfig,
  now: Date,
): EscalationView {
  const handoffs = events.filter((event) => event.type === 'handed_off');
  const current = handoffs.reduce<(typeof handoffs)[number] | undefined>(
    (latest, event) =>
      latest === undefined || Date.parse(event.at) >= Date.parse(latest.at) ? event : latest,
    undefined,
  );
  if (!current) return { due: [], next: null };
  const inEpisode = events.filter((event) => event.episode === current.episode);
  if (inEpisode.some((event) => event.type === 'followed_up')) return { due: [], next: null };
  const taken = new Set(inEpisode.flatMap((event) => (event.type === 'escalated' ? [event.step] : [])));
  const open = ladder(current, config).filter((rung) => !taken.has(rung.step));
  return {
    due: open.filter((rung) => rung.at.getTime() <= now.getTime()),
    next: open.find((rung) => rung.at.getTime() > now.getTime()) ?? null,
  };
}
