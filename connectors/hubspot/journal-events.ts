import type { ChangeEvent } from '../../src/domain/change-event.ts';
import type { JournalEvent } from './journal-client.ts';
import type { HubSpotWebhookEvent } from './schemas.ts';
import { toChangeEvents } from './webhook-events.ts';

// Journal actions as the webhook subscription types they stand for, so journal events go through the
// very same translation and deduplication (`toChangeEvents`, `dedupKey`) as pushed webhooks.
const SUBSCRIPTION_TYPES: Record<string, string> = {
  CREATE: 'contact.creation',
  UPDATE: 'contact.propertyChange',
  DELETE: 'contact.deletion',
  MERGE: 'contact.merge',
  RESTORE: 'contact.restore',
  GDPR_PRIVACY_DELETION: 'contact.privacyDeletion',
};

/** Pure: one journal file's events as a webhook batch (contacts only; associations and other objects left out). */
export function asWebhookEvents(events: JournalEvent[]): HubSpotWebhookEvent[] {
  return events.flatMap((event) => {
    const subscriptionType = SUBSCRIPTION_TYPES[event.action];
    if (!subscriptionType || event.objectTypeId !== '0-1') return [];
    return [
      {
        eventId: event.eventId,
        portalId: event.portalId,
        occurredAt: event.occurredAt,
        subscriptionType,
        objectId: event.objectId,
        ...(event.changeSource ? { changeSource: event.changeSource } : {}),
        ...(event.propertyName ? { propertyName: event.propertyName } : {}),
        ...(event.primaryObjectId ? { primaryObjectId: event.primaryObjectId } : {}),
        ...(event.mergedObjectIds ? { mergedObjectIds: event.mergedObjectIds } : {}),
      },
    ];
  });
}

/** Pure: one journal file's events as change events for `tenant`, deduplicated as webhooks are. */
export function journalChangeEvents(
  tenant: string,
  events: JournalEvent[],
): { events: ChangeEvent[]; ignored: number } {
  const webhookEvents = asWebhookEvents(events);
  const translated = toChangeEvents(tenant, webhookEvents);
  return {
    events: translated.events.map((event) => ({ ...event, source: 'journal' as const })),
    ignored: events.length - webhookEvents.length + translated.ignored,
  };
}
