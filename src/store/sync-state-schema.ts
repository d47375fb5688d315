import { z } from 'zod';
import { Lead, SystemName } from '../domain/lead.ts';
import { LeadTimeline } from '../domain/lead-timeline.ts';
import { ExplicitMove } from '../domain/lifecycle.ts';

/** The last stage decision of a reconcile pass (a `LeadDecision`), as `explain` and the next pass see it. */
export const StoredDecision = z.object({
  from: z.string().nullable(),
  proposed: z.string(),
  stage: z.string().nullable(),
  changed: z.boolean(),
  rule: z.string(),
  by: z.union([SystemName, z.literal('leadbridge')]),
  move: ExplicitMove.optional(),
  explanation: z.string(),
});
export type StoredDecision = z.infer<typeof StoredDecision>;

/** What the engine keeps per lead between reconcile passes. */
export const LeadSyncState = z.object({
  /** The values last synced to both sides (`nextBase(...)`): the base of the next three-way merge. */
  base: Lead,
  timeline: LeadTimeline,
  lastDecision: StoredDecision.nullable(),
  /** ISO-8601 instant of the pass that wrote it. */
  syncedAt: z.string(),
});
export type LeadSyncState = z.infer<typeof LeadSyncState>;
