import type { ChangeEvent } from '../../src/domain/change-event.ts';
import { toIsoInstant } from './mapping.ts';
import { exactId15, type OutboundMessage, type OutboundNotification } from './outbound-message.ts';

// What an Outbound Message means to LeadBridge, without HTTP: the route that receives them is
// src/server/salesforce-outbound-route.ts.

/** The objects whose notifications LeadBridge acts on; any other (Account, Opportunity…) is ignored and counted. */
const SYNCED_OBJECTS = new Set(['Lead', 'Contact']);

/**
 * The OrganizationId of an envelope, found by a plain scan (no parsing), so a body from an org no tenant
 * has is refused before any XML work. The full parse later must agree with it.
 */
export function peekOrganizationId(body: Buffer): string | undefined {
  const marker = 'OrganizationId>';
  const LT = 0x3c;
  let from = 0;
  for (;;) {
    const at = body.indexOf(marker, from);
    if (at < 0) return undefined;
    const open = body.lastIndexOf(LT, at);
    // An opening tag: `<OrganizationId>` or `<ns:OrganizationId>`, not `</…>`.
    if (open >= 0 && at - open <= 64 && body[open + 1] !== 0x2f && !body.subarray(open, at).includes('>')) {
      const start = at + marker.length;
      const end = body.indexOf(LT, start);
      if (end < 0 || end - start > 40) return undefined;
      return body.subarray(start, end).toString('utf8').trim();
    }
    from = at + marker.length;
  }
}

/** The hints of one parsed message, and how many notifications gave none. */
export interface OutboundChangeEvents {
  events: ChangeEvent[];
  /** Notifications for objects LeadBridge does not sync (Account, Opportunity…). */
  unsynced: number;
  /** Lead or Contact notifications without a record id (deleted before delivery): left to the poller. */
  noRecord: number;
}

/** One hint per Lead or Contact notification of `message`, for tenant `tenant`. */
export function outboundChangeEvents(
  tenant: string,
  message: OutboundMessage,
  now: Date,
): OutboundChangeEvents {
  const org = exactId15(message.organizationId) ?? message.organizationId;
  const events: ChangeEvent[] = [];
  let unsynced = 0;
  let noRecord = 0;
  for (const notification of message.notifications) {
    if (notification.objectType !== undefined && !SYNCED_OBJECTS.has(notification.objectType)) unsynced += 1;
    else {
      const event = toChangeEvent(tenant, org, notification, now);
      if (event) events.push(event);
      else noRecord += 1;
    }
  }
  return { events, unsynced, noRecord };
}

/**
 * One notification as a hint: which record to look at, never what happened to it. The fields the message
 * carries (IsDeleted, IsConverted, values) are ignored: anyone who knows the org id can send one, so
 * ingest asks the API. The dedup key holds the org, the notification id, the record and its stamp, so a
 * forged notification that borrows a real one's id cannot suppress the real delivery. A record deleted
 * before delivery arrives without data: there is nothing to point at, so it is left to the poller.
 */
export function toChangeEvent(
  tenant: string,
  organizationId: string,
  notification: OutboundNotification,
  now: Date,
): ChangeEvent | null {
  if (!notification.objectId) return null;
  const stamp = notification.fields.SystemModstamp ?? notification.fields.LastModifiedDate;
  const stampedAt = stamp ? toIsoInstant(stamp) : null;
  const occurredAt = stampedAt ?? now.toISOString();
  return {
    tenant,
    system: 'salesforce',
    objectId: notification.objectId,
    occurredAt,
    kind: 'updated',
    source: 'outbound_message',
    dedupKey: `om:${organizationId}:${notification.notificationId}:${notification.objectId}:${stampedAt ?? ''}`,
  };
}
