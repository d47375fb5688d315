import { z } from 'zod';
import { SystemName } from './lead.ts';

/**
 * What change detection (webhooks, outbound messages, pollers) hands to ingest: only which record
 * changed, never its data. Reconcile reads the current state of both sides, so a stale or repeated
 * event costs a read, never a wrong write.
 */
export const ChangeEvent = z.object({
  tenant: z.string().min(1),
  system: SystemName,
  /** The record's id in `system` (HubSpot contact id, Salesforce Lead/Contact id). */
  objectId: z.string().min(1),
  /** ISO-8601 instant the change happened in the source system. */
  occurredAt: z.iso.datetime({ offset: true }),
  kind: z.enum(['created', 'updated', 'deleted', 'merged', 'restored', 'privacy_deleted', 'converted']),
  /** For merges: the ids that were folded into `objectId`. */
  mergedIds: z.array(z.string()).optional(),
  /** How the change was detected, for `explain` and the metrics. */
  source: z.enum(['webhook', 'journal', 'outbound_message', 'poll', 'backfill', 'manual', 'timer']),
  /**
   * Identity of the delivery, the same on every redelivery of the same notification, so the ingest
   * queue can drop duplicates. Built by the detector (e.g. HubSpot: portal, subscription type, object,
   * eventId, occurredAt; Salesforce: notification Id).
   */
  dedupKey: z.string().min(1),
  /**
   * `valueHash(property, new value)` (src/domain/value-hash.ts) of every property change this event
   * stands for, when each carried its value and was written by an app (HubSpot `propertyChange` with
   * changeSource `INTEGRATION` from our app, or `API`): lets ingest drop the echo of LeadBridge's own
   * write (jobs/echo-filter.ts). Hashes, not values: an ingest job is kept 25 hours and shown in
   * /admin/queues, and must hold no personal data. Absent: the event is never taken for an echo.
   */
  changedValueHashes: z.array(z.string().regex(/^[0-9a-f]{16}$/)).optional(),
});
export type ChangeEvent = z.infer<typeof ChangeEvent>;
