import { z } from 'zod';
import { hasReachedStage, stageRank, type LifecycleOrder } from './lifecycle.ts';
import type { SlaConfig } from './sla-schema.ts';
import { evaluateSla, type SlaEvaluation } from './sla.ts';

/**
 * The instants the SLA is measured from, kept by the engine next to the base (Redis). Status changes are
 * all LeadBridge sees of sales' work, so moving past the handoff stage counts as both the first follow-up
 * and the acceptance; a rejection is feedback too. ISO-8601 instants.
 */
export const LeadTimeline = z.object({
  handoffAt: z.string().optional(),
  firstFollowUpAt: z.string().optional(),
  feedbackAt: z.string().optional(),
});
export type LeadTimeline = z.infer<typeof LeadTimeline>;

/**
 * The timeline after the stage moved from `from` to `to` at `now`: the first time the lead reaches the
 * handoff stage starts the clocks; moving past it, or a rejection or disqualification, stops them; a
 * recycle clears them, so a lead that qualifies again gets a fresh SLA.
 */
export function advanceTimeline(
  timeline: LeadTimeline,
  from: string | null | undefined,
  to: string | null | undefined,
  now: Date,
  lifecycle: LifecycleOrder,
): LeadTimeline {
  if (to === from || typeof to !== 'string') return timeline;
  if (to === 'recycled') return {};
  const at = now.toISOString();
  const next: LeadTimeline = { ...timeline };
  const turnedDown = to === 'rejected' || to === 'disqualified';
  if (next.handoffAt === undefined && !turnedDown && hasReachedStage(to, lifecycle.handoffStage, lifecycle)) {
    next.handoffAt = at;
  }
  if (next.handoffAt === undefined) return next;
  const pastHandoff = (stageRank(to, lifecycle) ?? -1) > (stageRank(lifecycle.handoffStage, lifecycle) ?? 0);
  if (turnedDown || pastHandoff) {
    next.firstFollowUpAt ??= at;
    next.feedbackAt ??= at;
  }
  return next;
}

/** The SLA fields LeadBridge writes to both sides; blank before the lead was handed off. */
export function slaFields(
  timeline: LeadTimeline,
  now: Date,
  sla: Pick<SlaConfig, 'followUpWithin' | 'rejectionFeedbackWithin'>,
): { slaDueAt: string | null; slaBreached: boolean | null; evaluation: SlaEvaluation | null } {
  if (timeline.handoffAt === undefined) return { slaDueAt: null, slaBreached: null, evaluation: null };
  const evaluation = evaluateSla(
    {
      handoffAt: timeline.handoffAt,
      firstFollowUpAt: timeline.firstFollowUpAt ?? null,
      feedbackAt: timeline.feedbackAt ?? null,
      now,
    },
    sla,
  );
  return { slaDueAt: evaluation.followUp.dueAt, slaBreached: evaluation.breached, evaluation };
}
