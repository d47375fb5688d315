import { z } from 'zod';

/**
 * The instants the SLA is measured from, kept by the engine next to the base (Redis). Status changes are
 * all LeadBridge sees of sales' work, so moving past the handoff stage counts as both the first follow-up
 * and the acceptance; a rejection is feedback too. ISO-8601 instants.
 */
export const LeadTimeline = z.object({
  handoffAt: z.string().optional(),
  firstFollowUpAt: z.string().optional(),
  feedbackAt: z.string().optional(),
  /**
   * The lead was already past the handoff stage when it crossed it (first seen so): its follow-up is the
   * handoff itself, with no time to measure. Decided where the handoff opens (src/domain/ledger-fold.ts);
   * never inferred from equal instants, as a rep may answer in the handoff's own whole second.
   */
  workedAtHandoff: z.boolean().optional(),
});
export type LeadTimeline = z.infer<typeof LeadTimeline>;
