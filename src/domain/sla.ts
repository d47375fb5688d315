import { durationMs } from './duration.ts';
import type { SlaConfig } from './sla-schema.ts';
import { parseInstant } from './values.ts';

/** An instant as a Date, an ISO-8601 string or epoch milliseconds. */
export type Instant = Date | string | number;

function ms(value: Instant, what: string): number {
  const parsed = parseInstant(value);
  if (parsed === null) throw new RangeError(`${what} is not an instant: ${JSON.stringify(value)}`);
  return parsed;
}

const iso = (epochMs: number) => new Date(epochMs).toISOString();

/**
 * Milliseconds from a handoff to its first follow-up, compared at the coarser precision of the two:
 * Salesforce keeps date-times to the whole second while the handoff carries milliseconds, so a rep's
 * answer in the handoff's own second reads up to 999 ms earlier than the handoff. That answer is a 0 ms
 * follow-up. Negative only for a follow-up stamped before the handoff's second.
 */
export function followUpElapsedMs(handoffAtMs: number, followUpAtMs: number): number {
  const handoffSecondMs = Math.floor(handoffAtMs / 1000) * 1000;
  const elapsed = followUpAtMs - handoffAtMs;
  return followUpAtMs >= handoffSecondMs ? Math.max(0, elapsed) : elapsed;
}

/**
 * How one handoff's first follow-up counts in the report, the one rule of src/domain/report.ts and
 * src/domain/ledger-report.ts: its time in milliseconds (`followUpElapsedMs`), or null when there is no
 * time to measure: the lead was worked at the handoff (`workedAtHandoff`, decided where the episode
 * opens), or the follow-up is stamped before the handoff's second.
 */
export function measuredFollowUpMs(
  handoffAtMs: number,
  followUpAtMs: number,
  workedAtHandoff: boolean,
): number | null {
  if (workedAtHandoff) return null;
  const elapsed = followUpElapsedMs(handoffAtMs, followUpAtMs);
  return elapsed < 0 ? null : elapsed;
}

/** When a handed-off lead must have been worked by a rep: handoff + `followUpWithin`. ISO-8601. */
export function followUpDueAt(handoffAt: Instant, sla: Pick<SlaConfig, 'followUpWithin'>): string {
  return iso(ms(handoffAt, 'handoffAt') + durationMs(sla.followUpWithin));
}

/** When sales must have accepted or rejected (with a reason) a handed-off lead. ISO-8601. */
export function rejectionFeedbackDueAt(
  handoffAt: Instant,
  sla: Pick<SlaConfig, 'rejectionFeedbackWithin'>,
): string {
  return iso(ms(handoffAt, 'handoffAt') + durationMs(sla.rejectionFeedbackWithin));
}

/** When a rejected lead returns to nurture: rejectedAt + `recycleAfter`. ISO-8601. */
export function recycleAt(rejectedAt: Instant, sla: Pick<SlaConfig, 'recycleAfter'>): string {
  return iso(ms(rejectedAt, 'rejectedAt') + durationMs(sla.recycleAfter));
}

/** True once a rejected lead's recycle time has come. */
export function isRecycleDue(rejectedAt: Instant, now: Date, sla: Pick<SlaConfig, 'recycleAfter'>): boolean {
  return now.getTime() >= ms(recycleAt(rejectedAt, sla), 'recycleAt');
}

export interface DeadlineStatus {
  /** ISO-8601 instant the deadline falls due. */
  dueAt: string;
  /** `met` when done by the deadline, `breached` when done late or still not done after it. */
  state: 'pending' | 'met' | 'breached';
  breached: boolean;
  /** ISO-8601 instant it was done, if it was. */
  doneAt?: string;
  /** Milliseconds from handoff to done (for the average follow-up time in the report). */
  elapsedMs?: number;
  /** Milliseconds past the deadline, when breached (done late, or now minus due while still open). */
  lateByMs?: number;
}

export interface SlaEvaluation {
  followUp: DeadlineStatus;
  feedback: DeadlineStatus;
  /** Either deadline breached. */
  breached: boolean;
}

function deadline(
  startMs: number,
  dueMs: number,
  done: Instant | null | undefined,
  nowMs: number,
): DeadlineStatus {
  const dueAt = iso(dueMs);
  if (done !== null && done !== undefined) {
    const doneMs = ms(done, 'done time');
    const late = doneMs > dueMs;
    return {
      dueAt,
      state: late ? 'breached' : 'met',
      breached: late,
      doneAt: iso(doneMs),
      elapsedMs: followUpElapsedMs(startMs, doneMs),
      ...(late ? { lateByMs: doneMs - dueMs } : {}),
    };
  }
  const late = nowMs > dueMs;
  return {
    dueAt,
    state: late ? 'breached' : 'pending',
    breached: late,
    ...(late ? { lateByMs: nowMs - dueMs } : {}),
  };
}

/**
 * The SLA status of a handed-off lead at `now`: the follow-up deadline (met by the first follow-up) and
 * the feedback deadline (met by an accept or a rejection with a reason). A deadline is breached when it
 * was met late, or is still open after it fell due; exactly at the due instant it is not yet breached.
 */
export function evaluateSla(
  input: {
    handoffAt: Instant;
    firstFollowUpAt?: Instant | null;
    /** When sales accepted (worked) or rejected the lead. */
    feedbackAt?: Instant | null;
    now: Date;
  },
  sla: Pick<SlaConfig, 'followUpWithin' | 'rejectionFeedbackWithin'>,
): SlaEvaluation {
  const start = ms(input.handoffAt, 'handoffAt');
  const now = input.now.getTime();
  const followUp = deadline(start, start + durationMs(sla.followUpWithin), input.firstFollowUpAt, now);
  const feedback = deadline(start, start + durationMs(sla.rejectionFeedbackWithin), input.feedbackAt, now);
  return { followUp, feedback, breached: followUp.breached || feedback.breached };
}
