import { z } from 'zod';

/** What a notification tells, one per ledger transition or timer. */
export const NotificationType = z.enum([
  'lead_handed_off',
  'sla_reminder',
  'sla_breached',
  'lead_rejected',
  'rejection_reason_missing',
  'lead_reassigned',
]);
export type NotificationType = z.infer<typeof NotificationType>;

/** Who the notification is for; a channel decides how it reaches them. */
export const NotificationAudience = z.enum(['owner', 'manager', 'marketing']);
export type NotificationAudience = z.infer<typeof NotificationAudience>;

const Instant = z.iso.datetime({ offset: true });

/**
 * The payload every channel renders and the outgoing webhook sends as it is (schema version 1; fields are
 * only ever added). `id` is the idempotency key: the same transition or timer always yields the same id,
 * so the outbox sends it once and a receiver can deduplicate on `webhook-id`.
 */
export const NotificationEvent = z.strictObject({
  schemaVersion: z.literal(1),
  id: z.string().min(1).describe('Idempotency key: tenant, lead, type and episode (transition or due time).'),
  type: NotificationType,
  tenant: z.string().min(1),
  leadKey: z.string().min(1),
  /** The transition's own instant, or the timer's due time. */
  occurredAt: Instant,
  /** Identifies the episode (handoff or rejection) or timer the event belongs to. */
  episode: z.string().min(1),
  audience: z.array(NotificationAudience).min(1),
  lead: z.strictObject({
    email: z.string().nullable(),
    name: z.string().nullable(),
    company: z.string().nullable(),
    score: z.number().nullable(),
    stage: z.string().nullable(),
  }),
  owner: z
    .strictObject({ id: z.string(), name: z.string().nullable(), email: z.string().nullable() })
    .nullable(),
  /** Rejection reason, gate reason or escalation explanation. */
  reason: z.string().nullable(),
  /** The follow-up due time (SLA) or feedback due time, where the event has one. */
  dueAt: Instant.nullable(),
  /** The lead's record ids: HubSpot contact, Salesforce Lead (or Contact once converted). */
  records: z.strictObject({ hubspot: z.string().nullable(), salesforce: z.string().nullable() }),
  links: z.strictObject({ hubspot: z.string().nullable(), salesforce: z.string().nullable() }),
  /** The manager's email (`owners.managerEmail`) when the audience includes the manager. */
  manager: z.string().nullable().optional(),
  /** For `lead_reassigned`: the owner the lead was taken from. */
  previousOwner: z.string().nullable().optional(),
});
export type NotificationEvent = z.infer<typeof NotificationEvent>;

/** The idempotency key of an event: the same inputs always give the same key. */
export function notificationKey(parts: {
  tenant: string;
  leadKey: string;
  type: NotificationType;
  episode: string;
}): string {
  return [parts.tenant, parts.leadKey, parts.type, parts.episode].join(':');
}
