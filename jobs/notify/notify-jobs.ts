import { createHash } from 'node:crypto';
import { z } from 'zod';
import { ChannelName } from '../../src/config/notifications-schema.ts';
import {
  NotificationAudience,
  NotificationEvent,
  NotificationType,
} from '../../src/domain/notification-event.ts';

/** An event before its owner is known: what the hook (reconcile today, the ledger later) knows. */
export const NotificationDraft = z.strictObject({
  tenant: z.string().min(1),
  leadKey: z.string().min(1),
  type: NotificationType,
  episode: z.string().min(1),
  occurredAt: z.string(),
  audience: z.array(NotificationAudience).min(1),
  reason: z.string().nullable(),
  dueAt: z.string().nullable(),
  records: NotificationEvent.shape.records,
  lead: NotificationEvent.shape.lead,
});
export type NotificationDraft = z.infer<typeof NotificationDraft>;

export const EscalationStepName = z.enum(['reminder', 'breach', 'reassign']);

/** One BullMQ job of the notify queue; parsed at the top of the processor. */
export const NotifyJob = z.discriminatedUnion('kind', [
  /** Decide the owner (handoff, reassignment), build the event, queue one delivery per channel. */
  z.strictObject({ kind: z.literal('prepare'), draft: NotificationDraft }),
  /** Send one event on one channel. */
  z.strictObject({ kind: z.literal('deliver'), event: NotificationEvent, channel: ChannelName }),
  /** An escalation rung's timer: at its time, see what is due and prepare it. */
  z.strictObject({
    kind: z.literal('timer'),
    step: EscalationStepName,
    draft: NotificationDraft,
  }),
]);
export type NotifyJob = z.infer<typeof NotifyJob>;

/** A short stable digest: BullMQ job ids may not contain `:`, and keys do. */
export function digest(text: string): string {
  return createHash('sha256').update(text).digest('base64url').slice(0, 22);
}

export const jobIds = {
  prepare: (key: string) => `prepare-${digest(key)}`,
  deliver: (key: string, channel: string) => `deliver-${digest(key)}-${channel}`,
  timer: (tenant: string, leadKey: string, episode: string, step: string) =>
    `timer-${digest(`${tenant}:${leadKey}:${episode}`)}-${step}`,
};
