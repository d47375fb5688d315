import type { LeadTimeline } from './lead-timeline.ts';
import type { SlaConfig } from './sla-schema.ts';
import { evaluateSla } from './sla.ts';

/** A handed-off lead nobody has followed up yet, past its follow-up deadline. */
export interface OverdueLead {
  leadKey: string;
  handoffAt: string;
  /** ISO-8601 instant the follow-up was due. */
  dueAt: string;
  /** Minutes past due at `now`. */
  overdueMinutes: number;
}

/** Pure: whether the lead's follow-up is overdue at `now` (handed off, not followed up, past due). */
export function overdueLead(
  leadKey: string,
  timeline: LeadTimeline,
  now: Date,
  sla: Pick<SlaConfig, 'followUpWithin' | 'rejectionFeedbackWithin'>,
): OverdueLead | null {
  if (!timeline.handoffAt || timeline.firstFollowUpAt || timeline.feedbackAt) return null;
  const evaluation = evaluateSla({ handoffAt: timeline.handoffAt, now }, sla);
  if (!evaluation.followUp.breached) return null;
  const dueAt = evaluation.followUp.dueAt;
  return {
    leadKey,
    handoffAt: timeline.handoffAt,
    dueAt,
    overdueMinutes: Math.floor((now.getTime() - Date.parse(dueAt)) / 60_000),
  };
}
