import type { BreachEntry, LedgerEntry, ReminderEntry } from './ledger-entry.ts';
import type { LedgerState } from './ledger-fold.ts';
import { handoffTimers } from './lifecycle-machine.ts';

export type TimerName = 'follow_up' | 'reminder' | 'feedback' | 'recycle';

/** A deadline the lead's state holds open: what to wake up for, and when. */
export interface OpenTimer {
  name: TimerName;
  episode: number;
  /** ISO-8601. */
  dueAt: string;
}

const ms = (value: string) => Date.parse(value);

/**
 * The deadlines still open in a state: follow-up (and its reminder) until a rep acts, feedback until sales
 * accepts or gives a reason, recycle while the lead stays rejected. Met, breached or moved-on ones are gone.
 */
export function openTimers(state: LedgerState): OpenTimer[] {
  const timers: OpenTimer[] = [];
  const { clock, rejection } = state;
  if (clock) {
    if (clock.followUpDueAt && !clock.followUpAt && !clock.breaches.follow_up) {
      timers.push({ name: 'follow_up', episode: clock.episode, dueAt: clock.followUpDueAt });
      if (clock.reminderAt && !clock.reminded) {
        timers.push({ name: 'reminder', episode: clock.episode, dueAt: clock.reminderAt });
      }
    }
    if (clock.feedbackDueAt && !clock.feedbackAt && !clock.breaches.feedback) {
      timers.push({ name: 'feedback', episode: clock.episode, dueAt: clock.feedbackDueAt });
    }
  }
  if (state.stage === 'rejected' && rejection?.recycleDueAt && rejection.stage === 'rejected') {
    timers.push({ name: 'recycle', episode: rejection.episode, dueAt: rejection.recycleDueAt });
  }
  return timers.sort((a, b) => ms(a.dueAt) - ms(b.dueAt));
}

/**
 * Timer entries due by `untilMs` (breaches and the reminder; the recycle is a proposed transition, see
 * `dueRecycle`), each at its own due time. Calling it again after folding them yields nothing: a timer fires once.
 */
export function dueTimerEntries(
  state: LedgerState,
  untilMs: number,
  at: string,
): Array<BreachEntry | ReminderEntry> {
  const entries: Array<BreachEntry | ReminderEntry> = [];
  for (const timer of openTimers(state)) {
    if (ms(timer.dueAt) > untilMs || timer.name === 'recycle') continue;
    const common = {
      at,
      sourceTime: timer.dueAt,
      episode: timer.episode,
      cause: 'timer' as const,
      actor: 'leadbridge',
      dueAt: timer.dueAt,
    };
    if (timer.name === 'reminder') entries.push({ type: 'reminder', ...common });
    else entries.push({ type: 'breach', ...common, timer: timer.name });
  }
  return entries;
}

/** The recycle due by `untilMs`, if the lead is still rejected then. */
export function dueRecycle(state: LedgerState, untilMs: number): OpenTimer | null {
  return openTimers(state).find((timer) => timer.name === 'recycle' && ms(timer.dueAt) <= untilMs) ?? null;
}

/** True when an entry opens a timer (a handoff, a rejection): the engine schedules the state's open timers then. */
export function opensTimers(entry: LedgerEntry): boolean {
  return entry.type === 'transition' && entry.timers !== undefined && Object.keys(entry.timers).length > 0;
}

export { handoffTimers };
