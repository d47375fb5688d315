import { z } from 'zod';

/**
 * A notification's outcome on one channel (or the owner decision at handoff), kept in the lead's trail so
 * `explain` shows who was told what, when, and whether it arrived.
 */
export const NotificationEntry = z.object({
  type: z.literal('notification'),
  at: z.string().min(1),
  /** The notification's type (`lead_handed_off`, …) or `owner_assigned`. */
  event: z.string(),
  /** `webhook`, `slack`, `salesforce_task`, or `owner` for the owner decision. */
  channel: z.string(),
  outcome: z.enum(['sent', 'duplicate', 'retrying', 'failed', 'assigned', 'skipped']),
  /** The idempotency key. */
  key: z.string(),
  attempt: z.number().int().nonnegative().optional(),
  detail: z.string().optional(),
});
export type NotificationEntry = z.infer<typeof NotificationEntry>;
